"""Writes from the young person's own pages: a WHO-5 check-in, a message to the team,
withdrawing a consent. Each in one transaction with its access-log entry.

Only the young person writes here, and only about themself: the person is taken from
the login (``PersonPolicy`` with purpose "self"), never from the request.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.people.models import Person
from lotsen.privacy.door import persons_written
from lotsen.privacy.models import Action, Consent, Purpose
from lotsen.privacy.policy import PersonPolicy
from lotsen.privacy.selectors import consent_get_for_person
from lotsen.privacy.services import consent_withdraw
from lotsen.support.models import WellbeingCheckin, YouthMessage
from lotsen.youth import who5

ERROR_NOT_YOUNG_PERSON = "Bara den unga själv kan svara här."
ERROR_ANSWER_MISSING = "Svara på fråga {number}."
ERROR_ANSWER_INVALID = "Välj ett av svaren på fråga {number}."
ERROR_MESSAGE_EMPTY = "Skriv något innan du skickar."
ERROR_MESSAGE_TOO_LONG = "Texten får vara högst {limit} tecken. Nu är den {length} tecken."

MESSAGE_MAX_LENGTH = 2000


def youth_self_person(actor: Actor) -> Person:
    """The young person behind the login, through the policy; anyone else is refused."""
    person = PersonPolicy(actor).persons(purpose=Purpose.SELF).first()
    if person is None:
        raise PermissionDenied(ERROR_NOT_YOUNG_PERSON)
    return person


def answer_error_message(error: who5.AnswerError) -> str:
    number = who5.ITEM_KEYS.index(error.key) + 1
    template = ERROR_ANSWER_MISSING if error.missing else ERROR_ANSWER_INVALID
    return template.format(number=number)


@transaction.atomic
def wellbeing_checkin_record(*, actor: Actor, answers: Mapping[str, object]) -> WellbeingCheckin:
    """Record the five WHO-5 answers (0–5 each) and the 0–100 score they give."""
    person = youth_self_person(actor)
    parsed, errors = who5.parse_answers(answers)
    if errors:
        raise ValidationError({error.key: answer_error_message(error) for error in errors})
    checkin = WellbeingCheckin(
        person=person, answered_at=timezone.now(), score=who5.score(parsed), **parsed
    )
    checkin.full_clean()
    checkin.save()
    persons_written(
        actor=actor,
        action=Action.CREATE,
        purpose=Purpose.SELF,
        person_ids=[person.pk],
        object_type="wellbeing",
        object_id=str(checkin.pk),
    )
    return checkin


@transaction.atomic
def youth_message_record(*, actor: Actor, text: str) -> YouthMessage:
    """ "What I want you to know": read by everyone who works on the young person's cases."""
    person = youth_self_person(actor)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ERROR_MESSAGE_EMPTY})
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {"text": ERROR_MESSAGE_TOO_LONG.format(limit=MESSAGE_MAX_LENGTH, length=len(text))}
        )
    message = YouthMessage(person=person, text=text, written_at=timezone.now())
    message.full_clean()
    message.save()
    persons_written(
        actor=actor,
        action=Action.CREATE,
        purpose=Purpose.SELF,
        person_ids=[person.pk],
        object_type="youth_message",
        object_id=str(message.pk),
    )
    return message


def youth_consent_withdraw(*, actor: Actor, consent_id: int) -> Consent:
    """Withdraw one of the young person's own consents. Someone else's consent is
    answered like a missing one (404), so ids cannot be probed."""
    person = youth_self_person(actor)
    consent = consent_get_for_person(actor=actor, person=person, consent_id=consent_id)
    if consent is None:
        raise Http404
    return consent_withdraw(actor=actor, consent=consent, purpose=Purpose.SELF)
