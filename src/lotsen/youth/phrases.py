"""The access log in plain words: "Socialtjänsten i Exempelkommun läste ditt ärende."

The log stores ids and a technical ``object_type``; the young person reads a sentence.
Known types get their own phrase; a family of types (all KAA records) one phrase for the
family; anything else a phrase that is true of every entry.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lotsen.privacy.models import Action

OBJECT_PHRASES = {
    "case": gettext_lazy("ditt ärende"),
    "case_list": gettext_lazy("en lista där du finns med"),
    "plan": gettext_lazy("din plan"),
    "goal": gettext_lazy("din plan"),
    "plan_action": gettext_lazy("din plan"),
    "person": gettext_lazy("dina uppgifter"),
    "person_list": gettext_lazy("en lista där du finns med"),
    "consent": gettext_lazy("ditt samtycke"),
    "consent_list": gettext_lazy("dina samtycken"),
    "consent_request": gettext_lazy("en fråga om samtycke för dig"),
    "consent_request_list": gettext_lazy("frågor om samtycke för dig"),
    "person_identity_number": gettext_lazy("ditt personnummer"),
    "note": gettext_lazy("en anteckning om dig"),
    "contact": gettext_lazy("en kontakt med dig"),
    "referral": gettext_lazy("en remiss om dig"),
    "referral_list": gettext_lazy("en lista där du finns med"),
    "handover_list": gettext_lazy("en lista där du finns med"),
    "handover": gettext_lazy("det som en skola skrev till nästa skola"),
    "intervention": gettext_lazy("ett stöd som du får"),
    "team": gettext_lazy("vilka som hjälper dig"),
    "task": gettext_lazy("en sak att göra för dig"),
    "wellbeing": gettext_lazy("hur du mår"),
    "youth_message": gettext_lazy("det du har skrivit till oss"),
    "youth_start": gettext_lazy("dina sidor"),
    "signal": gettext_lazy("en signal om dig från skolan"),
    "signal_list": gettext_lazy("en lista där du finns med"),
    "school_overview": gettext_lazy("dina betyg och din frånvaro"),
    "emergency_access": gettext_lazy("dina uppgifter"),
    "participation": gettext_lazy("dina uppgifter i ett projekt"),
}
PREFIX_PHRASES = (
    ("kaa_", gettext_lazy("dina uppgifter hos kommunen")),
    ("programme", gettext_lazy("dina uppgifter i ett projekt")),
    ("support_", gettext_lazy("ditt ärende")),
)
GENERIC_PHRASE = gettext_lazy("dina uppgifter")

VERBS = {
    Action.VIEW: gettext_lazy("läste"),
    Action.SEARCH: gettext_lazy("sökte fram"),
    Action.CREATE: gettext_lazy("skrev in"),
    Action.UPDATE: gettext_lazy("ändrade"),
    Action.EXPORT: gettext_lazy("tog ut"),
    Action.EMERGENCY: gettext_lazy("läste i ett nödläge"),
}
GENERIC_VERB = gettext_lazy("använde")


def object_phrase(object_type: str) -> str:
    if object_type in OBJECT_PHRASES:
        return str(OBJECT_PHRASES[object_type])
    for prefix, phrase in PREFIX_PHRASES:
        if object_type.startswith(prefix):
            return str(phrase)
    return str(GENERIC_PHRASE)


def verb_phrase(action: str) -> str:
    return str(VERBS.get(action, GENERIC_VERB))


def someone() -> str:
    return _("Någon")


def guardian() -> str:
    return _("Din vårdnadshavare")


def access_sentence(*, who: str, action: str, object_type: str) -> str:
    """One line of the log as a sentence, e.g. "Björkskolan läste dina betyg och din frånvaro."""
    return _("%(who)s %(verb)s %(what)s.") % {
        "who": who,
        "verb": verb_phrase(action),
        "what": object_phrase(object_type),
    }


# What a consent covers, in the young person's words rather than the register's.
CATEGORY_PHRASES = {
    "identity": gettext_lazy("Vem du är"),
    "school": gettext_lazy("Betyg och frånvaro från skolan"),
    "kaa": gettext_lazy("Vad kommunen vet om vad du gör nu"),
    "support": gettext_lazy("Stöd och hjälp som du får"),
    "health": gettext_lazy("Hur du mår och din hälsa"),
    "programme": gettext_lazy("Projekt som du är med i"),
}
GIVER_PHRASES = {
    "young_person": gettext_lazy("Du"),
    "guardian": gettext_lazy("Din vårdnadshavare"),
    "both": gettext_lazy("Du och din vårdnadshavare"),
}


def category_phrase(category: str) -> str:
    return str(CATEGORY_PHRASES.get(category, GENERIC_PHRASE))


def giver_phrase(given_by: str) -> str:
    return str(GIVER_PHRASES.get(given_by, given_by))
