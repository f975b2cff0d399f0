"""ProgrammePolicy: the one sub-project team rule, for every role, and every app's lists
and detail pages agree with it.

The world (tests/programmes/conftest.py): Region Nord leads the programme; Kommun A leads
sub-project A with Kommun B taking part; Kommun B leads B; Kommun S (in Region Syd) leads
Syd; Kommun Utanför works in nothing.
"""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.events import selectors as events
from lotsen.finance import selectors as finance
from lotsen.insights import selectors as insights
from lotsen.programmes.models import Programme, SubProject
from lotsen.programmes.policy import ProgrammePolicy
from lotsen.programmes.selectors import participation_get_for, participation_list
from lotsen.surveys import selectors as surveys
from lotsen.surveys.models import Survey
from tests.factories import MembershipFactory, MunicipalityFactory, OrganisationFactory
from tests.programmes.conftest import D, participant

ALL = {"a", "b", "south"}

# role name -> (organisation key, role, team for, works in, team for the programme)
ROLES = {
    # The programme's lead organisation works in every sub-project.
    "lead_org_leader": ("region", Role.PROJECT_LEADER, ALL, ALL, True),
    # Kommun A leads A.
    "subproject_lead_leader": ("a", Role.PROJECT_LEADER, {"a"}, {"a"}, True),
    # Kommun B takes part in A and leads B.
    "participating_org_leader": ("b", Role.PROJECT_LEADER, {"a", "b"}, {"a", "b"}, True),
    "other_subproject_leader": ("south", Role.PROJECT_LEADER, {"south"}, {"south"}, True),
    "other_org_leader": ("outsider", Role.PROJECT_LEADER, set(), set(), False),
    "lead_org_evaluator": ("region", Role.EVALUATOR, set(), ALL, False),
    "participating_org_evaluator": ("b", Role.EVALUATOR, set(), {"a", "b"}, False),
    "system_admin": ("region", Role.SYSTEM_ADMIN, set(), set(), False),
    "organisation_admin": ("region", Role.ORGANISATION_ADMIN, set(), set(), False),
    "kaa_coordinator": ("a", Role.KAA_COORDINATOR, set(), set(), False),
}


def _actor(orgs, name: str) -> Actor:
    org_key, role = ROLES[name][:2]
    return Actor.for_membership(MembershipFactory(organisation=orgs[org_key], role=role))


def _keys(subprojects, rows) -> set[str]:
    ids = {row.pk for row in rows}
    return {key for key, sub in subprojects.items() if sub.pk in ids}


@pytest.mark.parametrize("name", sorted(ROLES))
def test_the_team_rule_for_every_role(name, orgs, programme, subprojects):
    _org, role, team, works_in, programme_team = ROLES[name]
    policy = ProgrammePolicy(_actor(orgs, name))
    # The queryset and the single answer are the same rule.
    assert _keys(subprojects, policy.team_subprojects()) == team
    for key, sub in subprojects.items():
        assert policy.is_team_for_subproject(sub) is (key in team), key
    assert _keys(subprojects, policy.works_in_subprojects()) == works_in
    assert list(policy.team_programmes()) == ([programme] if programme_team else [])
    assert policy.is_team_for_programme(programme) is programme_team
    assert list(policy.works_in_programmes()) == ([programme] if works_in else [])
    # Every project leader and evaluator reads every programme's figures, suppressed.
    assert policy.may_read_programmes() is (role in (Role.PROJECT_LEADER, Role.EVALUATOR))
    # Exact figures for a part of the programme: team for every sub-project in it.
    for key, sub in subprojects.items():
        assert policy.sees_exact_figures(programme=programme, part=[sub]) is (key in team)
    north = [subprojects["a"], subprojects["b"]]
    assert policy.sees_exact_figures(programme=programme, part=north) is ({"a", "b"} <= team)
    assert policy.sees_exact_figures(programme=programme) is programme_team


def test_an_actor_without_an_organisation_is_team_for_nothing(subprojects, programme):
    policy = ProgrammePolicy(None)
    assert not policy.team_subprojects().exists() and not policy.works_in_programmes().exists()
    assert not policy.is_team_for_subproject(subprojects["a"])
    assert not policy.is_team_for_programme(programme)


def test_a_region_is_not_team_for_what_its_municipality_leads(orgs):
    """Finance's copy counted sub-organisations as the organisation's own: a region saw (and
    its project leaders could change) the budget of a sub-project its municipality leads in
    another organisation's programme, while the programme pages denied the same region
    the sub-project's participants. The rule is the programme pages': a region and its
    municipalities are separate authorities."""
    other_lead = OrganisationFactory(name="Stiftelsen")
    programme = Programme.objects.create(
        name="Annat program",
        framework="esfplus",
        start=D(2024, 1, 1),
        end=D(2026, 12, 31),
        lead_organisation=other_lead,
    )
    sub = SubProject.objects.create(
        programme=programme,
        name="Kommun A:s delprojekt",
        lead_organisation=orgs["a"],
        start=D(2024, 1, 1),
        end=D(2026, 12, 31),
    )
    region = Actor.for_membership(
        MembershipFactory(organisation=orgs["region"], role=Role.PROJECT_LEADER)
    )
    assert not ProgrammePolicy(region).is_team_for_subproject(sub)
    assert not finance.finance_subprojects_for(actor=region).filter(pk=sub.pk).exists()
    with pytest.raises(Http404):
        finance.finance_subproject_get_for(actor=region, subproject_id=sub.pk)
    with pytest.raises(Http404):
        finance.finance_programme_get_for(actor=region, programme_id=programme.pk)
    assert participation_list(actor=region, subproject=sub) == []
    # The municipality itself still is.
    town = Actor.for_membership(MembershipFactory(organisation=orgs["a"], role=Role.PROJECT_LEADER))
    assert finance.finance_subproject_get_for(actor=town, subproject_id=sub.pk, for_write=True)


@pytest.mark.parametrize("name", sorted(ROLES))
def test_every_app_list_and_detail_agree_with_the_rule(name, orgs, programme, subprojects, client):
    _org, role, team, works_in, programme_team = ROLES[name]
    actor = _actor(orgs, name)
    rows = {key: participant(sub) for key, sub in subprojects.items()}
    client.force_login(actor.user)

    # Programmes: participant records, their pages and forms.
    for key, sub in subprojects.items():
        listed = {r.participation_id for r in participation_list(actor=actor, subproject=sub)}
        assert listed == ({rows[key].pk} if key in team else set()), key
        if key in team:
            assert participation_get_for(actor=actor, participation_id=rows[key].pk)
        else:
            with pytest.raises(Http404):
                participation_get_for(actor=actor, participation_id=rows[key].pk)
        page = client.get(reverse("programmes:participants", args=[sub.pk]))
        assert page.status_code == (200 if key in team else 404), key

    # Finance: the list, the detail page and the right to write.
    listed = _keys(subprojects, finance.finance_subprojects_for(actor=actor))
    assert listed == works_in
    for key, sub in subprojects.items():
        page = client.get(reverse("finance:subproject", args=[sub.pk]))
        assert page.status_code == (200 if key in works_in else 404), key
        if key not in works_in:
            with pytest.raises(Http404):
                finance.finance_subproject_get_for(actor=actor, subproject_id=sub.pk)
        elif key in team:
            assert finance.finance_subproject_get_for(
                actor=actor, subproject_id=sub.pk, for_write=True
            )
        else:
            with pytest.raises(PermissionDenied):
                finance.finance_subproject_get_for(
                    actor=actor, subproject_id=sub.pk, for_write=True
                )
    assert list(finance.finance_programmes_for(actor=actor)) == ([programme] if works_in else [])

    # Events and surveys are made for the programmes and sub-projects the actor is team for.
    assert list(events.programmes_for(actor)) == ([programme] if programme_team else [])
    assert list(surveys.programmes_for(actor)) == ([programme] if programme_team else [])
    assert _keys(subprojects, surveys.subprojects_for(actor)) == team

    # A survey run by Kommun A for sub-project A: its list row and its page say the same.
    survey = Survey.objects.create(
        title="Enkät", organisation=orgs["a"], programme=programme, subproject=subprojects["a"]
    )
    readers = role in (Role.PROJECT_LEADER, Role.EVALUATOR)
    visible = readers and (bool(works_in) or _org == "a")
    if readers:
        listed = dict(surveys.surveys_for(actor=actor))
        assert (survey in listed) is visible
    expected = None
    if visible:
        expected = surveys.TEAM if name == "subproject_lead_leader" else surveys.OUTSIDE
        assert listed[survey] == expected
    assert surveys.access_for(actor, survey) == expected
    assert client.get(reverse("surveys:detail", args=[survey.pk])).status_code == (
        200 if expected == surveys.TEAM else 404
    )
    assert client.get(reverse("surveys:results", args=[survey.pk])).status_code == (
        200 if visible else 404
    )

    # Insights: figures over the sub-projects the organisation works in, exact for a team.
    if readers:
        counted = set(insights.participations_for(actor).values_list("subproject_id", flat=True))
        assert counted == {subprojects[key].pk for key in works_in}
        assert list(insights.programmes_for(actor)) == ([programme] if works_in else [])
        data = insights.what_works(actor=actor)
        assert data.suppressed is (role != Role.PROJECT_LEADER)
    else:
        with pytest.raises(Http404):
            insights.participations_for(actor)
        with pytest.raises(Http404):
            insights.programmes_for(actor)


def _count(page: str) -> str:
    return re.search(r'id="antal-deltagare">\s*([^<]*?)\s*<', page).group(1)


def test_a_region_part_is_exact_only_for_the_team_of_every_subproject_in_it(
    client, orgs, programme, subprojects, leader_south, region_leader
):
    """The programme page and the indicator report chose "team" for a region with the
    programme rule, so a partner in Syd saw exact figures for Region Nord's sub-projects
    that the sub-project pages hide from it. A part of the programme now asks the
    sub-project rule for each sub-project in it."""
    for _ in range(3):
        participant(subprojects["a"])
    north = {"region": orgs["region"].pk}
    client.force_login(leader_south.user)
    region_page = client.get(f"/program/{programme.pk}/", north).content.decode()
    subproject_page = client.get(f"/program/delprojekt/{subprojects['a'].pk}/").content.decode()
    assert _count(subproject_page) == "färre än 5"
    assert _count(region_page) == "färre än 5"
    report = client.get(
        f"/program/{programme.pk}/indikatorer/json/",
        {**north, "framework": "esfplus", "start": "2025-01-01", "end": "2025-12-31"},
    ).json()
    assert report["total_participants"]["total"] == "<5"
    # The whole programme stays exact for every partner in it, as before.
    whole = client.get(f"/program/{programme.pk}/").content.decode()
    assert _count(whole) == "3"
    # The programme's lead is team for every part.
    client.force_login(region_leader.user)
    assert _count(client.get(f"/program/{programme.pk}/", north).content.decode()) == "3"


def test_a_municipality_in_the_region_is_not_the_region(orgs, programme):
    """Sub-organisations do not make an organisation work in a sub-project: a second
    municipality of Region Nord with no part in the programme is team for nothing."""
    neighbour = MunicipalityFactory(name="Kommun C", parent=orgs["region"])
    actor = Actor.for_membership(
        MembershipFactory(organisation=neighbour, role=Role.PROJECT_LEADER)
    )
    assert not ProgrammePolicy(actor).team_programmes().exists()
    assert not ProgrammePolicy(actor).is_team_for_programme(programme)
