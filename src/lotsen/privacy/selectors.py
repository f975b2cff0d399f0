"""Reads behind the door that are about the door itself: consents, the access log,
emergency accesses to review."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.people.models import Person
from lotsen.privacy.models import AccessLogEntry, Consent, EmergencyAccess


def _is_self(actor: Actor, person: Person) -> bool:
    return actor.role == Role.YOUNG_PERSON and actor.user.person_id == person.pk


def consent_list_for_person(*, actor: Actor, person: Person) -> QuerySet[Consent]:
    """Consents of a person the caller already reached through a person selector.

    The young person sees all of their consents. Staff see those that name their
    organisation or were recorded in it: that a consent names social services or a youth
    clinic is itself support or health information, which a school's basis does not cover.
    """
    consents = Consent.objects.filter(person=person)
    if not _is_self(actor, person):
        org = actor.organisation
        consents = consents.filter(Q(organisations=org) | Q(recorded_in=org)).distinct()
    return consents.prefetch_related("organisations", "categories").select_related(
        "recorded_by", "recorded_in"
    )


def consent_get_for_person(*, actor: Actor, person: Person, consent_id: int) -> Consent | None:
    return consent_list_for_person(actor=actor, person=person).filter(pk=consent_id).first()


def access_log_for_person(
    *, actor: Actor, person: Person, limit: int = 100
) -> list[AccessLogEntry]:
    """Who has read or changed this person's data, newest first.

    The young person sees every entry. Staff see their own organisation's entries only:
    who else has read the data would tell them which other services are involved.
    """
    return list(access_log_entries_for_person(actor=actor, person=person)[:limit])


def access_log_entries_for_person(*, actor: Actor, person: Person) -> QuerySet[AccessLogEntry]:
    """The same entries as a query, newest first, for a page that pages at the database."""
    entries = AccessLogEntry.objects.filter(person_id=person.pk)
    if not _is_self(actor, person):
        entries = entries.filter(organisation=actor.organisation)
    return entries.select_related("actor_user", "organisation").order_by("-at", "-id")


def emergency_access_to_review(*, actor: Actor) -> QuerySet[EmergencyAccess]:
    """Unreviewed emergency accesses routed to this administrator: opened in their
    organisation or one below it, or (system admin) where no organisation admin is above."""
    from lotsen.accounts.selectors import organisation_ids_for_emergency_review

    org_ids = organisation_ids_for_emergency_review(actor=actor)
    return (
        EmergencyAccess.objects.filter(organisation_id__in=org_ids, reviewed_at__isnull=True)
        # Nobody reviews their own emergency access, whatever other role they also hold.
        .exclude(actor_user=actor.user)
        .select_related("actor_user")
    )
