"""Names and value sets from SS 12000 version 2.1.0. Pure module: no Django.

The official OpenAPI file (SIS TK450, "korrigendum augusti 2022") is kept beside this
module as ``openapi_ss12000_version2_1_0.yaml``; the tests check its hash and that these
sets equal the spec's, so a drift between the two cannot go unnoticed.
"""

from __future__ import annotations

from pathlib import Path

SPEC_PATH = Path(__file__).with_name("openapi_ss12000_version2_1_0.yaml")
SPEC_SHA256 = "aee9a95a4c5bd25cebaf357d266592f94e9388ae785ee9ac3b58e1992acccd28"
SPEC_VERSION = "2.1.0"

SCHOOL_TYPES = frozenset(
    {
        "FS", "FKLASS", "FTH", "OPPFTH", "GR", "GRS", "TR", "SP", "SAM", "GY", "GYS", "VUX",
        "VUXSFI", "VUXGR", "VUXGY", "VUXSARGR", "VUXSARTR", "VUXSARGY", "SFI", "SARVUX",
        "SARVUXGR", "SARVUXGY", "KU", "YH", "FHS", "STF", "KKU", "HS", "ABU", "AU",
    }
)  # fmt: skip
ORGANISATION_TYPES = frozenset(
    {
        "Huvudman", "Verksamhetsområde", "Förvaltning", "Rektorsområde", "Skola",
        "Skolenhet", "Varumärke", "Bolag", "Övrigt",
    }
)  # fmt: skip
SEX = frozenset({"Man", "Kvinna", "Okänt"})
SECURITY_MARKINGS = frozenset({"Ingen", "Sekretessmarkering", "Skyddad folkbokföring"})
PERSON_STATUSES = frozenset({"Aktiv", "Utvandrad", "Avliden"})
ADDRESS_TYPES = frozenset(
    {"Folkbokföring", "Särskild postadress", "Tillfällig adress", "Postadress"}
)
SEMESTERS = frozenset({"HT", "VT"})
EMAIL_TYPES = frozenset({"Privat", "Skola elev", "Skola personal", "Arbete övrigt"})
PHONE_TYPES = frozenset({"Hem", "Arbete"})
GROUP_TYPES = frozenset(
    {
        "Undervisning",
        "Klass",
        "Mentor",
        "Provgrupp",
        "Schema",
        "Avdelning",
        "Personalgrupp",
        "Övrigt",
    }
)
GROUP_CLASS = "Klass"
GROUP_MENTOR = "Mentor"

SECURITY_NONE = "Ingen"
SECURITY_CONFIDENTIAL = "Sekretessmarkering"
SECURITY_PROTECTED = "Skyddad folkbokföring"
ADDRESS_REGISTERED = "Folkbokföring"
ORGANISATION_ORGANISER = "Huvudman"
ORGANISATION_SCHOOL_UNIT = "Skolenhet"

# Query parameters, as the spec names them.
PARAM_LIMIT = "limit"
PARAM_PAGE_TOKEN = "pageToken"  # noqa: S105 (a parameter name)
PARAM_MODIFIED_AFTER = "meta.modified.after"
PARAM_MODIFIED_BEFORE = "meta.modified.before"
PARAM_CREATED_AFTER = "meta.created.after"
PARAM_CREATED_BEFORE = "meta.created.before"
PARAM_RELATIONSHIP_TYPE = "relationship.entity.type"
RELATIONSHIP_ENROLMENT = "enrolment"
PARAM_GROUP_TYPE = "groupType"
