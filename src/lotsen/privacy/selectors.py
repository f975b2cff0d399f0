"""Reads behind the door that are about the door itself: consents, the access log,
emergency accesses to review."""

from __future__ import annotations

from django.db.models import QuerySet

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.people.models import Person
from lotsen.privacy.models import AccessLogEntry, Consent, EmergencyAccess


def consent_list_for_person(*, person: Person) -> QuerySet[Consent]:
    """Consents of a person the caller already reached through a person selector."""
    return (
        Consent.objects.filter(person=person)
        .prefetch_related("organisations", "categories")
        .select_related("recorded_by")
    )


def consent_get_for_person(*, person: Person, consent_id: int) -> Consent | None:
    return Consent.objects.filter(person=person, pk=consent_id).first()


def access_log_for_person(*, person: Person, limit: int = 100) -> list[AccessLogEntry]:
    """Who has read or changed this person's data, newest first."""
    return list(
        AccessLogEntry.objects.filter(person_id=person.pk)
        .select_related("actor_user", "organisation")
        .order_by("-at", "-id")[:limit]
    )


def emergency_access_to_review(*, actor: Actor) -> QuerySet[EmergencyAccess]:
    if actor.role != Role.ORGANISATION_ADMIN or actor.organisation is None:
        return EmergencyAccess.objects.none()
    return EmergencyAccess.objects.filter(
        organisation=actor.organisation, reviewed_at__isnull=True
    ).select_related("actor_user")
