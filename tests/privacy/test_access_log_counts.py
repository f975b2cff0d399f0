"""One access-log entry per person, per request and purpose, carrying what was shown.

A page that shows a person several ways (the person page: identity, school overview, case
list) writes one entry for that person, listing each in ``shown``; a list writes one
entry per person listed. The crawl below logs in as every demo role, requests every GET
route it can fill with ids from a small demo world, and checks each response: no
(person, purpose) pair twice among the entries that request wrote, and every young person
whose name or personnummer is in the response has an entry.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, RoleGrant, User
from lotsen.people.models import Person
from lotsen.privacy.models import AccessLogEntry, EmergencyAccess
from lotsen.privacy.policy import PersonPolicy, purpose_for
from lotsen.support.policy import CasePolicy

pytestmark = pytest.mark.django_db

DEMO_SIZE = 60
ROLES = [
    "kaa",  # KAA coordinator
    "mentor",  # mentor, compulsory school
    "mentorgy",  # mentor, upper secondary (ung's school)
    "elevhalsa",  # student health
    "syv",  # counsellor
    "coach",  # case worker, social services
    "orgadmin",  # organisation admin
    "admin",  # system admin
    "projektledare",  # project leader
    "utvarderare",  # evaluator
    "ung",  # the young person
]
# Routes the crawl must not follow: logging out ends the crawl's session.
SKIP = {"accounts:logout", "set_language"}
# How many objects of each kind are tried per route: one the role sees first, then any.
SAMPLES = 2
# Pages that must have answered 200 for these roles, or the crawl proved nothing there.
MUST_SEE = {
    "kaa": {"kaa:cohort", "kaa:person", "kaa:inbox", "web:person_detail", "web:start"},
    "mentor": {"web:person_detail", "support:case_detail", "support:case_list", "web:start"},
    "mentorgy": {"web:person_detail", "signals:detail"},
    "elevhalsa": {"web:person_detail"},
    "syv": {"web:person_detail"},
    "coach": {"support:case_detail", "support:case_list", "support:referral_detail"},
    "orgadmin": {"web:organisation_members"},
    "admin": {"admin:index"},
    "projektledare": {"programmes:participants", "programmes:subproject"},
    "utvarderare": {"programmes:list"},
    "ung": {"youth:start", "youth:plan", "youth:access_log"},
}


@pytest.fixture
def demo():
    call_command("demo", "--size", str(DEMO_SIZE), "--seed", "7", stdout=_Null())


class _Null:
    def write(self, *args, **kwargs) -> None:
        pass

    def flush(self) -> None:
        pass


def _routes():
    """(name, parameter names) for every named route, namespaced."""

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                yield from walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                name = f"{namespace}:{p.name}" if namespace else p.name
                params = list(p.pattern.regex.groupindex) or list(
                    getattr(p.pattern, "converters", {})
                )
                yield name, params

    seen = set()
    for name, params in walk(get_resolver().url_patterns, ""):
        if name in SKIP or "format" in params or (name, tuple(params)) in seen:
            continue
        seen.add((name, tuple(params)))
        yield name, params


def _model(label: str):
    from django.apps import apps

    return apps.get_model(label)


# Which model a route parameter names. ``pk`` and ``object_id`` depend on the route.
PARAM_MODELS = {
    "person_id": "people.Person",
    "consent_id": "privacy.Consent",
    "membership_id": "accounts.Membership",
    "signal_id": "signals.Signal",
    "notice_id": "kaa.Notice",
    "measure_id": "kaa.Measure",
    "follow_up_id": "kaa.FollowUp",
    "case_id": "support.Case",
    "action_id": "support.PlanAction",
    "intervention_id": "support.Intervention",
    "member_id": "support.TeamMember",
    "referral_id": "support.Referral",
    "handover_id": "support.Handover",
    "programme_id": "programmes.Programme",
    "subproject_id": "programmes.SubProject",
    "participation_id": "programmes.Participation",
    "line_id": "finance.BudgetLine",
    "source_id": "finance.FundingSource",
    "cost_id": "finance.ActualCost",
    "event_id": "events.Event",
    "survey_id": "surveys.Survey",
    "method_id": "support.Method",
}
PK_MODELS = {"person": "people.Person", "case": "support.Case", "referral": "support.Referral"}
GRANT_MODELS = {
    "web:role_grant_decide": RoleGrant,
    "accounts:invitation_answer": RoleGrant,
    "web:emergency_review": EmergencyAccess,
}


def _ids(model, actor: Actor | None, visible: set[int], cases: set[int]) -> list:
    """Ids to try: objects about persons the actor sees first, then any."""
    fields = {f.name for f in model._meta.get_fields()}
    qs = model.objects.order_by("pk")
    preferred = qs.none()
    if "person" in fields:
        preferred = qs.filter(person_id__in=visible)
    elif "case" in fields:
        preferred = qs.filter(case_id__in=cases)
    elif model is Membership and actor is not None and actor.organisation is not None:
        preferred = qs.filter(organisation=actor.organisation)
    if model is Person:
        preferred = qs.filter(pk__in=visible)
    picked = list(preferred.values_list("pk", flat=True)[:SAMPLES])
    for pk in qs.values_list("pk", flat=True)[:SAMPLES]:
        if pk not in picked:
            picked.append(pk)
    return picked


def _values(name: str, param: str, actor, visible, cases) -> list:
    if param in ("fmt", "file_format"):
        return ["csv", "xlsx", "json"]
    if param == "slug":
        return list(_model("events.Event").objects.values_list("slug", flat=True)[:SAMPLES])
    if param == "token":
        survey = _model("surveys.Survey")
        field = "token" if any(f.name == "token" for f in survey._meta.fields) else "pk"
        return list(survey.objects.values_list(field, flat=True)[:SAMPLES])
    if param == "receipt":
        return list(_model("kaa.Notice").objects.values_list("receipt", flat=True)[:SAMPLES])
    if param == "grant_id":
        return _ids(GRANT_MODELS.get(name, RoleGrant), actor, visible, cases)
    if param == "pk":
        for prefix, label in PK_MODELS.items():
            if name.split(":")[-1].startswith(prefix):
                return _ids(_model(label), actor, visible, cases)
        return []
    if param == "object_id" and name.startswith("admin:"):
        app_model = name.split(":")[1].rsplit("_", 1)[0]
        app_label, _, model_name = app_model.partition("_")
        try:
            return _ids(_model(f"{app_label}.{model_name}"), actor, visible, cases)[:1]
        except LookupError:
            return []
    if param == "content_type_id":
        return []
    label = PARAM_MODELS.get(param)
    return _ids(_model(label), actor, visible, cases) if label else []


def _urls(actor: Actor | None) -> list[tuple[str, str]]:
    visible: set[int] = set()
    cases: set[int] = set()
    if actor is not None and purpose_for(actor):
        visible = set(
            PersonPolicy(actor).persons(purpose=purpose_for(actor)).values_list("pk", flat=True)
        )
        cases = set(CasePolicy(actor).cases().values_list("pk", flat=True))
    urls = []
    for name, params in _routes():
        if not params:
            with contextlib.suppress(NoReverseMatch):
                urls.append((name, reverse(name)))
            continue
        choices = [_values(name, p, actor, visible, cases) for p in params]
        if any(not c for c in choices):
            continue
        # One URL per sample of the last parameter; the others take their first value.
        # A nested route (a measure under a person) gets a matching parent where it can.
        for last in choices[-1]:
            kwargs = {p: c[0] for p, c in zip(params[:-1], choices[:-1], strict=True)}
            kwargs[params[-1]] = last
            _match_parent(params, kwargs)
            try:
                urls.append((name, reverse(name, kwargs=kwargs)))
            except NoReverseMatch:
                continue
    return urls


def _match_parent(params: list[str], kwargs: dict) -> None:
    if len(params) < 2 or params[0] not in ("person_id", "case_id"):
        return
    label = PARAM_MODELS.get(params[-1])
    if not label:
        return
    obj = _model(label).objects.filter(pk=kwargs[params[-1]]).first()
    attr = params[0]
    if obj is not None and hasattr(obj, attr):
        kwargs[attr] = getattr(obj, attr)
    elif obj is not None and attr == "person_id" and hasattr(obj, "measure"):
        kwargs[attr] = obj.measure.person_id


def _actor_of(user: User) -> Actor | None:
    if user.person_id:
        return Actor.for_young_person(user)
    memberships = list(Membership.objects.filter(user=user).select_related("organisation"))
    return Actor.for_membership(memberships[0]) if len(memberships) == 1 else None


def _shown_persons(content: str, people: dict[str, int]) -> set[int]:
    # Whole words only: "Ebba Lind" is not shown by "Ebba Lindberg".
    return {
        pid
        for needle, pid in people.items()
        if needle in content and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", content)
    }


def _person_needles() -> dict[str, int]:
    """Full names that belong to one person only, and personnummer in both spellings."""
    from lotsen.events.models import Registration
    from lotsen.people.models import Guardian

    names = Counter(p.full_name for p in Person.objects.all())
    # Names that staff, guardians or event registrants also carry prove nothing.
    others = {u.get_full_name() for u in User.objects.filter(person__isnull=True)}
    others |= set(Guardian.objects.values_list("name", flat=True))
    others |= set(Registration.objects.values_list("name", flat=True))
    needles = {}
    for person in Person.objects.all():
        if names[person.full_name] == 1 and person.full_name not in others:
            needles[person.full_name] = person.pk
        needles[person.personal_identity_number] = person.pk
        needles[person.identity_number_display] = person.pk
    return needles


def _crawl(client, username: str, needles: dict[str, int]) -> tuple[set[str], list[str]]:
    user = User.objects.get(username=username)
    client.force_login(user)
    actor = _actor_of(user)
    own = user.person_id
    problems, ok = [], set()
    for name, url in _urls(actor):
        before = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = client.get(url)
        written = list(
            AccessLogEntry.objects.filter(id__gt=before).values_list("person_id", "purpose")
        )
        twice = [pair for pair, n in Counter(written).items() if n > 1]
        if twice:
            problems.append(f"{username} {url} ({name}): logged twice {twice}")
        if response.status_code != 200 or getattr(response, "streaming", False):
            continue
        ok.add(name)
        content = response.content.decode("utf-8", errors="replace")
        logged = {pid for pid, _purpose in written}
        shown = _shown_persons(content, needles) - logged
        # The young person's own name in the page header of their own pages is theirs.
        shown.discard(own)
        if shown:
            where = [n for n, pid in needles.items() if pid in shown][:1]
            at = content.find(where[0]) if where else -1
            context = content[max(0, at - 120) : at + 40].replace("\n", " ")
            problems.append(
                f"{username} {url} ({name}): shows persons {sorted(shown)} unlogged: …{context}"
            )
    return ok, problems


def test_every_page_as_every_role_logs_each_person_once_and_everyone_shown(client, demo):
    needles = _person_needles()
    problems, unreached = [], {}
    for username in ROLES:
        ok, found = _crawl(client, username, needles)
        problems += found
        if MUST_SEE[username] - ok:
            unreached[username] = sorted(MUST_SEE[username] - ok)
        client.logout()
    # The crawl reached the pages that matter for each role (it could silently shrink).
    assert unreached == {}
    assert problems == [], "\n".join(problems)


# --- Regressions: the pages the probe counted ---------------------------------------------


def _log_after(before: int):
    return AccessLogEntry.objects.filter(id__gt=before)


def _head() -> int:
    return AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_person_page_writes_one_entry_listing_what_was_shown(client, demo):
    from lotsen.support.models import Case

    case = Case.objects.filter(owner__name="Socialtjänsten i Exempelkommun").first() or (
        Case.objects.first()
    )
    mentor = User.objects.get(username="mentorgy")
    actor = _actor_of(mentor)
    person = (
        PersonPolicy(actor)
        .persons(purpose=purpose_for(actor))
        .filter(pk__in=Case.objects.values("person_id"))
        .first()
        or PersonPolicy(actor).persons(purpose=purpose_for(actor)).first()
    )
    assert case is not None and person is not None
    client.force_login(mentor)
    before = _head()
    response = client.get(reverse("web:person_detail", kwargs={"person_id": person.pk}))
    assert response.status_code == 200
    entries = list(_log_after(before))
    assert [(e.person_id, e.object_type) for e in entries] == [(person.pk, "person")]
    assert f"person:{person.pk}" in entries[0].shown
    assert f"school_overview:{person.pk}" in entries[0].shown


def test_case_page_writes_one_entry(client, demo):
    from lotsen.support.models import Case

    coach = User.objects.get(username="coach")
    case = CasePolicy(_actor_of(coach)).cases().first()
    assert case is not None
    client.force_login(coach)
    before = _head()
    response = client.get(reverse("support:case_detail", kwargs={"case_id": case.pk}))
    assert response.status_code == 200
    entries = list(_log_after(before))
    assert [e.person_id for e in entries] == [case.person_id]
    assert f"case:{case.pk}" in entries[0].shown
    assert isinstance(Case.objects.get(pk=case.pk), Case)


def test_participants_page_writes_one_entry_per_participant(client, demo):
    from lotsen.programmes.models import Participation, SubProject

    leader = User.objects.get(username="projektledare")
    org = Membership.objects.get(user=leader).organisation
    subproject = (
        SubProject.objects.filter(lead_organisation=org).first()
        or SubProject.objects.filter(programme__lead_organisation=org).first()
    )
    assert subproject is not None
    participants = set(
        Participation.objects.filter(subproject=subproject).values_list("person_id", flat=True)
    )
    assert len(participants) > 1
    client.force_login(leader)
    before = _head()
    response = client.get(
        reverse("programmes:participants", kwargs={"subproject_id": subproject.pk})
    )
    assert response.status_code == 200
    logged = Counter(_log_after(before).values_list("person_id", flat=True))
    assert set(logged) == participants
    assert set(logged.values()) == {1}


def _refuse_log_inserts() -> None:
    """The database refuses new log entries (inside the test's transaction only)."""
    table = AccessLogEntry._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute(
                f"CREATE TRIGGER test_log_down BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'log down'); END;"
            )
        else:
            cur.execute(
                "CREATE FUNCTION test_log_down() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'log down'; END; $$ LANGUAGE plpgsql;"
            )
            cur.execute(
                f"CREATE TRIGGER test_log_down BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION test_log_down();"
            )


def test_a_failed_log_write_turns_the_response_into_an_error(client, demo):
    """Data that cannot be logged is not shown."""
    coach = User.objects.get(username="coach")
    case = CasePolicy(_actor_of(coach)).cases().select_related("person").first()
    client.force_login(coach)
    url = reverse("support:case_detail", kwargs={"case_id": case.pk})
    assert case.person.full_name in client.get(url).content.decode()
    _refuse_log_inserts()
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code == 500
    assert case.person.full_name not in response.content.decode()
