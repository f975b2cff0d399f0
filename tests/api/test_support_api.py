"""The support API: the same services, policy and access log as the staff pages.

The people in these tests: a mentor at a school with a pupil, and a case worker at social
services whom the pupil has consented may take part in the support.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind, Role
from lotsen.earlywarning.models import SignalStatus
from lotsen.pages import validators
from lotsen.privacy.models import AccessLogEntry, Action, Purpose
from lotsen.privacy.services import consent_record, consent_withdraw
from lotsen.support import api as api_module
from lotsen.support import services
from lotsen.support.models import (
    Case,
    CaseStatus,
    Contact,
    Plan,
    PlanAction,
    Referral,
    TeamMember,
)
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    OrganisationFactory,
    SchoolUnitFactory,
    SignalFactory,
    UserFactory,
    consent_create,
)

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"
REFERRALS = "/api/v1/referrals/"


def client_for(membership_or_user) -> APIClient:
    client = APIClient()
    client.force_login(getattr(membership_or_user, "user", membership_or_user))
    return client


@pytest.fixture
def school():
    return SchoolUnitFactory(name="Norra gymnasiet")


@pytest.fixture
def social():
    return OrganisationFactory(name="Socialtjänsten", kind=OrganisationKind.SOCIAL_SERVICES)


@pytest.fixture
def mentor(school):
    return MembershipFactory(organisation=school, role=Role.MENTOR)


@pytest.fixture
def case_worker(social):
    return MembershipFactory(organisation=social, role=Role.CASE_WORKER)


@pytest.fixture
def pupil(school):
    return EnrolmentFactory(school_unit=school, school_type="GY", school_year=1).person


@pytest.fixture
def consent(mentor, pupil, social):
    # Recorded by the mentor, as on the person page: the school then sees the consent.
    return consent_record(
        actor=Actor.for_membership(mentor),
        person=pupil,
        purpose=Purpose.SCHOOL,
        given_by="young_person",
        organisations=[social],
        categories=["support"],
        given_on=timezone.localdate() - dt.timedelta(days=1),
    )


@pytest.fixture
def case(mentor, pupil):
    return services.case_open(
        actor=Actor.for_membership(mentor), person=pupil, target_groups=["dropout"]
    )


def log_entries(**filters):
    return list(
        AccessLogEntry.objects.filter(**filters)
        .order_by("id")
        .values_list("person_id", "action", "object_type")
    )


def send_referral(mentor, case, social, consent) -> dict:
    response = client_for(mentor).post(
        REFERRALS,
        {
            "case": case.pk,
            "to_organisation": social.pk,
            "consent": consent.pk,
            "message": "Behöver stöd hemma.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


# --- Cases -------------------------------------------------------------------------------


def test_anonymous_callers_are_refused(case):
    # No session and no token: 401, with the Bearer challenge (lotsen.apiclients).
    assert APIClient().get(CASES).status_code == 401
    assert APIClient().get(f"{CASES}{case.pk}/").status_code == 401


def test_open_read_and_close_a_case(mentor, pupil, school):
    api = client_for(mentor)
    created = api.post(
        CASES, {"person": pupil.pk, "target_groups": ["dropout", "no_diploma"]}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["case"]["person"] == {
        "id": pupil.pk,
        "given_name": pupil.given_name,
        "family_name": pupil.family_name,
    }
    assert body["case"]["owner"]["id"] == school.pk
    assert body["case"]["status"] == "open" and body["case"]["origin"] == "manual"
    assert body["case"]["target_groups"] == ["dropout", "no_diploma"]
    assert body["is_owner"] is True
    assert [(m["organisation"]["id"], m["user"]["id"], m["role"]) for m in body["team"]] == [
        (school.pk, mentor.user.pk, "contact_person")
    ]
    assert body["plan"]["version"] == 1 and body["plan"]["goals"] == 0

    case_id = body["case"]["id"]
    assert [row["id"] for row in api.get(CASES).json()] == [case_id]
    assert api.get(f"{CASES}{case_id}/").json()["case"]["id"] == case_id

    closed = api.post(
        f"{CASES}{case_id}/close/", {"reason": "in_studies", "outcome": "Går vidare"}, format="json"
    )
    assert closed.status_code == 200, closed.json()
    assert closed.json()["case"]["status"] == "closed"
    assert closed.json()["case"]["closed_on"] == timezone.localdate().isoformat()
    assert Case.objects.get(pk=case_id).close_reason == "in_studies"

    assert api.get(CASES).json() == []  # open cases by default
    assert [row["id"] for row in api.get(CASES, {"status": "closed"}).json()] == [case_id]
    assert [row["id"] for row in api.get(CASES, {"status": "all"}).json()] == [case_id]
    assert api.get(CASES, {"status": "paused"}).status_code == 400

    again = api.post(f"{CASES}{case_id}/close/", {"reason": "in_studies"}, format="json")
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": [services.ERROR_CASE_CLOSED]}


def test_bad_input_names_the_field_and_writes_nothing(mentor, pupil, case):
    api = client_for(mentor)
    stranger = EnrolmentFactory().person  # a pupil at another school
    invisible = api.post(CASES, {"person": stranger.pk, "target_groups": ["dropout"]}, "json")
    missing = api.post(CASES, {"person": stranger.pk + 999, "target_groups": ["dropout"]}, "json")
    assert invisible.status_code == missing.status_code == 400
    assert invisible.json() == missing.json() == {"person": [services.ERROR_PERSON_NOT_VISIBLE]}

    duplicate = api.post(CASES, {"person": pupil.pk, "target_groups": ["dropout"]}, "json")
    assert duplicate.json() == {"person": [services.ERROR_CASE_EXISTS]}
    assert api.post(CASES, {"person": pupil.pk, "target_groups": []}, "json").json() == {
        "target_groups": [services.ERROR_TARGET_GROUPS]
    }
    assert (
        "target_groups"
        in api.post(CASES, {"person": pupil.pk, "target_groups": ["x"]}, "json").json()
    )

    # Tomorrow passes the input's window (a caller's time zone) and meets the service's
    # rule; later is refused as input, naming the field.
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    close = api.post(f"{CASES}{case.pk}/close/", {"reason": "moved", "closed_on": tomorrow}, "json")
    assert close.json() == {"closed_on": [services.ERROR_DATE_FUTURE]}
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    close = api.post(f"{CASES}{case.pk}/close/", {"reason": "moved", "closed_on": future}, "json")
    assert close.json() == {
        "closed_on": [validators.ERROR_DATE_IN_FUTURE.format(field="Avslutat den")]
    }
    assert "reason" in api.post(f"{CASES}{case.pk}/close/", {"reason": "bored"}, "json").json()
    assert Case.objects.count() == 1
    assert Case.objects.get().status == CaseStatus.OPEN


def test_a_case_opened_from_a_signal_takes_the_signal_on(mentor, pupil, school):
    signal = SignalFactory(person=pupil, school_unit=school)
    api = client_for(mentor)
    response = api.post(CASES, {"signal": signal.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["case"]["origin"] == "signal"
    assert response.json()["case"]["person"]["id"] == pupil.pk
    assert Case.objects.get().signal_id == signal.pk
    signal.refresh_from_db()
    assert signal.status == SignalStatus.ACTION_RECORDED  # it no longer waits on the list

    foreign = SignalFactory()
    assert api.post(CASES, {"signal": foreign.pk}, format="json").json() == {
        "signal": [api_module.ERROR_SIGNAL_UNKNOWN]
    }
    other = EnrolmentFactory(school_unit=school, school_type="GY").person
    mismatch = api.post(CASES, {"signal": signal.pk, "person": other.pk}, format="json")
    assert mismatch.json() == {"person": [api_module.ERROR_SIGNAL_PERSON]}
    assert Case.objects.count() == 1


def test_only_the_owner_closes_and_a_young_person_only_reads(case, pupil):
    young = UserFactory(person=pupil)
    api = client_for(young)
    assert [row["id"] for row in api.get(CASES).json()] == [case.pk]
    refused = api.post(f"{CASES}{case.pk}/close/", {"reason": "declined"}, format="json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": services.ERROR_ROLE}


def test_the_case_list_does_not_grow_queries_with_its_length(
    mentor, school, django_assert_num_queries
):
    actor = Actor.for_membership(mentor)

    def open_cases(n):
        for _ in range(n):
            person = EnrolmentFactory(school_unit=school, school_type="GY").person
            services.case_open(actor=actor, person=person, target_groups=["dropout"])

    api = client_for(mentor)
    open_cases(2)
    api.get(CASES)  # the session and the actor warm up
    with CaptureQueriesContext(connection) as few:
        assert len(api.get(CASES).json()) == 2
    open_cases(4)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(api.get(CASES).json()) == 6


# --- The plan ----------------------------------------------------------------------------


def test_two_users_saving_the_same_plan_lose_no_update(case, school):
    first = client_for(MembershipFactory(organisation=school, role=Role.MENTOR))
    second = client_for(MembershipFactory(organisation=school, role=Role.COUNSELLOR))
    url = f"{CASES}{case.pk}/plan/"
    goal = first.post(f"{url}goals/", {"text": "Klara matematik 1"}, format="json").json()
    version = first.get(url).json()["version"]
    assert second.get(url).json()["version"] == version

    saved = first.put(
        url,
        {
            "version": version,
            "own_goal": "Jag vill bli elektriker",
            "lead_party": "",
            "goal_statuses": {str(goal["id"]): "in_progress"},
        },
        format="json",
    )
    assert saved.status_code == 200, saved.json()
    assert saved.json()["version"] == version + 1

    conflict = second.put(
        url,
        {"version": version, "own_goal": "Något annat", "lead_party": "social_services"},
        format="json",
    )
    assert conflict.status_code == 409
    body = conflict.json()
    assert {(c["field"], c["theirs"]) for c in body["changes"]} == {
        ("own_goal", "Jag vill bli elektriker"),
        (f"goal_{goal['id']}", "Pågår"),
    }
    assert body["current"]["version"] == version + 1
    assert body["current"]["own_goal"] == "Jag vill bli elektriker"
    plan = Plan.objects.get(case=case)
    assert (plan.own_goal, plan.lead_party, plan.version) == (
        "Jag vill bli elektriker",
        "",
        version + 1,
    )

    # Having seen what changed, the second user saves on top of it.
    retried = second.put(
        url,
        {
            "version": body["current"]["version"],
            "own_goal": "Jag vill bli elektriker",
            "lead_party": "social_services",
        },
        format="json",
    )
    assert retried.status_code == 200
    assert retried.json()["lead_party"] == "social_services"
    assert retried.json()["goals"][0]["status"] == "in_progress"


def test_plan_input_errors_name_the_field(mentor, case):
    api = client_for(mentor)
    url = f"{CASES}{case.pk}/plan/"
    version = api.get(url).json()["version"]
    other = services.case_open(
        actor=Actor.for_membership(mentor),
        person=EnrolmentFactory(school_unit=mentor.organisation, school_type="GY").person,
        target_groups=["dropout"],
    )
    foreign_goal = services.goal_add(
        actor=Actor.for_membership(mentor), case=other, text="Ett annat mål"
    )
    wrong_goal = api.put(
        url,
        {
            "version": version,
            "own_goal": "",
            "lead_party": "",
            "goal_statuses": {str(foreign_goal.pk): "reached"},
        },
        format="json",
    )
    assert wrong_goal.status_code == 400
    assert wrong_goal.json() == {
        "goal_statuses": {str(foreign_goal.pk): [services.ERROR_GOAL_NOT_IN_PLAN]}
    }
    assert (
        "lead_party"
        in api.put(url, {"version": version, "own_goal": "", "lead_party": "x"}, "json").json()
    )
    assert (
        "goal_statuses"
        in api.put(
            url,
            {
                "version": version,
                "own_goal": "",
                "lead_party": "",
                "goal_statuses": {"a": "reached"},
            },
            "json",
        ).json()
    )
    assert Plan.objects.get(case=case).version == version


def test_goals_and_actions(mentor, case, school, social):
    api = client_for(mentor)
    url = f"{CASES}{case.pk}/plan/"
    version = api.get(url).json()["version"]
    goal = api.post(
        f"{url}goals/", {"text": "Godkänt i svenska", "target_date": "2030-06-01"}, "json"
    )
    assert goal.status_code == 201, goal.json()
    assert goal.json()["status"] == "not_started"
    # A new goal is a change a concurrent plan form would otherwise overwrite.
    assert api.get(url).json()["version"] == version + 1

    follow_up = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    created = api.post(
        f"{url}actions/",
        {
            "text": "Läxhjälp två gånger i veckan",
            "responsible_organisation": school.pk,
            "responsible_user": mentor.user.pk,
            "follow_up_on": follow_up,
            "goal": goal.json()["id"],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    action = created.json()
    assert action["responsible_organisation"]["id"] == school.pk
    assert action["responsible_user"]["id"] == mentor.user.pk
    assert action["goal"] == goal.json()["id"] and action["done_on"] is None

    not_on_team = api.post(
        f"{url}actions/",
        {"text": "Samtal", "responsible_organisation": social.pk, "follow_up_on": follow_up},
        format="json",
    )
    assert not_on_team.json() == {"responsible_organisation": [services.ERROR_RESPONSIBLE_ORG]}
    outsider = UserFactory()
    wrong_user = api.post(
        f"{url}actions/",
        {
            "text": "Samtal",
            "responsible_organisation": school.pk,
            "responsible_user": outsider.pk,
            "follow_up_on": follow_up,
        },
        format="json",
    )
    assert wrong_user.json() == {
        "responsible_user": [services.ERROR_USER_NOT_IN_ORG.format(organisation=school)]
    }

    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    done_url = f"{url}actions/{action['id']}/done/"
    assert api.post(done_url, {"done_on": future}, format="json").json() == {
        "done_on": [services.ERROR_DATE_FUTURE]
    }
    done = api.post(done_url, {}, format="json")
    assert done.status_code == 200
    assert done.json()["done_on"] == timezone.localdate().isoformat()
    assert PlanAction.objects.get(pk=action["id"]).done_on == timezone.localdate()
    plan = api.get(url).json()
    assert [g["text"] for g in plan["goals"]] == ["Godkänt i svenska"]
    assert [a["id"] for a in plan["actions"]] == [action["id"]]

    # An action of another case is not found through this case.
    other = services.case_open(
        actor=Actor.for_membership(mentor),
        person=EnrolmentFactory(school_unit=school, school_type="GY").person,
        target_groups=["dropout"],
    )
    assert (
        api.post(f"{CASES}{other.pk}/plan/actions/{action['id']}/done/", {}, "json").status_code
        == 404
    )


def test_contacts_are_listed_and_recorded(mentor, case):
    api = client_for(mentor)
    url = f"{CASES}{case.pk}/contacts/"
    assert api.get(url).json() == []
    today = timezone.localdate().isoformat()
    created = api.post(
        url,
        {"date": today, "channel": "phone", "reached": False, "note": "Inget svar"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    listed = api.get(url).json()
    assert [(c["id"], c["channel"], c["reached"], c["note"]) for c in listed] == [
        (created.json()["id"], "phone", False, "Inget svar")
    ]
    assert listed[0]["staff"]["id"] == mentor.user.pk
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    assert api.post(url, {"date": future, "channel": "sms", "reached": True}, "json").json() == {
        "date": [validators.ERROR_DATE_IN_FUTURE.format(field="Datum")]
    }
    assert (
        "channel"
        in api.post(url, {"date": today, "channel": "dove", "reached": True}, "json").json()
    )
    assert len(api.get(url).json()) == 1


# --- Referrals ---------------------------------------------------------------------------


def test_referral_flow_adds_the_receiver_to_the_team(mentor, case_worker, case, social, consent):
    referral = send_referral(mentor, case, social, consent)
    assert referral["status"] == "pending"
    assert referral["to_organisation"]["id"] == social.pk

    receiver = client_for(case_worker)
    received = receiver.get(REFERRALS, {"box": "received"}).json()
    assert [(r["id"], r["person"]["id"]) for r in received] == [(referral["id"], case.person_id)]
    assert receiver.get(REFERRALS, {"box": "sent"}).json() == []
    # Before accepting, the receiver sees the referral but not the case.
    assert receiver.get(f"{CASES}{case.pk}/").status_code == 404

    accepted = receiver.post(f"{REFERRALS}{referral['id']}/accept/")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "accepted"
    detail = receiver.get(f"{CASES}{case.pk}/")
    assert detail.status_code == 200
    assert detail.json()["is_owner"] is False
    assert (social.pk, case_worker.user.pk) in {
        (m["organisation"]["id"], m["user"]["id"]) for m in detail.json()["team"]
    }
    # Now on the team, social services can put its own action in the plan.
    action = receiver.post(
        f"{CASES}{case.pk}/plan/actions/",
        {
            "text": "Samtal med familjen",
            "responsible_organisation": social.pk,
            "follow_up_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        },
        format="json",
    )
    assert action.status_code == 201, action.json()
    sent = client_for(mentor).get(REFERRALS, {"box": "sent"}).json()
    assert [(r["id"], r["status"]) for r in sent] == [(referral["id"], "accepted")]
    assert receiver.post(f"{REFERRALS}{referral['id']}/accept/").json() == {
        "non_field_errors": [services.ERROR_REFERRAL_PENDING]
    }


def test_declining_and_revoking_belong_to_receiver_and_sender(
    mentor, case_worker, case, social, consent
):
    sender, receiver = client_for(mentor), client_for(case_worker)
    first = send_referral(mentor, case, social, consent)
    url = f"{REFERRALS}{first['id']}/"
    assert receiver.post(f"{url}decline/", {"decline_reason": " "}, "json").status_code == 400
    assert sender.post(f"{url}decline/", {"decline_reason": "Nej"}, "json").json() == {
        "detail": services.ERROR_REFERRAL_RECEIVER
    }
    assert receiver.post(f"{url}revoke/").json() == {"detail": services.ERROR_REFERRAL_SENDER}
    declined = receiver.post(f"{url}decline/", {"decline_reason": "Inte vårt uppdrag"}, "json")
    assert declined.status_code == 200
    assert (declined.json()["status"], declined.json()["decline_reason"]) == (
        "declined",
        "Inte vårt uppdrag",
    )

    second = send_referral(mentor, case, social, consent)
    revoked = sender.post(f"{REFERRALS}{second['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert receiver.post(f"{REFERRALS}{second['id']}/accept/").status_code == 400
    assert not TeamMember.objects.filter(case=case, organisation=social).exists()


def test_a_referral_needs_a_consent_naming_the_receiver(mentor, case, social, pupil):
    other = OrganisationFactory(kind=OrganisationKind.HEALTH_CARE)
    wrong = consent_create(person=pupil, organisations=[other], categories=["support"])
    api = client_for(mentor)
    body = {"case": case.pk, "to_organisation": social.pk, "message": "Hej"}
    expected = {"consent": [services.ERROR_REFERRAL_CONSENT.format(organisation=social)]}
    assert api.post(REFERRALS, {**body, "consent": wrong.pk}, "json").json() == expected
    assert api.post(REFERRALS, {**body, "consent": wrong.pk + 99}, "json").json() == expected
    assert (
        api.post(
            REFERRALS, {**body, "to_organisation": 10**6, "consent": wrong.pk}, "json"
        ).status_code
        == 400
    )
    assert Referral.objects.count() == 0


# --- The door ----------------------------------------------------------------------------


def test_a_foreign_case_is_the_same_404_as_a_missing_one(mentor, case):
    other_school = SchoolUnitFactory()
    other_mentor = MembershipFactory(organisation=other_school, role=Role.MENTOR)
    foreign = services.case_open(
        actor=Actor.for_membership(other_mentor),
        person=EnrolmentFactory(school_unit=other_school, school_type="GY").person,
        target_groups=["dropout"],
    )
    missing = foreign.pk + 1000
    api = client_for(mentor)
    before = AccessLogEntry.objects.count()
    today = timezone.localdate().isoformat()
    probes = [
        ("get", "{}/", None),
        ("get", "{}/plan/", None),
        ("get", "{}/contacts/", None),
        ("post", "{}/close/", {"reason": "moved"}),
        ("put", "{}/plan/", {"version": 1, "own_goal": "x", "lead_party": ""}),
        ("post", "{}/plan/goals/", {"text": "Mål"}),
        ("post", "{}/contacts/", {"date": today, "channel": "sms", "reached": True}),
    ]
    for method, path, body in probes:
        answers = [
            getattr(api, method)(CASES + path.format(case_id), body, format="json")
            for case_id in (foreign.pk, missing)
        ]
        assert [a.status_code for a in answers] == [404, 404], (method, path)
        assert answers[0].json() == answers[1].json()
    referral = api.post(
        REFERRALS,
        {
            "case": foreign.pk,
            "to_organisation": mentor.organisation.pk,
            "consent": 1,
            "message": "x",
        },
        format="json",
    )
    assert referral.status_code == 400
    assert AccessLogEntry.objects.count() == before  # nothing was read
    assert Case.objects.get(pk=foreign.pk).status == CaseStatus.OPEN


def test_withdrawn_consent_ends_access_on_the_next_request(
    mentor, case_worker, case, social, consent, pupil
):
    referral = send_referral(mentor, case, social, consent)
    receiver = client_for(case_worker)
    assert receiver.post(f"{REFERRALS}{referral['id']}/accept/").status_code == 200
    assert receiver.get(f"{CASES}{case.pk}/").status_code == 200

    young = Actor.for_young_person(UserFactory(person=pupil))
    consent_withdraw(actor=young, consent=consent, purpose=Purpose.SELF)

    withdrawn = receiver.get(f"{CASES}{case.pk}/")
    missing = receiver.get(f"{CASES}{case.pk + 1000}/")
    assert withdrawn.status_code == missing.status_code == 404
    assert withdrawn.json() == missing.json()
    assert receiver.get(f"{CASES}{case.pk}/plan/").status_code == 404
    assert receiver.get(f"{REFERRALS}{referral['id']}/").status_code == 404
    assert receiver.get(CASES).json() == []
    assert receiver.get(REFERRALS).json() == []
    # The owner still works in the case, and sees that the consent was withdrawn.
    owner_view = client_for(mentor).get(f"{CASES}{case.pk}/").json()
    assert owner_view["withdrawn_consents"] == 1


def test_every_read_logs_one_entry_per_person(mentor, case, school, social, consent, pupil):
    second = services.case_open(
        actor=Actor.for_membership(mentor),
        person=EnrolmentFactory(school_unit=school, school_type="GY").person,
        target_groups=["neet"],
    )
    referral = send_referral(mentor, case, social, consent)
    api = client_for(mentor)
    reads = [
        (CASES, "case_list", {pupil.pk, second.person_id}),
        (f"{CASES}{case.pk}/", "case", {pupil.pk}),
        (f"{CASES}{case.pk}/plan/", "case", {pupil.pk}),
        (f"{CASES}{second.pk}/contacts/", "case", {second.person_id}),
        (REFERRALS, "referral_list", {pupil.pk}),
        (f"{REFERRALS}{referral['id']}/", "referral", {pupil.pk}),
    ]
    for url, object_type, persons in reads:
        last = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first()
        assert api.get(url).status_code == 200
        entries = log_entries(id__gt=last)
        assert sorted(entries) == sorted((p, Action.VIEW, object_type) for p in persons), url
    # The log names who read it: the mentor, in the school.
    assert set(
        AccessLogEntry.objects.filter(action=Action.VIEW).values_list(
            "actor_user_id", "organisation_id"
        )
    ) == {(mentor.user.pk, school.pk)}


def test_the_openapi_schema_documents_the_support_endpoints(mentor):
    schema = (
        client_for(mentor)
        .get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        .json()
    )
    paths = schema["paths"]
    assert {
        "/api/v1/cases/",
        "/api/v1/cases/{id}/",
        "/api/v1/cases/{id}/close/",
        "/api/v1/cases/{id}/plan/",
        "/api/v1/cases/{id}/plan/goals/",
        "/api/v1/cases/{id}/plan/actions/",
        "/api/v1/cases/{id}/plan/actions/{action_id}/done/",
        "/api/v1/cases/{id}/contacts/",
        "/api/v1/referrals/",
        "/api/v1/referrals/{id}/",
        "/api/v1/referrals/{id}/accept/",
        "/api/v1/referrals/{id}/decline/",
        "/api/v1/referrals/{id}/revoke/",
    } <= set(paths)
    put = paths["/api/v1/cases/{id}/plan/"]["put"]
    assert {"200", "400", "403", "404", "409"} <= set(put["responses"])
    assert put["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PlanConflict"
    }


def test_a_referral_sent_onward_is_lost_with_the_consent(
    mentor, case_worker, case, social, consent, pupil
):
    health = OrganisationFactory(kind=OrganisationKind.HEALTH_CARE)
    to_health = consent_create(person=pupil, organisations=[health], categories=["support"])
    first = send_referral(mentor, case, social, consent)
    receiver = client_for(case_worker)
    assert receiver.post(f"{REFERRALS}{first['id']}/accept/").status_code == 200
    onward = receiver.post(
        REFERRALS,
        {
            "case": case.pk,
            "to_organisation": health.pk,
            "consent": to_health.pk,
            "message": "Om hälsan",
        },
        format="json",
    ).json()
    consent_withdraw(
        actor=Actor.for_young_person(UserFactory(person=pupil)),
        consent=consent,
        purpose=Purpose.SELF,
    )
    assert receiver.get(f"{REFERRALS}{onward['id']}/").status_code == 404
    assert receiver.get(REFERRALS).json() == []


# --- Bad input (issue 10 item 7) -----------------------------------------------------------


def test_a_contact_dated_year_one_is_refused(mentor, case):
    """The probe recorded a contact dated 0001-01-01: accepted and stored."""
    api = client_for(mentor)
    url = f"{CASES}{case.pk}/contacts/"
    refused = api.post(url, {"date": "0001-01-01", "channel": "phone", "reached": True}, "json")
    assert refused.status_code == 400
    assert refused.json() == {
        "date": [validators.ERROR_DATE_TOO_EARLY.format(field="Datum", earliest="1900-01-01")]
    }
    assert api.get(url).json() == []


def test_a_follow_up_in_year_9999_is_refused(mentor, case, school):
    api = client_for(mentor)
    refused = api.post(
        f"{CASES}{case.pk}/plan/actions/",
        {"text": "Samtal", "responsible_organisation": school.pk, "follow_up_on": "9999-12-31"},
        format="json",
    )
    assert refused.status_code == 400
    latest = validators.latest_date(validators.PLANNED).isoformat()
    assert refused.json() == {
        "follow_up_on": [
            validators.ERROR_DATE_TOO_LATE.format(field="Följs upp den", latest=latest)
        ]
    }
    assert not PlanAction.objects.exists()


@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_deeply_nested_json_is_a_400_naming_the_path(mentor, case, depth):
    """Deep nesting gave 500 (RecursionError inside json) on every write endpoint."""
    api = client_for(mentor)
    body = b'{"note": ' + b"[" * depth + b"]" * depth + b"}"
    response = api.post(f"{CASES}{case.pk}/contacts/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "JSON-dokumentet är nästlat djupare än 8 nivåer: vid "
        "$.note[0][0][0][0][0][0][0] (rad 1, kolumn 17)."
    }
    assert not Contact.objects.exists()


def test_unknown_fields_are_refused_not_dropped(mentor, case):
    api = client_for(mentor)
    today = timezone.localdate().isoformat()
    response = api.post(
        f"{CASES}{case.pk}/contacts/",
        {"date": today, "channel": "sms", "reached": True, "notes": "stavat fel"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"notes": ["Okänt fält."]}
    assert not Contact.objects.exists()


def test_accept_and_revoke_take_no_body(mentor, case_worker, case, social, consent):
    referral = send_referral(mentor, case, social, consent)
    receiver = client_for(case_worker)
    url = f"{REFERRALS}{referral['id']}/accept/"
    assert receiver.post(url, {"user": 1}, format="json").json() == {"user": ["Okänt fält."]}
    assert receiver.post(url, b"[" * 50_000, content_type="application/json").status_code == 400
    assert Referral.objects.get(pk=referral["id"]).status == "pending"
    assert receiver.post(url).status_code == 200


def test_a_body_over_the_limit_is_413(mentor, case, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    api = client_for(mentor)
    response = api.post(
        f"{CASES}{case.pk}/contacts/",
        {"date": "2026-01-01", "channel": "sms", "reached": True, "note": "x" * 2000},
        format="json",
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "Anropet är för stort: högst 1000 byte."}
