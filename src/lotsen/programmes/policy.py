"""Who is in a sub-project's team: the one rule for programmes, events, surveys, finance
and insights.

ESF follow-up shows exact figures and names participants inside the project team only
("small cells suppressed in any output that leaves the project team",
``domain/esf-indicators.md``). The rule, answered here both for one sub-project or
programme (``is_team_for_…``) and as a queryset of them (``team_…``), so that a list and a
detail page can never disagree:

- An organisation *works in* a sub-project when it leads the sub-project, takes part in
  it, or leads its programme; it works in a programme when it leads the programme or
  works in one of its sub-projects. An organisation's sub-organisations are not the
  organisation: a region does not work in a sub-project its municipality leads (they are
  separate authorities), unless the region leads the programme.
- An actor is *team* for a sub-project or programme when they act as a project leader in
  an organisation that works in it. The team reads and writes the sub-project's
  participant records and budget, and sees its figures exact.
- Exact figures for a scope: the whole programme for the programme's team (the partners
  share the project's totals); any part of it (a region, one sub-project) only for those
  who are team for every sub-project in the part, so that no part shows exact what the
  sub-project's own page hides.
- Evaluators acting in an organisation that works in a sub-project read its budget and
  "what works" figures (small cells hidden) and never write; no evaluator is team.
- Every project leader and evaluator reads every programme's and sub-project's figures
  with small cells hidden (the programme pages).
- Everyone else (admins, school, KAA and support roles, young people): nothing.

Things an organisation owns in a programme (an event it organises, a survey it runs) are
changed by the project leaders acting in that organisation (``acts_for``).

No ``Person`` is reached through this policy: project leaders and evaluators come through
the door (``privacy.policy``) for nobody. Participant records are read here as
participations, through ``privacy.door.records_read`` with ``participations_q()``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.programmes.models import Programme, SubProject

# The roles that follow programmes up. Project leaders write; evaluators read only.
PROGRAMME_ROLES = frozenset({Role.PROJECT_LEADER, Role.EVALUATOR})


def _nothing() -> Q:
    return Q(pk__in=[])


class ProgrammePolicy:
    def __init__(self, actor: Actor | None) -> None:
        self.actor = actor
        self.organisation = actor.organisation if actor is not None else None
        role = actor.role if actor is not None and self.organisation is not None else None
        # Without an organisation nobody works in anything, whatever the role.
        self.reads = role in PROGRAMME_ROLES
        self.is_project_leader = role == Role.PROJECT_LEADER

    # --- The organisation's sub-projects and programmes -------------------------------------

    def _works_in_subprojects_q(self) -> Q:
        org = self.organisation
        return Q(lead_organisation=org) | Q(organisations=org) | Q(programme__lead_organisation=org)

    def works_in_subprojects(self) -> QuerySet[SubProject]:
        """The sub-projects the actor's organisation works in, for project leaders and
        evaluators (no one else works in any). Each once, whatever the joins."""
        if not self.reads:
            return SubProject.objects.none()
        ids = SubProject.objects.filter(self._works_in_subprojects_q()).values("pk")
        return SubProject.objects.filter(pk__in=ids)

    def works_in_programmes(self) -> QuerySet[Programme]:
        """The programmes the actor's organisation leads or works in a sub-project of."""
        if not self.reads:
            return Programme.objects.none()
        in_subprojects = SubProject.objects.filter(self._works_in_subprojects_q()).values(
            "programme_id"
        )
        return Programme.objects.filter(
            Q(lead_organisation=self.organisation) | Q(pk__in=in_subprojects)
        )

    # --- The team ---------------------------------------------------------------------------

    def team_subprojects(self) -> QuerySet[SubProject]:
        """The sub-projects the actor is team for."""
        if not self.is_project_leader:
            return SubProject.objects.none()
        return self.works_in_subprojects()

    def team_programmes(self) -> QuerySet[Programme]:
        """The programmes the actor is team for."""
        if not self.is_project_leader:
            return Programme.objects.none()
        return self.works_in_programmes()

    def team_q(self, field: str = "subproject") -> Q:
        """A filter on any model whose ``field`` names a sub-project: the rows of the
        sub-projects the actor is team for."""
        if not self.is_project_leader:
            return _nothing()
        return Q(**{f"{field}__in": self.team_subprojects().values("pk")})

    def participations_q(self) -> Q:
        """The participations whose participant records the actor reads and writes."""
        return self.team_q("subproject")

    def is_team_for_subproject(self, subproject: SubProject) -> bool:
        if not self.is_project_leader:
            return False
        return self.team_subprojects().filter(pk=subproject.pk).exists()

    def is_team_for_programme(self, programme: Programme) -> bool:
        if not self.is_project_leader:
            return False
        if programme.lead_organisation_id == self.organisation.pk:
            return True
        return self.team_programmes().filter(pk=programme.pk).exists()

    def sees_exact_figures(
        self, *, programme: Programme, part: Iterable[SubProject] | None = None
    ) -> bool:
        """Whether the figures of ``programme`` (``part`` is None) or of a part of it (a
        region's or one sub-project) are shown exact to the actor, or with small cells
        hidden. See the module docstring for why a part asks more than the whole."""
        if part is None:
            return self.is_team_for_programme(programme)
        if not self.is_project_leader:
            return False
        if programme.lead_organisation_id == self.organisation.pk:
            return True  # The programme's lead works in every one of its sub-projects.
        wanted = {subproject.pk for subproject in part}
        if not wanted:
            return False
        found = self.team_subprojects().filter(pk__in=wanted).count()
        return found == len(wanted)

    # --- Reading figures, owning things -----------------------------------------------------

    def may_read_programmes(self) -> bool:
        """Every programme and sub-project, its figures with small cells hidden."""
        return self.reads

    def may_create(self) -> bool:
        """An event or a survey, owned by the actor's organisation."""
        return self.is_project_leader

    def acts_for(self, organisation_id: int | None) -> bool:
        """A project leader acting in this organisation: they change what it owns (an
        event it organises, a survey it runs) and see that survey's answers in full."""
        return self.is_project_leader and organisation_id == self.organisation.pk

    def leads_programme_q(self, field: str = "programme") -> Q:
        """Rows of the programmes the actor's organisation leads, for project leaders and
        evaluators: what the programme's owner follows across all its partners."""
        if not self.reads:
            return _nothing()
        return Q(**{f"{field}__lead_organisation": self.organisation})
