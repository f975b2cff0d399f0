"""A minor's guardian and consent requests (issue 11): who the guardian reaches, for how
long, what a yes and a no record, and that every read is logged where the young person
sees it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.people.models import Guardian
from lotsen.privacy.accesslog import access_log_verify
from lotsen.privacy.models import AccessLogEntry, Action, Category, Consent, Purpose
from lotsen.privacy.policy import PersonPolicy
from lotsen.privacy.selectors import consent_list_for_person
from lotsen.youth import guardians
from lotsen.youth.models import ConsentRequestStatus
from lotsen.youth.selectors import youth_access_log
from tests.factories import OrganisationFactory, SchoolUnitFactory, UserFactory
from tests.youth.guardian_world import (
    GUARDIAN_NUMBER,
    OTHER_GUARDIAN_NUMBER,
    guardian_actor,
    guardian_of,
    minor,
    request_for,
    social_services,
    staff,
)

pytestmark = pytest.mark.django_db

EVIDENCE = guardians.LoginEvidence(
    provider="eid", subject="guardian-sub-1", session_id="sid-42", auth_time=1_790_000_000
)


# --- The age rule (pure) --------------------------------------------------------------------


def test_birthday_of_a_leap_day_child_is_first_of_march():
    assert guardians.birthday(dt.date(2008, 2, 29), 18) == dt.date(2026, 3, 1)
    assert guardians.birthday(dt.date(2008, 2, 28), 18) == dt.date(2026, 2, 28)


@pytest.mark.parametrize(
    ("today", "born", "adult"),
    [
        (dt.date(2026, 2, 28), dt.date(2008, 2, 29), False),
        (dt.date(2026, 3, 1), dt.date(2008, 2, 29), True),
        (dt.date(2028, 2, 29), dt.date(2010, 2, 28), True),
        (dt.date(2028, 2, 29), dt.date(2010, 3, 1), False),
        (dt.date(2026, 12, 3), dt.date(2008, 12, 3), True),
        (dt.date(2026, 12, 3), dt.date(2008, 12, 4), False),
    ],
)
def test_adult_cutoff_agrees_with_age_on(today, born, adult):
    assert (born <= guardians.adult_cutoff(today)) is adult


def test_guardian_until_takes_the_strictest_rule_of_those_named_and_never_passes_18():
    born = dt.date(2012, 5, 17)
    school = SchoolUnitFactory.build(guardian_consent_below_age=13)
    social = OrganisationFactory.build(guardian_consent_below_age=16)
    careless = OrganisationFactory.build(guardian_consent_below_age=21)
    no_rule = OrganisationFactory.build(guardian_consent_below_age=None)

    assert guardians.guardian_until(born=born, organisations=[school]) == dt.date(2025, 5, 17)
    assert guardians.guardian_until(born=born, organisations=[school, social]) == dt.date(
        2028, 5, 17
    )
    assert guardians.guardian_until(born=born, organisations=[careless]) == dt.date(2030, 5, 17)
    assert guardians.guardian_until(born=born, organisations=[no_rule]) == dt.date(2030, 5, 17)


# --- The guardian's number --------------------------------------------------------------------


def test_guardians_number_is_validated_and_stored_with_twelve_digits():
    person = minor()
    guardian = Guardian(person=person, name="Sara", personal_identity_number="780402-3184")
    guardian.personal_identity_number = f"{GUARDIAN_NUMBER[2:8]}-{GUARDIAN_NUMBER[8:]}"
    guardian.full_clean()
    assert guardian.personal_identity_number == GUARDIAN_NUMBER

    wrong = Guardian(person=person, name="Sara", personal_identity_number="197804023185")
    with pytest.raises(ValidationError) as exc:
        wrong.full_clean()
    assert "personal_identity_number" in exc.value.message_dict
    too_long = Guardian(person=person, name="Sara", personal_identity_number="1" * 13)
    with pytest.raises(ValidationError):
        too_long.full_clean()


# --- Asking ------------------------------------------------------------------------------------


def test_staff_ask_and_the_request_is_logged_with_their_purpose():
    social = social_services()
    coach = staff(social)
    child = minor(age=15)
    guardian_of(child)

    consent_request = request_for(child, asker=coach)

    assert consent_request.status == ConsentRequestStatus.OPEN
    assert consent_request.requested_in == social
    assert consent_request.guardian_until == guardians.birthday(child.date_of_birth, 18)
    entry = AccessLogEntry.objects.get(object_type="consent_request")
    assert (entry.person_id, entry.action, entry.purpose) == (child.pk, "create", "support")


@pytest.mark.parametrize(
    ("age", "limit", "error_field"),
    [(17, None, None), (16, 16, "organisations"), (18, None, "organisations"), (15, 16, None)],
)
def test_staff_ask_only_while_the_guardian_speaks_for_the_young_person(age, limit, error_field):
    social = social_services(guardian_consent_below_age=limit)
    child = minor(age=age)
    guardian_of(child)

    if error_field is None:
        assert request_for(child, asker=staff(social)).pk
    else:
        with pytest.raises(ValidationError) as exc:
            request_for(child, asker=staff(social))
        assert exc.value.message_dict[error_field] == [guardians.ERROR_REQUEST_NOT_MINOR]


def test_asking_needs_a_guardian_with_a_number_and_says_so():
    child = minor()
    Guardian.objects.create(person=child, name="Utan nummer")
    with pytest.raises(ValidationError) as exc:
        request_for(child, asker=staff(social_services()))
    assert guardians.ERROR_REQUEST_NO_GUARDIAN in exc.value.messages


def test_asking_names_each_bad_field():
    child = minor()
    guardian_of(child)
    with pytest.raises(ValidationError) as exc:
        guardians.consent_request_create(
            actor=staff(social_services()),
            person=child,
            organisations=[],
            categories=["identity", "nonsense"],
            purpose_text="kort",
        )
    assert set(exc.value.message_dict) == {"organisations", "categories", "purpose_text"}


@pytest.mark.parametrize("who", ["young_person", "guardian", "project_leader"])
def test_only_staff_who_reach_persons_may_ask(who):
    child = minor()
    guardian_of(child)
    if who == "young_person":
        actor = Actor.for_young_person(UserFactory(person=child))
    elif who == "guardian":
        actor = guardian_actor()
    else:
        actor = staff(social_services(), role=Role.PROJECT_LEADER)
    with pytest.raises(PermissionDenied):
        request_for(child, asker=actor, organisations=[social_services(name="Annan")])


# --- Whom the guardian reaches -----------------------------------------------------------------


def _visible(actor, *, today=None, purpose=Purpose.GUARDIAN, category=Category.IDENTITY):
    return set(
        PersonPolicy(actor, today=today)
        .persons(purpose=purpose, category=category)
        .values_list("pk", flat=True)
    )


def test_guardian_reaches_their_minor_with_a_request_and_nobody_else():
    social = social_services()
    coach = staff(social)
    child, sibling_without_request, stranger = minor(), minor(), minor()
    guardian_of(child)
    guardian_of(sibling_without_request)
    guardian_of(stranger, OTHER_GUARDIAN_NUMBER, "Annan Förälder")
    request_for(child, asker=coach)
    request_for(stranger, asker=coach)

    assert _visible(guardian_actor()) == {child.pk}
    assert _visible(guardian_actor(OTHER_GUARDIAN_NUMBER)) == {stranger.pk}


def test_guardian_reaches_nothing_but_identity_and_nothing_for_any_other_purpose():
    child = minor()
    guardian_of(child)
    request_for(child, asker=staff(social_services()))
    guardian = guardian_actor()

    for category in (Category.SCHOOL, Category.KAA, Category.SUPPORT, Category.HEALTH):
        assert _visible(guardian, category=category) == set()
    for purpose in (Purpose.SELF, Purpose.SUPPORT, Purpose.SCHOOL, Purpose.KAA, Purpose.EMERGENCY):
        assert _visible(guardian, purpose=purpose) == set()
    assert not PersonPolicy(guardian).may_see_contact_details(child)


def test_staff_and_young_people_reach_nobody_as_guardian():
    child = minor()
    guardian_of(child)
    social = social_services()
    request_for(child, asker=staff(social))

    assert _visible(staff(social)) == set()
    assert _visible(Actor.for_young_person(UserFactory(person=child))) == set()
    # A guardian login's user acting without the guardian kind is nobody.
    assert _visible(Actor.for_young_person(guardian_actor().user)) == set()


def test_guardian_sees_nothing_once_the_child_turns_18_or_may_consent_alone():
    social = social_services(guardian_consent_below_age=16)
    child = minor(age=15, days=20)
    guardian_of(child)
    request_for(child, asker=staff(social))
    guardian = guardian_actor()
    today = timezone.localdate()

    assert _visible(guardian, today=today) == {child.pk}
    assert _visible(guardian, today=today + dt.timedelta(days=19)) == {child.pk}
    # The organisation lets a 16-year-old consent alone: the guardian is no longer asked.
    assert _visible(guardian, today=today + dt.timedelta(days=20)) == set()
    assert guardians.guardian_overview(actor=guardian, today=today + dt.timedelta(days=20)) == []


def test_guardian_sees_nothing_after_18_even_if_a_request_outlived_it():
    child = minor(age=17, days=5)
    guardian_of(child)
    consent_request = request_for(child, asker=staff(social_services()))
    # A request saved with a date past 18 (by hand, an old rule): 18 still ends it.
    type(consent_request).objects.filter(pk=consent_request.pk).update(
        guardian_until=timezone.localdate() + dt.timedelta(days=400)
    )
    later = timezone.localdate() + dt.timedelta(days=5)
    assert _visible(guardian_actor(), today=later) == set()


def test_removing_the_guardianship_ends_access_at_once():
    child = minor()
    guardianship = guardian_of(child)
    request_for(child, asker=staff(social_services()))
    guardian = guardian_actor()
    assert _visible(guardian) == {child.pk}

    guardianship.delete()

    assert _visible(guardian) == set()


# --- The guardian's pages' reads -----------------------------------------------------------------


def test_overview_lists_each_minor_with_requests_and_logs_each_read():
    social = social_services()
    coach = staff(social)
    child, sibling = minor(), minor()
    guardian_of(child)
    guardian_of(sibling)
    request_for(child, asker=coach)
    request_for(child, asker=coach, text="Vi vill också prata med elevhälsan.")
    request_for(sibling, asker=coach)
    guardian = guardian_actor(level="loa3")

    rows = guardians.guardian_overview(actor=guardian)

    assert {row.person.pk: len(row.open_requests) for row in rows} == {child.pk: 2, sibling.pk: 1}
    entries = AccessLogEntry.objects.filter(actor_user=guardian.user)
    assert {(e.person_id, e.purpose, e.action, e.assurance_level) for e in entries} == {
        (child.pk, "guardian", "view", "loa3"),
        (sibling.pk, "guardian", "view", "loa3"),
    }
    assert access_log_verify().ok


def test_a_request_about_another_childs_is_missing():
    coach = staff(social_services())
    child, stranger = minor(), minor()
    guardian_of(child)
    guardian_of(stranger, OTHER_GUARDIAN_NUMBER)
    theirs = request_for(stranger, asker=coach)

    for request_id in (theirs.pk, 999_999, "x"):
        with pytest.raises(Http404):
            guardians.consent_request_get_for_guardian(
                actor=guardian_actor(), request_id=request_id
            )
    with pytest.raises(Http404):
        guardians.guardian_overview(actor=coach)


# --- Answering ---------------------------------------------------------------------------


def test_yes_records_the_consent_given_by_the_guardian_with_the_login_as_evidence():
    social = social_services()
    school = SchoolUnitFactory(name="Björkskolan")
    coach = staff(social)
    child = minor()
    guardian_of(child, name="Sara Förälder")
    asked = request_for(child, asker=coach, organisations=[social, school])
    guardian = guardian_actor(level="loa3")
    found = guardians.consent_request_get_for_guardian(actor=guardian, request_id=asked.pk)

    answered = guardians.consent_request_answer(
        actor=guardian, request=found, yes=True, evidence=EVIDENCE
    )

    assert answered.status == ConsentRequestStatus.GIVEN
    assert answered.answered_by == guardian.user
    assert answered.answered_assurance_level == "loa3"
    assert answered.answered_evidence == {
        "provider": "eid",
        "sub": "guardian-sub-1",
        "sid": "sid-42",
        "auth_time": 1_790_000_000,
    }
    consent = Consent.objects.get(pk=answered.consent_id)
    assert (consent.given_by, consent.guardian_name) == ("guardian", "Sara Förälder")
    assert consent.recorded_by == guardian.user
    assert consent.recorded_in == social
    assert set(consent.organisations.all()) == {social, school}
    assert list(consent.categories.values_list("category", flat=True)) == ["support"]
    assert "loa3" in consent.evidence and "guardian-sub-1" in consent.evidence
    assert "sid-42" in consent.evidence
    assert GUARDIAN_NUMBER not in consent.evidence
    # The coordinator sees it, given by the guardian, and the school now reaches the
    # child's support data through it.
    assert list(consent_list_for_person(actor=coach, person=child)) == [consent]
    mentor = staff(school, role=Role.MENTOR)
    assert child.pk in _visible(mentor, purpose=Purpose.SCHOOL, category=Category.SUPPORT)
    created = AccessLogEntry.objects.get(object_type="consent", actor_user=guardian.user)
    assert (created.action, created.purpose, created.assurance_level) == (
        Action.CREATE,
        "guardian",
        "loa3",
    )


def test_no_records_no_consent_and_is_logged():
    child = minor()
    guardian_of(child)
    asked = request_for(child, asker=staff(social_services()))
    guardian = guardian_actor()
    found = guardians.consent_request_get_for_guardian(actor=guardian, request_id=asked.pk)

    answered = guardians.consent_request_answer(
        actor=guardian, request=found, yes=False, evidence=EVIDENCE
    )

    assert answered.status == ConsentRequestStatus.REFUSED
    assert answered.consent is None
    assert not Consent.objects.filter(person=child).exists()
    entry = AccessLogEntry.objects.get(object_type="consent_request", action="update")
    assert (entry.person_id, entry.purpose) == (child.pk, "guardian")


def test_a_request_is_answered_once():
    child = minor()
    guardian_of(child)
    asked = request_for(child, asker=staff(social_services()))
    guardian = guardian_actor()
    found = guardians.consent_request_get_for_guardian(actor=guardian, request_id=asked.pk)
    guardians.consent_request_answer(actor=guardian, request=found, yes=False, evidence=EVIDENCE)

    with pytest.raises(ValidationError):
        guardians.consent_request_answer(actor=guardian, request=found, yes=True, evidence=EVIDENCE)
    assert not Consent.objects.filter(person=child).exists()


def test_the_young_person_sees_that_their_guardian_read_and_answered():
    child = minor()
    guardian_of(child)
    asked = request_for(child, asker=staff(social_services()))
    guardian = guardian_actor()
    found = guardians.consent_request_get_for_guardian(actor=guardian, request_id=asked.pk)
    guardians.consent_request_answer(actor=guardian, request=found, yes=True, evidence=EVIDENCE)
    young = Actor.for_young_person(UserFactory(person=child))

    sentences = [row.sentence for row in youth_access_log(actor=young)]

    assert "Din vårdnadshavare läste en fråga om samtycke för dig." in sentences
    assert "Din vårdnadshavare skrev in ditt samtycke." in sentences
