"""Who sees which case, note, referral and handover: the privacy door, for support.

Support's rules live with support; privacy lends them the consent test
(``consents_covering``) so that a case and the person it is about are reached under the
same consent.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from lotsen.accounts import assurance
from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind, Role
from lotsen.accounts.roles import CASE_ROLES
from lotsen.privacy.models import Category
from lotsen.privacy.policy import consents_covering, nothing
from lotsen.support.models import Case, NoteCategory, TeamMember


def note_kinds(*, category: str, organisation_kind: str) -> frozenset[str]:
    """What a note is, for the level of assurance it needs (``LOTSEN_ASSURANCE_REQUIRED``):
    health-related by its category, a social-services case note by who wrote it."""
    kinds = set()
    if category == NoteCategory.HEALTH:
        kinds.add(assurance.HEALTH)
    if organisation_kind == OrganisationKind.SOCIAL_SERVICES:
        kinds.add(assurance.SOCIAL_SERVICES)
    return frozenset(kinds)


class CasePolicy:
    """Who sees which case, note, referral and handover: the same door, for support.

    - The owning organisation's staff (in a case role) see the organisation's own cases.
    - Another organisation sees a case only while it is on the team *and* an active consent
      of the young person names it and the support category. Withdrawal or expiry ends
      access on the next request; team membership alone grants nothing.
    - A note is read by the organisation that wrote it, and by others who see the case when
      a consent names them and the note's category: health-related notes therefore stay
      inside the writing organisation unless the young person has said otherwise.
    - A referral is seen by its sender while the sender sees the case, and by its receiver
      while a consent names the receiver (the consent the referral relies on).
    - A handover is seen by the school that wrote it, and by the receiving school while a
      consent names it and school data.
    - The young person sees their own cases.
    """

    def __init__(self, actor: Actor, *, today: dt.date | None = None) -> None:
        self.actor = actor
        self.today = today or timezone.localdate()

    @property
    def org(self):
        return self.actor.organisation

    def is_staff(self) -> bool:
        return self.org is not None and self.actor.role in CASE_ROLES

    def consented_persons(self, category: str = Category.SUPPORT) -> QuerySet:
        """Person ids with an active consent naming this actor's organisation and ``category``."""
        return consents_covering(self.org, category, today=self.today).values("person_id")

    def _consented(self, category: str, person_field: str) -> Q:
        """The rows whose ``person_field`` names a person with an active consent naming this
        actor's organisation and ``category``: a correlated ``EXISTS`` on the row's person.
        These filters are OR-ed with the organisation's own rows, and under an OR
        PostgreSQL hashes an ``IN (subquery)``: it read every consented person of the
        organisation (5,625 in a 200,000-person municipality) to answer for one referral
        in the header's unread count (issue 16). Same rows either way."""
        return Q(
            Exists(
                consents_covering(self.org, category, today=self.today).filter(
                    person_id=OuterRef(person_field)
                )
            )
        )

    def cases_q(self) -> Q:
        actor = self.actor
        if actor.role == Role.YOUNG_PERSON and actor.user.person_id:
            return Q(person_id=actor.user.person_id)
        if not self.is_staff():
            return nothing()
        on_team = TeamMember.objects.filter(
            organisation=self.org, removed_at__isnull=True, case_id=OuterRef("pk")
        )
        return Q(owner=self.org) | (
            Q(Exists(on_team)) & self._consented(Category.SUPPORT, "person_id")
        )

    def cases(self) -> QuerySet[Case]:
        return Case.objects.filter(self.cases_q())

    def notes_q(self) -> Q:
        """Notes on visible cases that this actor may read (apply to ``Note`` objects)."""
        if not self.is_staff():
            return nothing()
        q = Q(organisation=self.org)
        for category in NoteCategory.values:
            q |= Q(category=category) & self._consented(category, "case__person_id")
        return q & Q(case__in=self.cases().values("pk"))

    def reaches_note_kind(self, kind: str) -> bool:
        """Whether this actor's login is strong enough to read and write notes of ``kind``.
        Below it, those notes are withheld and the user is asked to step up (issue 11);
        everything else on the case is shown as before. An actor outside any login
        (a command, a job, the demo generator: an empty level) is not asked; every web
        session has a level (``lotsen.accounts.mfa.middleware``)."""
        if not self.actor.assurance_level:
            return True
        return assurance.level_reaches(
            self.actor.assurance_level,
            kind,
            required=settings.LOTSEN_ASSURANCE_REQUIRED,
            ranks=settings.LOTSEN_ASSURANCE_RANKS,
        )

    def note_withheld_kinds(self, *, category: str, organisation_kind: str) -> frozenset[str]:
        """The kinds that keep a note (one this actor may otherwise read) from them until
        they step up; empty when they may read it now."""
        kinds = note_kinds(category=category, organisation_kind=organisation_kind)
        return frozenset(kind for kind in kinds if not self.reaches_note_kind(kind))

    def referrals_q(self) -> Q:
        if not self.is_staff():
            return nothing()
        # The sender reads its referrals only while it still sees the case: an organisation
        # that referred onward from a case it reached through consent loses the referral
        # together with the case when the consent is withdrawn.
        covering = consents_covering(self.org, Category.SUPPORT, today=self.today)
        return Q(from_organisation=self.org, case__in=self.cases().values("pk")) | Q(
            Q(to_organisation=self.org), Exists(covering.filter(pk=OuterRef("consent_id")))
        )

    def handovers_q(self) -> Q:
        if not self.is_staff():
            return nothing()
        return Q(from_school=self.org) | (
            Q(to_school=self.org) & self._consented(Category.SCHOOL, "person_id")
        )
