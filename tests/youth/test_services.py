"""Writes from the young person's pages: validation, nothing half-written, the log."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from lotsen.privacy.models import AccessLogEntry, Action, Consent, Purpose
from lotsen.support.models import WellbeingCheckin, YouthMessage
from lotsen.youth import services
from tests.factories import consent_create

pytestmark = pytest.mark.django_db

ALL_THREES = {"item1": "3", "item2": "3", "item3": "3", "item4": "3", "item5": "3"}


def test_checkin_is_recorded_with_its_score_and_logged(world):
    answers = {"item1": "5", "item2": "4", "item3": "2", "item4": "0", "item5": "1"}
    checkin = services.wellbeing_checkin_record(actor=world.young, answers=answers)
    checkin.refresh_from_db()
    assert checkin.person == world.person
    assert (checkin.item1, checkin.item2, checkin.item3, checkin.item4, checkin.item5) == (
        5,
        4,
        2,
        0,
        1,
    )
    assert checkin.score == (5 + 4 + 2 + 0 + 1) * 4
    entry = AccessLogEntry.objects.get(object_type="wellbeing")
    assert (entry.person_id, entry.action, entry.purpose, entry.object_id) == (
        world.person.pk,
        Action.CREATE,
        Purpose.SELF,
        str(checkin.pk),
    )


def test_missing_answer_is_named_and_nothing_is_written(world):
    answers = {**ALL_THREES}
    del answers["item3"]
    with pytest.raises(ValidationError) as error:
        services.wellbeing_checkin_record(actor=world.young, answers=answers)
    assert error.value.message_dict == {"item3": ["Svara på fråga 3."]}
    assert not WellbeingCheckin.objects.exists()
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("bad", ["6", "-1", "tre", "2.5"])
def test_invalid_answer_is_named(world, bad):
    with pytest.raises(ValidationError) as error:
        services.wellbeing_checkin_record(
            actor=world.young, answers={**ALL_THREES, "item5": bad, "item1": ""}
        )
    assert error.value.message_dict == {
        "item1": ["Svara på fråga 1."],
        "item5": ["Välj ett av svaren på fråga 5."],
    }
    assert not WellbeingCheckin.objects.exists()


def test_staff_cannot_answer_for_a_young_person(world):
    with pytest.raises(PermissionDenied):
        services.wellbeing_checkin_record(actor=world.coach, answers=ALL_THREES)
    with pytest.raises(PermissionDenied):
        services.youth_message_record(actor=world.coach, text="Hej")
    assert not WellbeingCheckin.objects.exists() and not YouthMessage.objects.exists()


def test_message_is_recorded_stripped_and_logged(world):
    message = services.youth_message_record(actor=world.young, text="  Jag vill ha hjälp.  ")
    assert message.text == "Jag vill ha hjälp."
    assert message.person == world.person
    assert AccessLogEntry.objects.filter(
        object_type="youth_message", action=Action.CREATE, purpose=Purpose.SELF
    ).exists()


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_empty_message_is_refused(world, text):
    with pytest.raises(ValidationError) as error:
        services.youth_message_record(actor=world.young, text=text)
    assert error.value.message_dict == {"text": [services.ERROR_MESSAGE_EMPTY]}
    assert not YouthMessage.objects.exists()


def test_too_long_message_is_refused_with_both_lengths(world):
    limit = services.MESSAGE_MAX_LENGTH
    with pytest.raises(ValidationError) as error:
        services.youth_message_record(actor=world.young, text="a" * (limit + 1))
    assert error.value.message_dict == {
        "text": [f"Texten får vara högst {limit} tecken. Nu är den {limit + 1} tecken."]
    }
    services.youth_message_record(actor=world.young, text="a" * limit)
    assert YouthMessage.objects.count() == 1


def test_young_person_withdraws_own_consent_but_not_anothers(world):
    services.youth_consent_withdraw(actor=world.young, consent_id=world.consent.pk)
    world.consent.refresh_from_db()
    assert world.consent.withdrawn_at is not None
    with pytest.raises(ValidationError):
        services.youth_consent_withdraw(actor=world.young, consent_id=world.consent.pk)

    others = consent_create(
        person=world.other_case.person, organisations=[world.school], categories=["support"]
    )
    with pytest.raises(Http404):
        services.youth_consent_withdraw(actor=world.young, consent_id=others.pk)
    assert Consent.objects.get(pk=others.pk).withdrawn_at is None
