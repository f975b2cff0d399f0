"""The "what works" reads on crafted participants: who counts as having received a
method, the last exit kept, WHO-5 change, scope, and suppression outside the team."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from lotsen.insights.selectors import TEAM, what_works
from lotsen.programmes.models import Programme, SubProject
from tests.factories import OrganisationFactory, PersonFactory
from tests.insights.conftest import START, intervention, participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def crafted(programme, methods, municipality):
    sub = programme.subprojects.get()
    mi, work = methods["Motiverande samtal"], methods["Arbetsträning"]
    for _n in range(6):
        participant(sub, methods=[mi], exit_status="employed", followup="employed", who5=(40, 60))
    participant(sub, methods=[mi], exit_status="in_education", followup="improved", who5=(50, 44))
    participant(sub, methods=[mi], exit_status="qualification")
    participant(sub, methods=[mi], exit_status="job_searching", followup="not_improved")
    # Re-entry: left job searching first, then employed; the last exit is kept.
    again = PersonFactory()
    participant(
        sub,
        methods=[mi],
        exit_status="job_searching",
        person=again,
        exit_date=START + dt.timedelta(days=30),
    )
    participant(
        sub,
        methods=[work],
        exit_status="employed",
        person=again,
        entry=START + dt.timedelta(days=60),
    )
    # Still taking part, with MI.
    participant(sub, methods=[mi])
    # Arbetsträning through a support intervention only.
    through_case = participant(sub, exit_status="other")
    intervention(through_case.person, work, municipality)
    # Someone in a programme the region has nothing to do with.
    other_org = OrganisationFactory()
    other = Programme.objects.create(
        name="Annat",
        framework="esfplus",
        start=START,
        end=START + dt.timedelta(days=900),
        lead_organisation=other_org,
    )
    other_sub = SubProject.objects.create(
        programme=other,
        name="Annat delprojekt",
        lead_organisation=other_org,
        start=START,
        end=other.end,
    )
    participant(other_sub, methods=[mi], exit_status="employed")
    return sub


def _row(data, name):
    return next(r for r in data.rows if r.method.name == name)


def test_the_team_sees_the_figures_in_full(crafted, leader):
    data = what_works(actor=leader)
    assert data.access == TEAM and data.participants == 12
    mi = _row(data, "Motiverande samtal").figures
    # 6 employed + education + qualification + job searching + the re-entrant + still in.
    assert mi.participants == 11
    # Left: 10; in education or work: 6 + 1 + 1 + the re-entrant (last exit employed).
    assert (mi.on_exit.successes, mi.on_exit.n) == (9, 10)
    assert (mi.at_6_months.successes, mi.at_6_months.n) == (7, 8)
    assert mi.wellbeing_changes == (20,) * 6 + (-6,)
    shown = _row(data, "Motiverande samtal").shown
    assert shown.on_exit.successes == "9" and shown.on_exit.share == 0.9
    assert round(shown.on_exit.interval.low, 3) == 0.596  # Wilson 9/10
    work = _row(data, "Arbetsträning").figures
    assert work.participants == 2  # the re-entrant's second spell, and the support case
    assert (work.on_exit.successes, work.on_exit.n) == (1, 2)
    navigator = _row(data, "Navigator-coachning").figures
    assert navigator.participants == 0


def test_outside_the_team_small_cells_are_hidden(crafted, evaluator):
    data = what_works(actor=evaluator)
    assert data.suppressed
    mi = _row(data, "Motiverande samtal").shown
    # One of ten did not get education or work: "<5", and 9 then gives it away.
    assert (mi.participants, mi.on_exit.successes, mi.on_exit.n) == ("11", "..", "10")
    assert mi.on_exit.share is None and mi.on_exit.interval is None
    assert mi.at_6_months.successes == ".." and mi.at_6_months.share is None
    assert mi.wellbeing_n == "7" and round(mi.wellbeing_mean, 3) == round(114 / 7, 3)
    work = _row(data, "Arbetsträning").shown
    assert work.participants == "<5" and work.on_exit.share is None


def test_an_export_is_suppressed_even_for_the_team(crafted, leader):
    data = what_works(actor=leader, export=True)
    assert data.suppressed
    assert _row(data, "Arbetsträning").shown.participants == "<5"


def test_programme_filter_and_scope(crafted, leader, municipality_leader, stranger, programme):
    assert what_works(actor=leader, programme=programme).participants == 12
    assert what_works(actor=municipality_leader).participants == 12
    assert what_works(actor=stranger).participants == 0


def test_other_roles_get_404(crafted, make_actor, region):
    for role in ("case_worker", "kaa_coordinator", "organisation_admin"):
        with pytest.raises(Http404):
            what_works(actor=make_actor(organisation=region, role=role))
