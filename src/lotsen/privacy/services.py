"""Writes behind the door: the access log, consents, emergency access."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Organisation
from lotsen.people.identity import age_on
from lotsen.people.models import Person
from lotsen.privacy.accesslog import access_log_record  # callers import it from here
from lotsen.privacy.models import (
    Action,
    Category,
    Consent,
    ConsentCategory,
    ConsentGiver,
    EmergencyAccess,
    Purpose,
)
from lotsen.privacy.notifications import emergency_access_notify
from lotsen.privacy.policy import EMERGENCY_ROLES
from lotsen.privacy.selectors import emergency_access_to_review

ERROR_CONSENT_NO_ORGANISATIONS = "Välj minst en organisation som samtycket gäller."
ERROR_CONSENT_NO_CATEGORIES = "Välj minst en sorts uppgifter som samtycket gäller."
ERROR_CONSENT_EXPIRY = (
    "Slutdatumet måste vara samma dag som eller efter datumet då samtycket lämnades."
)
ERROR_CONSENT_GUARDIAN_NAME = "Ange vårdnadshavarens namn."
ERROR_CONSENT_GUARDIAN_REQUIRED = (
    "{organisation} kräver att vårdnadshavare också samtycker för unga under {age} år."
)
ERROR_CONSENT_ALREADY_WITHDRAWN = "Samtycket är redan återkallat."
ERROR_CONSENT_EVIDENCE = (
    "Samtycket ger din egen organisation åtkomst. Beskriv hur den unga eller vårdnadshavaren "
    "lämnade det (minst {min_length} tecken), till exempel: undertecknad blankett, "
    "muntligt vid möte den 2026-01-12."
)
CONSENT_EVIDENCE_MIN_LENGTH = 15
ERROR_EMERGENCY_REASON = "Skriv skälet till nödåtkomsten (minst 20 tecken)."
ERROR_EMERGENCY_ROLE = "Din roll kan inte använda nödåtkomst."
ERROR_REVIEW_ROLE = (
    "Bara en administratör för organisationen eller en organisation över den kan granska "
    "nödåtkomsten."
)

EMERGENCY_REASON_MIN_LENGTH = 20


@transaction.atomic
def consent_record(
    *,
    actor: Actor,
    person: Person,
    purpose: str,
    given_by: str,
    organisations: Iterable[Organisation],
    categories: Iterable[str],
    given_on: dt.date,
    expires_on: dt.date | None = None,
    guardian_name: str = "",
    evidence: str = "",
) -> Consent:
    """Record a consent. ``person`` must come from a selector: the caller already may see them."""
    organisations = list(organisations)
    categories = sorted(set(categories) - {Category.IDENTITY})
    errors: dict[str, str] = {}
    if not organisations:
        errors["organisations"] = ERROR_CONSENT_NO_ORGANISATIONS
    if not categories:
        errors["categories"] = ERROR_CONSENT_NO_CATEGORIES
    if expires_on and expires_on < given_on:
        errors["expires_on"] = ERROR_CONSENT_EXPIRY
    if given_by in (ConsentGiver.GUARDIAN, ConsentGiver.BOTH) and not guardian_name.strip():
        errors["guardian_name"] = ERROR_CONSENT_GUARDIAN_NAME
    if given_by == ConsentGiver.YOUNG_PERSON:
        age = age_on(person.date_of_birth, given_on)
        for organisation in organisations:
            limit = organisation.guardian_consent_below_age
            if limit is not None and age < limit:
                errors["given_by"] = ERROR_CONSENT_GUARDIAN_REQUIRED.format(
                    organisation=organisation.name, age=limit
                )
                break
    # A consent is the young person's (or guardian's), never the receiving party's own
    # decision. When staff record a consent that widens their own organisation's access,
    # they must say how it was given; the young person sees who recorded it and how.
    if (
        actor.organisation is not None
        and any(org.pk == actor.organisation.pk for org in organisations)
        and len(evidence.strip()) < CONSENT_EVIDENCE_MIN_LENGTH
    ):
        errors["evidence"] = ERROR_CONSENT_EVIDENCE.format(min_length=CONSENT_EVIDENCE_MIN_LENGTH)
    if errors:
        raise ValidationError(errors)

    consent = Consent(
        person=person,
        given_by=given_by,
        guardian_name=guardian_name.strip(),
        given_on=given_on,
        expires_on=expires_on,
        evidence=evidence.strip(),
        recorded_by=actor.user,
        recorded_in=actor.organisation,
    )
    consent.full_clean()
    consent.save()
    consent.organisations.set(organisations)
    ConsentCategory.objects.bulk_create(
        [ConsentCategory(consent=consent, category=category) for category in categories]
    )
    access_log_record(
        actor=actor,
        action=Action.CREATE,
        purpose=purpose,
        person_ids=[person.pk],
        object_type="consent",
        object_id=str(consent.pk),
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Actor, consent: Consent, purpose: str) -> Consent:
    """Withdraw at once: the policy reads consents on every request, so the next request
    from any organisation the consent named is already denied."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise ValidationError(ERROR_CONSENT_ALREADY_WITHDRAWN)
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    access_log_record(
        actor=actor,
        action=Action.UPDATE,
        purpose=purpose,
        person_ids=[consent.person_id],
        object_type="consent",
        object_id=str(consent.pk),
    )
    return consent


@transaction.atomic
def emergency_access_open(*, actor: Actor, person: Person, reason: str) -> EmergencyAccess:
    if actor.role not in EMERGENCY_ROLES or actor.organisation is None:
        raise PermissionDenied(ERROR_EMERGENCY_ROLE)
    reason = (reason or "").strip()
    if len(reason) < EMERGENCY_REASON_MIN_LENGTH:
        raise ValidationError({"reason": ERROR_EMERGENCY_REASON})
    now = timezone.now()
    grant = EmergencyAccess.objects.create(
        actor_user=actor.user,
        organisation=actor.organisation,
        person=person,
        reason=reason,
        opened_at=now,
        expires_at=now + dt.timedelta(minutes=settings.LOTSEN_EMERGENCY_ACCESS_MINUTES),
    )
    access_log_record(
        actor=actor,
        action=Action.EMERGENCY,
        purpose=Purpose.EMERGENCY,
        person_ids=[person.pk],
        object_type="emergency_access",
        object_id=str(grant.pk),
    )
    emergency_access_notify(grant=grant)
    return grant


@transaction.atomic
def emergency_access_review(*, actor: Actor, grant: EmergencyAccess, note: str) -> EmergencyAccess:
    # The same routing as the review list: the admin of the organisation or of one above
    # it (school units have no admin of their own), never the person who opened it.
    if not emergency_access_to_review(actor=actor).filter(pk=grant.pk).exists():
        raise PermissionDenied(ERROR_REVIEW_ROLE)
    grant.reviewed_by = actor.user
    grant.reviewed_at = timezone.now()
    grant.review_note = note.strip()
    grant.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    return grant
