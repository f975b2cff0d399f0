"""The case page shows the young person's own voice although support does not import
youth: the top floor registers youth's readers as case-page panels (support.panels), and
each still answers only what its policy allows, logged as before."""

import pytest
from django.urls import reverse

from lotsen.privacy.models import AccessLogEntry
from lotsen.support.panels import (
    PANEL_ALREADY_REGISTERED,
    case_panels_for,
    register_case_panel,
    registered_case_panels,
)
from lotsen.youth.selectors import wellbeing_for_case, youth_messages_for_case
from tests.youth.conftest import world  # noqa: F401  (the fixture: a case with a team)
from tests.youth.factories import WellbeingCheckinFactory, YouthMessageFactory

pytestmark = pytest.mark.django_db


def _shown_about(person, actor) -> set[str]:
    entries = AccessLogEntry.objects.filter(person=person, actor_user=actor.user)
    return {item for entry in entries for item in entry.shown}


@pytest.fixture
def voice(world):  # noqa: F811
    checkin = WellbeingCheckinFactory(person=world.person, item1=5)
    message = YouthMessageFactory(person=world.person, text="Kan vi ses efter lunch?")
    return checkin, message


def test_the_top_floor_registers_the_young_person_s_voice_on_the_case_page():
    assert registered_case_panels() == ("checkins", "youth_messages")


def test_the_case_owner_sees_the_check_ins_and_the_messages_and_each_read_is_logged(
    client,
    world,  # noqa: F811
    voice,
):
    checkin, message = voice
    client.force_login(world.coach.user)
    response = client.get(reverse("support:case_detail", args=[world.case.pk]))
    assert response.status_code == 200
    assert response.context["checkins"] == [checkin]
    assert response.context["youth_messages"] == [message]
    assert "Kan vi ses efter lunch?" in response.text
    assert 'id="who5-arende-tabell"' in response.text
    # The request's one entry for the young person lists what the page showed of them.
    shown = _shown_about(world.person, world.coach)
    assert {f"wellbeing:{world.case.pk}", f"youth_message:{world.case.pk}"} <= shown


def test_a_team_member_without_a_health_consent_sees_the_messages_but_not_the_check_ins(
    client,
    world,  # noqa: F811
    voice,
):
    _, message = voice
    client.force_login(world.mentor.user)
    response = client.get(reverse("support:case_detail", args=[world.case.pk]))
    assert response.status_code == 200
    assert response.context["checkins"] is None
    assert response.context["youth_messages"] == [message]
    assert "Ni kan inte se den ungas svar." in response.text
    shown = _shown_about(world.person, world.mentor)
    assert f"youth_message:{world.case.pk}" in shown
    assert not any(item.startswith("wellbeing") for item in shown)


def test_the_panels_answer_as_youth_s_readers_do(world, voice):  # noqa: F811
    for actor in (world.coach, world.mentor, world.nurse, world.young, world.other_young):
        assert case_panels_for(actor=actor, case=world.case) == {
            "checkins": wellbeing_for_case(actor=actor, case=world.case),
            "youth_messages": youth_messages_for_case(actor=actor, case=world.case),
        }


def test_a_panel_name_is_registered_once_and_cannot_be_taken_over():
    # ready() may run twice under the test runner: the same reader again changes nothing.
    register_case_panel("checkins", wellbeing_for_case)
    assert registered_case_panels() == ("checkins", "youth_messages")
    with pytest.raises(ValueError, match=PANEL_ALREADY_REGISTERED.format(name="checkins")):
        register_case_panel("checkins", youth_messages_for_case)
    assert registered_case_panels() == ("checkins", "youth_messages")
