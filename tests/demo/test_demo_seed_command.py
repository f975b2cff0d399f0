"""``lotsen demo-seed kaa|programmes|finance``: one part of the demo on its own. The parts
moved here from the domain apps' own commands (``lotsen kaa demo-seed`` and the like),
which serve no demo data any more."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from lotsen.demo.generator import DEMO_MUNICIPALITY_CODE, demo_build
from lotsen.demo.management.commands.demo import ERROR_PRODUCTION
from lotsen.demo.programmes import DEMO_PROGRAMME_NAME
from lotsen.finance.models import BudgetLine
from lotsen.kaa.models import CohortMembership
from lotsen.programmes.models import Programme
from tests.finance.factories import ProgrammeFactory, SubProjectFactory

pytestmark = pytest.mark.django_db


def demo_seed(*args: str) -> str:
    out = io.StringIO()
    call_command("demo-seed", *args, stdout=out)
    return out.getvalue()


def test_kaa_and_programmes_parts_seed_once_on_top_of_the_demo():
    demo_build(size=300, seed=2026)

    first = demo_seed("kaa")
    assert first.startswith("Aktivitetsansvaret: ")
    members = CohortMembership.objects.filter(municipality_code=DEMO_MUNICIPALITY_CODE)
    assert members.exists()
    assert demo_seed("kaa").strip() == (
        "Aktivitetsansvaret i demokommunen finns redan. Inget har ändrats."
    )

    assert demo_seed("programmes").startswith(f"Program: {DEMO_PROGRAMME_NAME}: 5 regioner")
    programme = Programme.objects.get(name=DEMO_PROGRAMME_NAME)
    assert programme.subprojects.count() == 30
    # The programme part brings the demo budgets with it.
    assert BudgetLine.objects.filter(subproject__programme=programme).exists()
    assert demo_seed("programmes").startswith(
        f"Programmet {DEMO_PROGRAMME_NAME} fanns redan: inget nytt."
    )


def test_finance_part_writes_budgets_for_a_named_programme():
    programme = ProgrammeFactory(name="Egen satsning")
    SubProjectFactory(programme=programme)

    out = demo_seed("finance", "--programme", "Egen satsning")

    budget = r"5 budgetrader, \d+ finansieringskällor och \d+ kostnader för 1 delprojekt\."
    assert re.match(budget, out)
    assert BudgetLine.objects.filter(subproject__programme=programme).count() == 5


def test_finance_part_names_an_unknown_programme():
    with pytest.raises(CommandError, match="det finns inget program som heter 'Okänt'"):
        demo_seed("finance", "--programme", "Okänt")


def test_kaa_part_rejects_a_municipality_code_that_is_not_four_digits():
    with pytest.raises(CommandError, match="ogiltig kommunkod 12"):
        demo_seed("kaa", "--municipality", "12")


def test_the_parts_refuse_under_production_settings_and_write_nothing(settings):
    settings.LOTSEN_PRODUCTION = True
    with pytest.raises(CommandError, match=re.escape(ERROR_PRODUCTION)):
        demo_seed("programmes")
    assert not Programme.objects.exists()


@pytest.mark.parametrize(
    ("command", "part"),
    [("kaa", "demo-seed"), ("finance", "demo-seed"), ("programmes", "demo-seed")],
)
def test_the_domain_commands_no_longer_serve_demo_data(command, part):
    with pytest.raises(CommandError, match="invalid choice: 'demo-seed'"):
        call_command(command, part)
