"""Every date a user types into a form falls in a meaningful window (lotsen.pages.validators):
the probe recorded a KAA contact dated 0001-01-01, and years like 9999 break what reads the
date later. What happened may be at most tomorrow; what is planned at most ten years ahead;
nothing before 1900. The message names the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from lotsen.accounts.models import Role
from lotsen.events import forms as event_forms
from lotsen.finance import forms as finance_forms
from lotsen.kaa import forms as kaa_forms
from lotsen.kaa.models import Contact
from lotsen.pages import validators
from lotsen.privacy import forms as privacy_forms
from lotsen.programmes import forms as programme_forms
from lotsen.support import forms as support_forms
from tests.factories import MembershipFactory, MunicipalityFactory, SchoolUnitFactory
from tests.kaa.conftest import M, refresh, young

H, P = validators.HAPPENED, validators.PLANNED

# (form, the arguments it needs, field, kind): every user-entered date in these forms.
DATE_FIELDS = [
    (kaa_forms.ContactForm, {}, "contact_date", H),
    (kaa_forms.MeasureForm, {}, "offered_on", H),
    (kaa_forms.MeasureForm, {}, "start_date", H),
    (kaa_forms.MeasureForm, {}, "planned_end_date", P),
    (kaa_forms.MeasureForm, {}, "follow_up_on", P),
    (kaa_forms.MeasureStartForm, {}, "start_date", H),
    (kaa_forms.MeasureEndForm, {}, "end_date", H),
    (kaa_forms.FollowUpForm, {}, "due_on", P),
    (kaa_forms.EquivalentEducationForm, {}, "start_date", H),
    (kaa_forms.EquivalentEducationForm, {}, "end_date", P),
    (kaa_forms.NoticeForm, {}, "event_date", H),
    (support_forms.CaseCloseForm, {}, "closed_on", H),
    (support_forms.GoalForm, {}, "target_date", P),
    (support_forms.PlanActionForm, {"organisations": []}, "follow_up_on", P),
    (support_forms.InterventionForm, {"organisations": []}, "start", P),
    (support_forms.InterventionEndForm, {}, "end", H),
    (support_forms.ContactForm, {}, "date", H),
    (event_forms.EventForm, {}, "date", P),
    (event_forms.TrainingHoursFilterForm, {}, "date_from", P),
    (event_forms.TrainingHoursFilterForm, {}, "date_to", P),
    (programme_forms.EntryForm, {}, "entry_date", P),
    (programme_forms.ExitForm, {}, "exit_date", H),
    (programme_forms.ReportForm, {}, "start", P),
    (programme_forms.ReportForm, {}, "end", P),
    (privacy_forms.ConsentForm, {}, "given_on", H),
    (privacy_forms.ConsentForm, {}, "expires_on", P),
    (finance_forms.ActualCostForm, {}, "date", H),
]
IDS = [
    f"{form.__module__.split('.')[1]}.{form.__name__}.{name}" for form, _, name, _ in DATE_FIELDS
]


def messages(form_class, kwargs, name, value) -> list[str]:
    field = form_class(**kwargs).fields[name]
    try:
        field.clean(value)
    except ValidationError as exc:
        return exc.messages
    return []


@pytest.mark.django_db
@pytest.mark.parametrize(("form_class", "kwargs", "name", "kind"), DATE_FIELDS, ids=IDS)
def test_every_form_date_keeps_to_its_window(form_class, kwargs, name, kind):
    today = timezone.localdate()
    label = str(form_class(**kwargs).fields[name].label)
    assert messages(form_class, kwargs, name, "0001-01-01") == [
        validators.ERROR_DATE_TOO_EARLY.format(field=label, earliest="1900-01-01")
    ]
    assert messages(form_class, kwargs, name, "1899-12-31") != []
    assert messages(form_class, kwargs, name, "1900-01-01") == []
    assert messages(form_class, kwargs, name, today.isoformat()) == []
    assert messages(form_class, kwargs, name, "2026-02-30") != []  # not a date at all
    next_week = (today + dt.timedelta(days=7)).isoformat()
    if kind == H:
        assert messages(form_class, kwargs, name, next_week) == [
            validators.ERROR_DATE_IN_FUTURE.format(field=label)
        ]
        assert messages(form_class, kwargs, name, "9999-12-31") != []
    else:
        assert messages(form_class, kwargs, name, next_week) == []
        latest = validators.latest_date(P, today=today).isoformat()
        assert messages(form_class, kwargs, name, "9999-12-31") == [
            validators.ERROR_DATE_TOO_LATE.format(field=label, latest=latest)
        ]


def test_the_window_edges():
    today = dt.date(2026, 12, 3)
    assert validators.latest_date(H, today=today) == dt.date(2026, 12, 4)
    assert validators.latest_date(P, today=today) == dt.date(2036, 12, 3)
    assert validators.latest_date(P, today=dt.date(2028, 2, 29)) == dt.date(2038, 2, 28)


@pytest.mark.django_db
def test_a_kaa_contact_dated_year_one_is_refused_on_the_page(client):
    """The probe's case: a contact dated 0001-01-01 was recorded."""
    municipality = MunicipalityFactory(municipality_code=M)
    coordinator = MembershipFactory(organisation=municipality, role=Role.KAA_COORDINATOR)
    person = young(SchoolUnitFactory())
    refresh()
    client.force_login(coordinator.user)
    url = reverse("kaa:contact_create", args=[person.pk])
    page = client.post(
        url,
        {"kind": "contact", "method": "phone", "contact_date": "0001-01-01", "occupation": "work"},
    )
    assert page.status_code == 200
    assert "govuk-error-summary" in page.text
    message = validators.ERROR_DATE_TOO_EARLY.format(field="Datum", earliest="1900-01-01")
    assert message.replace("”", "&#x201d;") in page.text or message in page.text
    assert not Contact.objects.exists()
