"""The access policy: the one door to personal data.

``PersonPolicy`` answers both questions with the same logic, so a list and a detail page
can never disagree: ``persons()`` is the queryset of persons an actor may see for a
purpose and data category, and ``may_view()`` asks whether one person is in it. Anything
not granted by a legal basis below is denied.

Legal bases:
- the home municipality, for the activity responsibility (skollagen 29 kap. 9 §);
- the school unit (and its organiser) for its own pupils while they are enrolled;
- a consent from the young person that names the actor's organisation and the category,
  for everything shared across organisations (OSL 10 kap. 1 §, 12 kap. 2 §);
- the young person for their own data;
- emergency access, opened with a reason, time-limited and reviewed afterwards.

Project leaders and evaluators never come through this door. ESF follow-up needs the
participation record (name, gender, age band at entry, entry, exit and follow-up data),
not the person: ``programmes.selectors`` reads those records under the sub-project team
rule and logs them, and nothing here grants them a ``Person``, for any purpose or category.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind, Role
from lotsen.people.models import Person
from lotsen.privacy.models import Category, Consent, EmergencyAccess, Purpose
from lotsen.school.models import Enrolment

# The purpose a role reaches persons under. Roles missing here (system and organisation
# admins, project leaders, evaluators) reach no person through this door: admins see no
# young people at all, and project leaders read participation records only (see the
# module docstring).
ROLE_PURPOSE: dict[str, str] = {
    Role.KAA_COORDINATOR: Purpose.KAA,
    Role.MENTOR: Purpose.SCHOOL,
    Role.STUDENT_HEALTH: Purpose.SCHOOL,
    Role.COUNSELLOR: Purpose.SCHOOL,
    Role.CASE_WORKER: Purpose.SUPPORT,
    Role.YOUNG_PERSON: Purpose.SELF,
}

# Roles that may open emergency access: those who meet young people in their work.
EMERGENCY_ROLES = frozenset(
    {Role.KAA_COORDINATOR, Role.MENTOR, Role.STUDENT_HEALTH, Role.COUNSELLOR, Role.CASE_WORKER}
)

MUNICIPALITY_CATEGORIES = frozenset({Category.IDENTITY, Category.KAA})
SCHOOL_CATEGORIES = frozenset({Category.IDENTITY, Category.SCHOOL})
# Health-related notes are never reached through emergency access: they stay with the
# organisation that wrote them unless a consent names the category.
EMERGENCY_CATEGORIES = frozenset(
    {Category.IDENTITY, Category.SCHOOL, Category.KAA, Category.SUPPORT}
)
CONSENT_PURPOSES = frozenset({Purpose.KAA, Purpose.SCHOOL, Purpose.SUPPORT})


def purpose_for(actor: Actor) -> str | None:
    return ROLE_PURPOSE.get(actor.role) if actor.role else None


def reaches_persons(actor: Actor | None) -> bool:
    """Whether the actor's role reaches young people through this door at all. Person
    search, the persons API and the person pages belong to these roles only; the others
    are answered as if those pages did not exist."""
    return actor is not None and purpose_for(actor) is not None


def _nothing() -> Q:
    return Q(pk__in=[])


class PersonPolicy:
    def __init__(self, actor: Actor, *, today: dt.date | None = None) -> None:
        self.actor = actor
        self.today = today or timezone.localdate()

    def visible_q(self, *, purpose: str, category: str = Category.IDENTITY) -> Q:
        """The filter on Person for what this actor may see for ``purpose`` in ``category``."""
        actor, org = self.actor, self.actor.organisation
        if purpose == Purpose.SELF:
            if actor.role == Role.YOUNG_PERSON and actor.user.person_id:
                return Q(pk=actor.user.person_id)
            return _nothing()
        if purpose == Purpose.EMERGENCY:
            if (
                org is None
                or actor.role not in EMERGENCY_ROLES
                or category not in EMERGENCY_CATEGORIES
            ):
                return _nothing()
            open_grants = EmergencyAccess.objects.filter(
                actor_user=actor.user, organisation=org, expires_at__gt=timezone.now()
            )
            return Q(pk__in=open_grants.values("person_id"))
        if org is None or ROLE_PURPOSE.get(actor.role) != purpose:
            return _nothing()

        q = _nothing()
        if (
            purpose == Purpose.KAA
            and category in MUNICIPALITY_CATEGORIES
            and org.kind == OrganisationKind.MUNICIPALITY
        ):
            q |= Q(home_municipality_code=org.municipality_code)
        if purpose == Purpose.SCHOOL and category in SCHOOL_CATEGORIES:
            q |= Q(pk__in=self._current_pupils_of(org).values("person_id"))
        if purpose in CONSENT_PURPOSES:
            q |= Q(pk__in=self._consents_covering(org, category).values("person_id"))
        return q

    def persons(self, *, purpose: str, category: str = Category.IDENTITY) -> QuerySet[Person]:
        return Person.objects.filter(self.visible_q(purpose=purpose, category=category))

    def may_view(self, person: Person, *, purpose: str, category: str = Category.IDENTITY) -> bool:
        return self.persons(purpose=purpose, category=category).filter(pk=person.pk).exists()

    def may_see_contact_details(self, person: Person) -> bool:
        """Address and contacts of a protected person are shown to named roles only, and
        nobody's to a role that reaches no persons (a project leader, say)."""
        if not reaches_persons(self.actor):
            return False
        if not person.is_protected:
            return True
        if self.actor.role == Role.YOUNG_PERSON and self.actor.user.person_id == person.pk:
            return True
        return self.actor.role in settings.LOTSEN_PROTECTED_IDENTITY_ROLES

    def _current_pupils_of(self, org) -> QuerySet[Enrolment]:
        if org.kind == OrganisationKind.SCHOOL_UNIT:
            units = Q(school_unit=org)
        elif org.kind == OrganisationKind.SCHOOL_ORGANISER:
            units = Q(school_unit__parent=org)
        else:
            return Enrolment.objects.none()
        return Enrolment.objects.filter(
            units,
            start_date__lte=self.today,
        ).filter(Q(end_date__isnull=True) | Q(end_date__gte=self.today))

    def _consents_covering(self, org, category: str) -> QuerySet[Consent]:
        consents = Consent.objects.filter(
            organisations=org,
            withdrawn_at__isnull=True,
            given_on__lte=self.today,
        ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=self.today))
        # Identity is part of every consent: data cannot be shared about nobody.
        if category != Category.IDENTITY:
            consents = consents.filter(categories__category=category)
        return consents


# Roles that work in cases: those who meet young people. Project leaders and evaluators
# follow programmes, never cases.
CASE_ROLES = frozenset(
    {Role.KAA_COORDINATOR, Role.MENTOR, Role.STUDENT_HEALTH, Role.COUNSELLOR, Role.CASE_WORKER}
)


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
        self._persons = PersonPolicy(actor, today=self.today)

    @property
    def org(self):
        return self.actor.organisation

    def is_staff(self) -> bool:
        return self.org is not None and self.actor.role in CASE_ROLES

    def consented_persons(self, category: str = Category.SUPPORT) -> QuerySet:
        """Person ids with an active consent naming this actor's organisation and ``category``."""
        return self._persons._consents_covering(self.org, category).values("person_id")

    def cases_q(self) -> Q:
        from lotsen.support.models import TeamMember  # support depends on privacy

        actor = self.actor
        if actor.role == Role.YOUNG_PERSON and actor.user.person_id:
            return Q(person_id=actor.user.person_id)
        if not self.is_staff():
            return _nothing()
        on_team = TeamMember.objects.filter(organisation=self.org, removed_at__isnull=True).values(
            "case_id"
        )
        return Q(owner=self.org) | (
            Q(pk__in=on_team) & Q(person_id__in=self.consented_persons(Category.SUPPORT))
        )

    def cases(self) -> QuerySet:
        from lotsen.support.models import Case

        return Case.objects.filter(self.cases_q())

    def notes_q(self) -> Q:
        """Notes on visible cases that this actor may read (apply to ``Note`` objects)."""
        if not self.is_staff():
            return _nothing()
        from lotsen.support.models import NoteCategory

        q = Q(organisation=self.org)
        for category in NoteCategory.values:
            q |= Q(category=category, case__person_id__in=self.consented_persons(category))
        return q & Q(case__in=self.cases().values("pk"))

    def referrals_q(self) -> Q:
        if not self.is_staff():
            return _nothing()
        # The sender reads its referrals only while it still sees the case: an organisation
        # that referred onward from a case it reached through consent loses the referral
        # together with the case when the consent is withdrawn.
        return Q(from_organisation=self.org, case__in=self.cases().values("pk")) | Q(
            to_organisation=self.org,
            consent__in=self._persons._consents_covering(self.org, Category.SUPPORT),
        )

    def handovers_q(self) -> Q:
        if not self.is_staff():
            return _nothing()
        return Q(from_school=self.org) | Q(
            to_school=self.org, person_id__in=self.consented_persons(Category.SCHOOL)
        )
