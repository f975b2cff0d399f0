"""The cost import: all or nothing, idempotent by reference, errors naming line and column."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from lotsen.finance import imports
from lotsen.finance.imports import CostImportError, Problem, costs_import
from lotsen.finance.models import ActualCost

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 3, 15)
HEADER = "subproject,date,category,amount,description,reference\n"
GOOD = (
    HEADER
    + 'Aby unga,2022-02-28,staff,"45 000,00",Lön februari,V1001\n'
    + "Aby unga,2022-03-31,Resor,1234.5,Tåg,V1002\n"
    + "Bby studier,2022-08-15,premises,20000,Hyra,V2001\n"
)


def run(world, text, **kwargs):
    return costs_import(programme=world.programme, content=text.encode(), today=TODAY, **kwargs)


def snapshot():
    return sorted(
        ActualCost.objects.values_list(
            "subproject__name", "date", "category", "amount", "description", "import_reference"
        )
    )


def test_a_good_file_is_imported(world):
    result = run(world, GOOD)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert result.subprojects == {"Aby unga", "Bby studier"}
    assert snapshot() == [
        ("Aby unga", dt.date(2022, 2, 28), "staff", D("45000.00"), "Lön februari", "V1001"),
        ("Aby unga", dt.date(2022, 3, 31), "travel", D("1234.50"), "Tåg", "V1002"),
        ("Bby studier", dt.date(2022, 8, 15), "premises", D("20000.00"), "Hyra", "V2001"),
    ]
    assert set(ActualCost.objects.values_list("source", flat=True)) == {"imported"}


def test_the_same_file_twice_changes_nothing(world):
    run(world, GOOD)
    before = list(ActualCost.objects.order_by("pk").values())
    result = run(world, GOOD)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert list(ActualCost.objects.order_by("pk").values()) == before


def test_a_corrected_file_updates_by_reference(world):
    run(world, GOOD)
    corrected = GOOD.replace("1234.5,Tåg", "1334.5,Tåg och buss")
    result = run(world, corrected)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    cost = ActualCost.objects.get(import_reference="V1002")
    assert cost.amount == D("1334.50") and cost.description == "Tåg och buss"
    assert ActualCost.objects.count() == 3


def test_semicolons_a_bom_and_swedish_category_names(world):
    text = "\ufeffsubproject;date;category;amount;description;reference\n"
    text += "Aby unga;2022-05-02;Köpta tjänster;10 000,50;Handledning;K-7\n"
    run(world, text)
    assert snapshot() == [
        ("Aby unga", dt.date(2022, 5, 2), "purchased_services", D("10000.50"), "Handledning", "K-7")
    ]


def test_bad_input_is_reported_by_line_and_column_and_nothing_is_written(world):
    text = (
        HEADER
        + "Aby unga,2022-02-28,staff,100,,V1\n"  # line 2: good
        + "Cby okänd,2022-02-28,staff,100,,V2\n"  # line 3
        + "Aby unga,28/2/2022,staff,100,,V3\n"  # line 4
        + "Aby unga,2022-02-28,fika,100,,V4\n"  # line 5
        + "Aby unga,2022-02-28,staff,-100,,V5\n"  # line 6
        + "Aby unga,2022-02-28,staff,100,,\n"  # line 7
        + "Aby unga,2021-12-31,staff,100,,V7\n"  # line 8
        + "Aby unga,2025-03-16,staff,100,,V8\n"  # line 9
        + "Aby unga,2022-02-28,staff,100,,V1\n"  # line 10: duplicate of line 2
        + "Aby unga,2022-02-28,staff\n"  # line 11: amount and reference left out
    )
    with pytest.raises(CostImportError) as caught:
        run(world, text)
    assert caught.value.problems == [
        Problem(3, "subproject", imports.ERROR_SUBPROJECT_UNKNOWN.format(name="Cby okänd")),
        Problem(4, "date", imports.ERROR_DATE.format(value="28/2/2022")),
        Problem(
            5,
            "category",
            imports.ERROR_CATEGORY.format(
                value="fika", allowed="staff, purchased_services, travel, premises, other"
            ),
        ),
        Problem(6, "amount", "Beloppet kan inte vara negativt."),
        Problem(7, "reference", imports.ERROR_REQUIRED),
        Problem(
            8,
            "date",
            imports.ERROR_DATE_OUTSIDE.format(
                value="2021-12-31", start="2022-01-01", end="2024-06-30"
            ),
        ),
        Problem(9, "date", imports.ERROR_DATE_FUTURE.format(value="2025-03-16")),
        Problem(10, "reference", imports.ERROR_DUPLICATE.format(reference="V1", line=2)),
        Problem(11, "amount", imports.ERROR_REQUIRED),
        Problem(11, "reference", imports.ERROR_REQUIRED),
    ]
    assert str(caught.value.problems[1]) == "rad 4, kolumn date: " + imports.ERROR_DATE.format(
        value="28/2/2022"
    )
    assert not ActualCost.objects.exists()


def test_a_row_with_more_values_than_the_header_is_refused(world):
    # The trailing value used to be dropped silently.
    text = HEADER + "Aby unga,2022-02-28,staff,100,,V1\n" + "Aby unga,2022-02-28,staff,100,,V2,9\n"
    with pytest.raises(CostImportError) as caught:
        run(world, text)
    assert caught.value.problems == [
        Problem(3, "", imports.ERROR_FIELD_COUNT.format(found=7, expected=6))
    ]
    assert not ActualCost.objects.exists()


def test_amounts_the_column_cannot_hold_are_refused(world):
    text = (
        HEADER
        + "Aby unga,2022-02-28,staff,999999999999.99,,V1\n"
        + "Aby unga,2022-02-28,staff,1000000000000000,,V2\n"
        + "Aby unga,2022-02-28,staff,100000000000000000000000000,,V3\n"
    )
    with pytest.raises(CostImportError) as caught:
        run(world, text)
    assert [(p.line, p.column) for p in caught.value.problems] == [(3, "amount"), (4, "amount")]
    assert "högst 999\u00a0999\u00a0999\u00a0999,99 kronor" in caught.value.problems[0].message
    assert not ActualCost.objects.exists()


def test_header_problems(world):
    with pytest.raises(CostImportError) as caught:
        run(world, "subproject,date,amount,colour\nAby unga,2022-01-01,1,röd\n")
    assert caught.value.problems == [
        Problem(1, "category", imports.ERROR_MISSING_COLUMN),
        Problem(1, "reference", imports.ERROR_MISSING_COLUMN),
        Problem(
            1,
            "colour",
            imports.ERROR_UNKNOWN_COLUMN.format(
                known="subproject, date, category, amount, reference, description"
            ),
        ),
    ]
    with pytest.raises(CostImportError) as caught:
        run(world, "")
    assert caught.value.problems == [Problem(1, "", imports.ERROR_EMPTY)]
    with pytest.raises(CostImportError) as caught:
        run(world, HEADER)
    assert caught.value.problems == [Problem(2, "", imports.ERROR_NO_ROWS)]
    with pytest.raises(CostImportError) as caught:
        costs_import(programme=world.programme, content="å".encode("latin-1"), today=TODAY)
    assert caught.value.problems == [Problem(1, "", imports.ERROR_ENCODING)]


def test_a_file_limited_to_one_subproject(world):
    text = HEADER + ",2022-02-28,staff,100,,V1\n" + "Bby studier,2022-08-01,staff,100,,V2\n"
    with pytest.raises(CostImportError) as caught:
        run(world, text, subprojects=[world.sp_a])
    assert caught.value.problems == [
        Problem(3, "subproject", imports.ERROR_SUBPROJECT_NOT_YOURS.format(name="Bby studier"))
    ]
    result = run(world, HEADER + ",2022-02-28,staff,100,,V1\n", subprojects=[world.sp_a])
    assert result.created == 1
    assert ActualCost.objects.get().subproject == world.sp_a


def test_the_same_reference_in_two_subprojects_is_two_costs(world):
    text = HEADER + "Aby unga,2022-08-01,staff,1,,X\nBby studier,2022-08-01,staff,2,,X\n"
    assert run(world, text).created == 2
