"""Amounts the database column cannot hold are refused where they are typed, as they are
in an imported file (tests/finance/test_imports.py): on SQLite they used to be stored and
then broke the sub-project page for good."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lotsen.finance import forms, money

pytestmark = pytest.mark.django_db

LARGEST = "999 999 999 999,99"


@pytest.mark.parametrize("form_class", [forms.ActualCostForm, forms.BudgetLineForm])
@pytest.mark.parametrize("amount", ["1000000000000000", "100000000000000000000000000"])
def test_a_manual_amount_above_the_column_is_refused(form_class, amount):
    form = form_class(data={"date": "2022-03-01", "category": "staff", "amount": amount})
    assert not form.is_valid()
    assert form.errors["amount"] == [
        money.ERROR_AMOUNT_TOO_LARGE.format(limit=LARGEST.replace(" ", "\u00a0"))
        .capitalize()
        .replace("kronor", "kronor.")
    ]


def test_the_largest_amount_the_column_holds_is_accepted():
    form = forms.ActualCostForm(
        data={"date": "2022-03-01", "category": "staff", "amount": "999999999999.99"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal("999999999999.99")


def test_staff_time_whose_value_overflows_the_amount_is_refused():
    form = forms.FundingSourceForm(
        data={"kind": "cofinancing_staff", "hours": "99999999.99", "hourly_rate": "99999999.99"}
    )
    assert not form.is_valid()
    assert "högst" in form.errors["hourly_rate"][0]


def test_parse_amount_never_raises_anything_but_value_error():
    for text in ["9" * 5000, "1" + "0" * 40 + ".5", "0." + "1" * 40]:
        with pytest.raises(ValueError):
            money.parse_amount(text)
