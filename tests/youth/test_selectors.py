"""Reads: the young person sees only their own; staff see check-ins only with a basis."""

import pytest
from django.http import Http404

from lotsen.privacy.models import AccessLogEntry, Action, Purpose
from lotsen.privacy.services import access_log_record
from lotsen.youth import selectors
from tests.factories import consent_create
from tests.youth.factories import WellbeingCheckinFactory, YouthMessageFactory

pytestmark = pytest.mark.django_db


def test_plan_is_the_young_persons_own_and_the_read_is_logged_as_self(world):
    (row,) = selectors.youth_plans(actor=world.young)
    assert row.case == world.case
    assert row.own_goal == "Jag vill gå klart nian."
    assert [g.text for g in row.goals] == ["Klara matten", "Gå till skolan varje dag"]
    assert {a.text for a in row.actions} == {"Läxhjälp på tisdagar", "Möte med Emma varje vecka"}
    assert row.lead_party == "Socialtjänsten"
    # The open action is the next follow-up; the one already done is not.
    assert row.next_follow_up.text == "Läxhjälp på tisdagar"
    entry = AccessLogEntry.objects.get(object_type="plan")
    assert (entry.person_id, entry.purpose, entry.action, entry.object_id) == (
        world.person.pk,
        Purpose.SELF,
        Action.VIEW,
        str(world.case.pk),
    )


def test_another_persons_case_id_is_404(world):
    with pytest.raises(Http404):
        selectors.youth_plans(actor=world.young, case_id=world.other_case.pk)
    with pytest.raises(Http404):
        selectors.youth_contacts(actor=world.young, case_id=world.other_case.pk)
    with pytest.raises(Http404):
        selectors.youth_plans(actor=world.young, case_id=999999)
    (row,) = selectors.youth_plans(actor=world.other_young)
    assert row.case == world.other_case


def test_staff_get_404_on_the_young_persons_pages(world):
    for read in (
        selectors.youth_start,
        selectors.youth_plans,
        selectors.youth_contacts,
        selectors.youth_checkins,
        selectors.youth_messages,
        selectors.youth_consents,
        selectors.youth_access_log,
    ):
        with pytest.raises(Http404):
            read(actor=world.coach)


def test_team_shows_who_may_read_now(world):
    (row,) = selectors.youth_contacts(actor=world.young)
    team = {t.organisation_name: t for t in row.team}
    assert team["Socialtjänsten i Exempelkommun"].is_owner
    assert team["Socialtjänsten i Exempelkommun"].contact_persons == ["Emma Falk"]
    assert team["Björkskolan"].has_access and team["Björkskolan"].members == ["Per Holm"]
    assert not team["Ungdomsmottagningen"].has_access
    assert row.contact_persons == [("Emma Falk", "Socialtjänsten i Exempelkommun")]
    assert [(c.channel, c.reached) for c in row.contacts] == [("meeting", True), ("sms", False)]


def test_checkins_and_messages_are_only_ones_own(world):
    mine = WellbeingCheckinFactory(person=world.person)
    WellbeingCheckinFactory(person=world.other_case.person)
    YouthMessageFactory(person=world.other_case.person, text="Bos text")
    assert selectors.youth_checkins(actor=world.young) == [mine]
    assert selectors.youth_messages(actor=world.young) == []


def test_access_log_in_plain_words_without_own_reads(world):
    access_log_record(
        actor=world.coach,
        action=Action.VIEW,
        purpose=Purpose.SUPPORT,
        person_ids=[world.person.pk],
        object_type="case",
        object_id=str(world.case.pk),
    )
    access_log_record(
        actor=world.mentor,
        action=Action.VIEW,
        purpose=Purpose.SCHOOL,
        person_ids=[world.person.pk],
        object_type="kaa_register",
    )
    access_log_record(
        actor=world.coach,
        action=Action.VIEW,
        purpose=Purpose.SUPPORT,
        person_ids=[world.other_case.person.pk],
        object_type="case",
    )
    selectors.youth_plans(actor=world.young)  # an own read, left out of the list
    rows = selectors.youth_access_log(actor=world.young)
    assert [r.sentence for r in rows] == [
        "Björkskolan läste dina uppgifter hos kommunen.",
        "Socialtjänsten i Exempelkommun läste ditt ärende.",
    ]
    assert [r.staff_name for r in rows] == ["Per Holm", "Emma Falk"]


def test_wellbeing_for_case_needs_the_case_and_a_health_basis(world):
    first = WellbeingCheckinFactory(person=world.person, item1=5)
    WellbeingCheckinFactory(person=world.other_case.person)

    # The owning organisation sees them, and the read is logged.
    assert selectors.wellbeing_for_case(actor=world.coach, case=world.case) == [first]
    entry = AccessLogEntry.objects.get(object_type="wellbeing")
    assert (entry.actor_user_id, entry.purpose, entry.object_id) == (
        world.coach.user.pk,
        Purpose.SUPPORT,
        str(world.case.pk),
    )

    # The school sees the case (support consent) but not health data: nothing.
    assert selectors.wellbeing_for_case(actor=world.mentor, case=world.case) is None
    # The clinic is on the team without any consent: not even the case.
    assert selectors.wellbeing_for_case(actor=world.nurse, case=world.case) is None
    assert AccessLogEntry.objects.filter(object_type="wellbeing").count() == 1

    # A consent naming the school and health data opens them; withdrawing closes at once.
    health = consent_create(
        person=world.person, organisations=[world.school], categories=["support", "health"]
    )
    assert selectors.wellbeing_for_case(actor=world.mentor, case=world.case) == [first]
    health.withdrawn_at = health.recorded_at
    health.save()
    assert selectors.wellbeing_for_case(actor=world.mentor, case=world.case) is None

    # A health consent alone, without the case being visible, gives nothing either.
    consent_create(person=world.person, organisations=[world.clinic], categories=["health"])
    assert selectors.wellbeing_for_case(actor=world.nurse, case=world.case) is None

    # The young person sees their own; another young person does not.
    assert selectors.wellbeing_for_case(actor=world.young, case=world.case) == [first]
    assert selectors.wellbeing_for_case(actor=world.other_young, case=world.case) is None


def test_youth_messages_for_case_follow_the_case_policy(world):
    message = YouthMessageFactory(person=world.person)
    assert selectors.youth_messages_for_case(actor=world.coach, case=world.case) == [message]
    assert selectors.youth_messages_for_case(actor=world.mentor, case=world.case) == [message]
    assert selectors.youth_messages_for_case(actor=world.nurse, case=world.case) == []
    entries = AccessLogEntry.objects.filter(object_type="youth_message", action=Action.VIEW)
    assert {e.actor_user_id for e in entries} == {world.coach.user.pk, world.mentor.user.pk}

    world.consent.withdrawn_at = world.consent.recorded_at
    world.consent.save()
    assert selectors.youth_messages_for_case(actor=world.mentor, case=world.case) == []
