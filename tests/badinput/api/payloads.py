"""The bad-input corpus for the API's write endpoints: what a careless client or an
attacker with an account sends, and what Lotsen must answer.

Each payload names one endpoint, the raw bytes it sends (built from the ids of the test's
world, so that everything but the bad part is valid), the answers it may get, and what the
error body must name: a field, or the JSON path, line or byte of the fault.

Every endpoint gets the same generic set (nesting 10,000 and 100,000 deep, a body over
the size limit, JSON that is not an object, invalid UTF-8, NaN and Infinity, numbers
beyond any column, a truncated document, an unknown field, a wrong media type); then come
the cases particular to its fields (dates 0001-01-01, 9999-12-31 and 2026-02-30, NUL bytes,
1 MB strings, wrong types, missing fields, lone surrogates, over-long lists).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from lotsen.people.identity import make_identity_number

Ids = dict[str, int]
Body = Callable[[Ids, dt.date], bytes]

JSON = "application/json"
MEGABYTE_STRING = "x" * 1_000_000
# A valid personnummer for a pupil Lotsen does not know: a notice about them is accepted.
NOTICE_NUMBER = make_identity_number(dt.date(2009, 5, 17), 18)

# Method and path of every API endpoint that writes; {name} is filled from the world.
ENDPOINTS: dict[str, tuple[str, str]] = {
    "notice": ("post", "/aktivitetsansvar/api/notices/"),
    "person_search": ("post", "/api/v1/persons/search/"),
    "case_open": ("post", "/api/v1/cases/"),
    "case_close": ("post", "/api/v1/cases/{case}/close/"),
    "plan": ("put", "/api/v1/cases/{case}/plan/"),
    "goal": ("post", "/api/v1/cases/{case}/plan/goals/"),
    "action": ("post", "/api/v1/cases/{case}/plan/actions/"),
    "action_done": ("post", "/api/v1/cases/{case}/plan/actions/{action}/done/"),
    "contact": ("post", "/api/v1/cases/{case}/contacts/"),
    "referral": ("post", "/api/v1/referrals/"),
    "referral_accept": ("post", "/api/v1/referrals/{received}/accept/"),
    "referral_decline": ("post", "/api/v1/referrals/{received}/decline/"),
    "referral_revoke": ("post", "/api/v1/referrals/{sent}/revoke/"),
}


def valid_body(endpoint: str, ids: Ids, today: dt.date) -> dict:
    """A body the endpoint accepts (the guard test proves it): payloads change one part."""
    soon = (today + dt.timedelta(days=14)).isoformat()
    return {
        "notice": {
            "kind": "dropout",
            "personal_identity_number": NOTICE_NUMBER,
            "home_municipality_code": "0180",
            "event_date": today.isoformat(),
            "message": "Slutade i dag.",
        },
        "person_search": {"q": "Elin"},
        "case_open": {"person": ids["new_person"], "target_groups": ["dropout"]},
        "case_close": {"reason": "in_studies", "outcome": "Går vidare"},
        "plan": {
            "version": ids["plan_version"],
            "own_goal": "Bli elektriker",
            "lead_party": "",
            "goal_statuses": {str(ids["goal"]): "in_progress"},
        },
        "goal": {"text": "Godkänt i svenska", "target_date": soon},
        "action": {
            "text": "Läxhjälp",
            "responsible_organisation": ids["school"],
            "follow_up_on": soon,
            "goal": ids["goal"],
        },
        "action_done": {"done_on": today.isoformat()},
        "contact": {"date": today.isoformat(), "channel": "phone", "reached": True},
        "referral": {
            "case": ids["case"],
            "to_organisation": ids["clinic"],
            "consent": ids["clinic_consent"],
            "message": "Behöver stöd.",
        },
        "referral_accept": {},
        "referral_decline": {"decline_reason": "Inte vårt uppdrag."},
        "referral_revoke": {},
    }[endpoint]


@dataclass(frozen=True)
class Payload:
    name: str
    endpoint: str
    body: Body
    # The answers the design gives: 400 bad input, 404 not found (or not yours), 409
    # conflict, 413 too large, 415 not JSON.
    expect: frozenset[int] = frozenset({400})
    # Text the JSON error body must contain: a field's key, a JSON path, "rad", "byte"…
    names: tuple[str, ...] = ()
    content_type: str = JSON
    tags: tuple[str, ...] = field(default=())

    @property
    def id(self) -> str:
        return f"{self.endpoint}-{self.name}"


def _dumps(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


def changed(endpoint: str, **fields) -> Body:
    """The valid body with fields replaced (a callable value gets the ids and today)."""

    def build(ids: Ids, today: dt.date) -> bytes:
        body = valid_body(endpoint, ids, today)
        for key, value in fields.items():
            body[key] = value(ids, today) if callable(value) else value
        return _dumps(body)

    return build


def without(endpoint: str, missing: str) -> Body:
    def build(ids: Ids, today: dt.date) -> bytes:
        body = valid_body(endpoint, ids, today)
        del body[missing]
        return _dumps(body)

    return build


def raw_field(endpoint: str, key: str, literal: bytes) -> Body:
    """The valid body with one field's value replaced by raw bytes (not valid JSON
    values, or values json.dumps would not write)."""

    def build(ids: Ids, today: dt.date) -> bytes:
        body = valid_body(endpoint, ids, today)
        body[key] = "\x01PLACEHOLDER\x01"
        return _dumps(body).replace(b'"\\u0001PLACEHOLDER\\u0001"', literal)

    return build


def raw(data: bytes) -> Body:
    return lambda ids, today: data


def _first_field(endpoint: str) -> str:
    body = valid_body(endpoint, {k: 1 for k in IDS}, dt.date(2026, 1, 1))
    return next(iter(body), "x")


# Every id name the world provides (the test's fixture fills them).
IDS = (
    "case",
    "action",
    "goal",
    "plan_version",
    "received",
    "sent",
    "school",
    "clinic",
    "clinic_consent",
    "new_person",
    "foreign_case",
    "foreign_person",
    "foreign_action",
    "foreign_referral",
    "foreign_goal",
)


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _generic(endpoint: str) -> list[Payload]:
    key = _first_field(endpoint)
    oversized = 3 * 1024 * 1024  # over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)
    return [
        Payload(
            "nested-10000",
            endpoint,
            raw(b'{"' + key.encode() + b'": ' + nested(10_000) + b"}"),
            names=(f"$.{key}[0]",),
        ),
        Payload(
            "nested-100000",
            endpoint,
            raw(b'{"' + key.encode() + b'": ' + nested(100_000) + b"}"),
            names=(f"$.{key}[0]",),
        ),
        Payload("nested-top-array", endpoint, raw(nested(100_000)), names=("$[0][0]",)),
        Payload(
            "nested-objects",
            endpoint,
            raw(b'{"a": ' * 5000 + b"1" + b"}" * 5000),
            names=("$.a.a",),
        ),
        Payload(
            "over-size-limit",
            endpoint,
            changed(endpoint, padding="x" * oversized),
            expect=frozenset({413}),
            names=("detail",),
        ),
        Payload("array-not-object", endpoint, raw(b"[1, 2, 3]"), names=("non_field_errors",)),
        Payload("string-not-object", endpoint, raw(b'"hej"'), names=("non_field_errors",)),
        Payload("number-not-object", endpoint, raw(b"42"), names=("non_field_errors",)),
        Payload(
            "invalid-utf8",
            endpoint,
            raw(b'{"' + key.encode() + b'": "\xff\xfe\xc3("}'),
            names=("byte",),
        ),
        Payload("nan", endpoint, raw_field(endpoint, key, b"NaN"), names=("rad 1",)),
        Payload("infinity", endpoint, raw_field(endpoint, key, b"-Infinity"), names=("rad 1",)),
        Payload("float-overflow", endpoint, raw_field(endpoint, key, b"1e400"), names=("rad 1",)),
        Payload(
            "integer-5000-digits",
            endpoint,
            raw_field(endpoint, key, b"9" * 5000),
            names=("rad 1",),
        ),
        Payload(
            "truncated",
            endpoint,
            lambda ids, today: _dumps(valid_body(endpoint, ids, today) or {"x": 1})[:-1],
            names=("rad 1",),
        ),
        Payload("trailing-garbage", endpoint, raw(b'{"x": 1} {"y": 2}'), names=("rad 1",)),
        Payload(
            "unknown-field",
            endpoint,
            changed(endpoint, favourite_colour="blå"),
            names=('"favourite_colour"',),
        ),
        Payload(
            "text-plain",
            endpoint,
            changed(endpoint),
            expect=frozenset({415}),
            names=("text/plain",),
            content_type="text/plain",
        ),
        Payload(
            "form-encoded",
            endpoint,
            raw(b"q=a&kind=dropout"),
            expect=frozenset({415}),
            names=("application/x-www-form-urlencoded",),
            content_type="application/x-www-form-urlencoded",
        ),
        Payload(
            "latin1-charset-lie",
            endpoint,
            raw(b'{"' + key.encode() + b'": "\xe5\xe4\xf6"}'),
            names=("byte",),
        ),
        Payload(
            "bytes-codec-charset",
            endpoint,
            changed(endpoint),
            names=("bz2_codec",),
            content_type="application/json; charset=bz2_codec",
        ),
    ]


def _dates(endpoint: str, key: str) -> list[Payload]:
    """The three dates the probe used, on one date field."""
    return [
        Payload(
            f"{key}-0001-01-01",
            endpoint,
            changed(endpoint, **{key: "0001-01-01"}),
            names=(f'"{key}"',),
        ),
        Payload(
            f"{key}-9999-12-31",
            endpoint,
            changed(endpoint, **{key: "9999-12-31"}),
            names=(f'"{key}"',),
        ),
        Payload(
            f"{key}-2026-02-30",
            endpoint,
            changed(endpoint, **{key: "2026-02-30"}),
            names=(f'"{key}"',),
        ),
        Payload(
            f"{key}-1899-12-31",
            endpoint,
            changed(endpoint, **{key: "1899-12-31"}),
            names=(f'"{key}"',),
        ),
        Payload(
            f"{key}-as-number", endpoint, changed(endpoint, **{key: 20260101}), names=(f'"{key}"',)
        ),
    ]


def _text(endpoint: str, key: str) -> list[Payload]:
    """NUL, a lone surrogate, 1 MB and a wrong type in one text field."""
    return [
        Payload(f"{key}-nul", endpoint, changed(endpoint, **{key: "a\x00b"}), names=(f'"{key}"',)),
        Payload(
            f"{key}-surrogate",
            endpoint,
            raw_field(endpoint, key, b'"a\\ud800b"'),
            names=(f"$.{key}",),
        ),
        Payload(
            f"{key}-1mb", endpoint, changed(endpoint, **{key: MEGABYTE_STRING}), names=(f'"{key}"',)
        ),
        Payload(
            f"{key}-list", endpoint, changed(endpoint, **{key: ["a", "b"]}), names=(f'"{key}"',)
        ),
        Payload(
            f"{key}-object", endpoint, changed(endpoint, **{key: {"a": 1}}), names=(f'"{key}"',)
        ),
    ]


def _number(endpoint: str, key: str) -> list[Payload]:
    """Numbers no column holds, and things that are not numbers, in one id or integer."""
    return [
        Payload(f"{key}-1e30", endpoint, changed(endpoint, **{key: 1e30}), names=(f'"{key}"',)),
        Payload(
            f"{key}-10e400-int",
            endpoint,
            raw_field(endpoint, key, b"1" + b"0" * 400),
            names=(f'"{key}"',),
        ),
        Payload(f"{key}-2e31", endpoint, changed(endpoint, **{key: 2**31}), names=(f'"{key}"',)),
        Payload(f"{key}-negative", endpoint, changed(endpoint, **{key: -1}), names=(f'"{key}"',)),
        Payload(f"{key}-string", endpoint, changed(endpoint, **{key: "abc"}), names=(f'"{key}"',)),
        Payload(f"{key}-bool", endpoint, changed(endpoint, **{key: True}), names=(f'"{key}"',)),
        Payload(f"{key}-fraction", endpoint, changed(endpoint, **{key: 1.5}), names=(f'"{key}"',)),
    ]


def _missing(endpoint: str, key: str) -> Payload:
    return Payload(f"{key}-missing", endpoint, without(endpoint, key), names=(f'"{key}"',))


def _specific() -> list[Payload]:
    payloads: list[Payload] = []
    # A school's notice to the home municipality.
    payloads += _dates("notice", "event_date")
    payloads += _text("notice", "message")
    payloads += _text("notice", "personal_identity_number")
    payloads += [
        _missing("notice", "kind"),
        Payload("kind-unknown", "notice", changed("notice", kind="expelled"), names=('"kind"',)),
        Payload(
            "municipality-number",
            "notice",
            changed("notice", home_municipality_code=10**30),
            names=('"home_municipality_code"',),
        ),
        Payload(
            "notice-future",
            "notice",
            changed("notice", event_date=lambda ids, t: (t + dt.timedelta(days=30)).isoformat()),
            names=('"event_date"',),
        ),
    ]
    # The person search (POST, so a personnummer never lands in a URL).
    payloads += _text("person_search", "q")
    payloads += _number("person_search", "offset")
    payloads += [
        _missing("person_search", "q"),
        Payload(
            "offset-past-limit",
            "person_search",
            changed("person_search", offset=10**6),
            names=('"offset"',),
        ),
    ]
    # Opening a case.
    payloads += _number("case_open", "person")
    payloads += [
        _missing("case_open", "person"),
        Payload(
            "target-groups-string",
            "case_open",
            changed("case_open", target_groups="dropout"),
            names=('"target_groups"',),
        ),
        Payload(
            "target-groups-10000",
            "case_open",
            changed("case_open", target_groups=["dropout"] * 10_000),
            names=('"target_groups"',),
        ),
        Payload(
            "target-group-nul",
            "case_open",
            changed("case_open", target_groups=["drop\x00out"]),
            names=('"target_groups"',),
        ),
        Payload(
            "signal-huge",
            "case_open",
            changed("case_open", signal=10**30),
            names=('"signal"',),
        ),
        Payload(
            "foreign-person",
            "case_open",
            changed("case_open", person=lambda ids, t: ids["foreign_person"]),
            names=('"person"',),
            tags=("forged",),
        ),
    ]
    # Closing a case.
    payloads += _dates("case_close", "closed_on")
    payloads += _text("case_close", "outcome")
    payloads += [
        _missing("case_close", "reason"),
        Payload(
            "reason-nul",
            "case_close",
            changed("case_close", reason="in_\x00studies"),
            names=('"reason"',),
        ),
        Payload(
            "reason-number", "case_close", changed("case_close", reason=5), names=('"reason"',)
        ),
    ]
    # Saving the plan.
    payloads += _number("plan", "version")
    payloads += _text("plan", "own_goal")
    payloads += [
        _missing("plan", "version"),
        Payload(
            "lead-party-object",
            "plan",
            changed("plan", lead_party={"a": 1}),
            names=('"lead_party"',),
        ),
        Payload(
            "goal-statuses-list",
            "plan",
            changed("plan", goal_statuses=["reached"]),
            names=('"goal_statuses"',),
        ),
        Payload(
            "goal-statuses-nul-key",
            "plan",
            changed("plan", goal_statuses={"1\x00": "reached"}),
            names=('"goal_statuses"',),
        ),
        Payload(
            "goal-statuses-huge-key",
            "plan",
            changed("plan", goal_statuses={"9" * 400: "reached"}),
            names=('"goal_statuses"',),
        ),
        Payload(
            "goal-statuses-10000",
            "plan",
            changed("plan", goal_statuses={str(n): "reached" for n in range(1, 10_001)}),
            names=('"goal_statuses"',),
        ),
        Payload(
            "goal-status-unknown",
            "plan",
            changed("plan", goal_statuses=lambda ids, t: {str(ids["goal"]): "done\x00"}),
            names=('"goal_statuses"',),
        ),
        Payload(
            "stale-version",
            "plan",
            changed("plan", version=lambda ids, t: ids["plan_version"] - 1),
            expect=frozenset({409}),
            names=('"changes"',),
        ),
    ]
    # A goal in the plan.
    payloads += _dates("goal", "target_date")
    payloads += _text("goal", "text")
    payloads += [_missing("goal", "text")]
    # An action in the plan.
    payloads += _dates("action", "follow_up_on")
    payloads += _text("action", "text")
    payloads += _number("action", "responsible_organisation")
    payloads += [
        _missing("action", "follow_up_on"),
        Payload(
            "responsible-user-huge",
            "action",
            changed("action", responsible_user=10**30),
            names=('"responsible_user"',),
        ),
        Payload(
            "goal-of-another-case",
            "action",
            changed("action", goal=lambda ids, t: ids["foreign_goal"]),
            names=('"goal"',),
            tags=("forged",),
        ),
    ]
    # An action done.
    payloads += _dates("action_done", "done_on")
    # A contact in the case.
    payloads += _dates("contact", "date")
    payloads += _text("contact", "note")
    payloads += _text("contact", "outcome")
    payloads += [
        _missing("contact", "date"),
        _missing("contact", "reached"),
        Payload(
            "reached-maybe", "contact", changed("contact", reached="kanske"), names=('"reached"',)
        ),
        Payload(
            "channel-nul", "contact", changed("contact", channel="ph\x00one"), names=('"channel"',)
        ),
        Payload(
            "contact-next-week",
            "contact",
            changed("contact", date=lambda ids, t: (t + dt.timedelta(days=7)).isoformat()),
            names=('"date"',),
        ),
    ]
    # A referral.
    payloads += _number("referral", "case")
    payloads += _number("referral", "consent")
    payloads += _text("referral", "message")
    payloads += [
        _missing("referral", "message"),
        Payload(
            "to-organisation-1e30",
            "referral",
            changed("referral", to_organisation=1e30),
            names=('"to_organisation"',),
        ),
        Payload(
            "foreign-case",
            "referral",
            changed("referral", case=lambda ids, t: ids["foreign_case"]),
            names=('"case"',),
            tags=("forged",),
        ),
    ]
    # Declining a received referral.
    payloads += _text("referral_decline", "decline_reason")
    payloads += [_missing("referral_decline", "decline_reason")]
    return payloads


def _surrogate_keys() -> list[Payload]:
    """A lone surrogate in a field's name: echoed in an error, it cannot be encoded."""
    return [
        Payload(
            "surrogate-key",
            endpoint,
            lambda ids, today, endpoint=endpoint: (
                _dumps(valid_body(endpoint, ids, today))[:-1]
                + (b', "\\ud800x": 1}' if valid_body(endpoint, ids, today) else b'"\\ud800x": 1}')
            ),
            names=("$",),
        )
        for endpoint in ENDPOINTS
    ] + [
        Payload(
            "goal-statuses-surrogate-key",
            "plan",
            raw_field("plan", "goal_statuses", b'{"\\udc00": "reached"}'),
            names=("$.goal_statuses",),
        )
    ]


PAYLOADS: list[Payload] = (
    [p for endpoint in ENDPOINTS for p in _generic(endpoint)] + _specific() + _surrogate_keys()
)


# Ids in the path that belong to another organisation: the same 404 as an id that does not
# exist, and nothing read or written.
FORGED_PATHS: list[tuple[str, str, str]] = [
    ("case_close", "/api/v1/cases/{id}/close/", "case"),
    ("plan", "/api/v1/cases/{id}/plan/", "case"),
    ("goal", "/api/v1/cases/{id}/plan/goals/", "case"),
    ("action", "/api/v1/cases/{id}/plan/actions/", "case"),
    ("action_done", "/api/v1/cases/{id}/plan/actions/{action}/done/", "case"),
    ("action_done", "/api/v1/cases/{case}/plan/actions/{id}/done/", "action"),
    ("contact", "/api/v1/cases/{id}/contacts/", "case"),
    ("referral_accept", "/api/v1/referrals/{id}/accept/", "referral"),
    ("referral_decline", "/api/v1/referrals/{id}/decline/", "referral"),
    ("referral_revoke", "/api/v1/referrals/{id}/revoke/", "referral"),
]


# Query parameters: NUL bytes, over-long values and values of the wrong kind, on every API
# list; the answer names the parameter.
QUERY_PROBES: list[tuple[str, str, str]] = [
    ("persons-nul", "/api/v1/persons/?q=a%00b", "q"),
    ("persons-nul-key", "/api/v1/persons/?q%00=a", "q\\u0000"),
    ("persons-long", "/api/v1/persons/?q=" + "a" * 2000, "q"),
    ("persons-101", "/api/v1/persons/?q=" + "a" * 101, "q"),
    ("persons-offset-text", "/api/v1/persons/?offset=abc", "offset"),
    ("persons-offset-huge", "/api/v1/persons/?offset=" + "9" * 400, "offset"),
    ("persons-offset-negative", "/api/v1/persons/?offset=-5", "offset"),
    ("cases-nul", "/api/v1/cases/?status=op%00en", "status"),
    ("cases-long", "/api/v1/cases/?status=" + "o" * 5000, "status"),
    ("referrals-nul", "/api/v1/referrals/?box=re%00ceived", "box"),
    ("referrals-status-nul", "/api/v1/referrals/?status=%00", "status"),
    ("notices-nul", "/aktivitetsansvar/api/notices/?all=%00", "all"),
    ("notices-long", "/aktivitetsansvar/api/notices/?all=" + "1" * 5000, "all"),
    ("invalid-percent-utf8", "/api/v1/persons/?q=%ff%fe", "q"),
]
