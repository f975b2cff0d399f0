"""Signal pages through the test client: the school start page lists pupils with signals,
the signal page takes a signal from assigned to closed, forms show errors at the summary
and the field, a foreign signal id is a plain 404, and the person page has a school
section with a chart and its table."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from lotsen.accounts.models import Role
from lotsen.earlywarning.models import Signal, SignalStatus
from lotsen.earlywarning.services import ERROR_ACTION_TEXT, ERROR_OUTCOME_CODE, signals_compute
from tests.earlywarning.conftest import enrol, term_grades, uniform, weeks_of_absence
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    SchoolUnitFactory,
    SignalFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def mentor_client(client, mentor):
    client.force_login(mentor.user)
    return client


@pytest.fixture
def signal(school, mentor, today):
    person = enrol(school)
    person.given_name, person.family_name = "Sara", "Lind"
    person.save()
    weeks_of_absence(person, invalid=(0, 0, 0, 280), end=today)
    term_grades(person, uniform("C", MA="F"), registered_on=today - dt.timedelta(days=10))
    signals_compute(today=today)
    return Signal.objects.get(person=person, rule_id="absence_invalid")


def test_start_page_lists_the_pupil_once_with_the_signal_as_the_reason(mentor_client, signal):
    # The school start page is the inbox's first rows (lotsen.inbox): one row per pupil,
    # the signal as a reason that opens the signal page, where its evidence is.
    page = mentor_client.get(reverse("web:start"))
    assert page.status_code == 200
    text = page.text
    assert text.count(">Sara Lind</a>") == 1
    assert f"Signal: {signal.get_rule_id_display()}" in text
    assert reverse("signals:detail", args=[signal.pk]) in text
    assert "Försenad" not in text


def test_signals_nobody_acknowledged_in_time_are_overdue_and_come_first(
    mentor_client, signal, school, today, settings
):
    settings.LOTSEN_INBOX_OVERDUE_DAYS = 5
    newer = enrol(school)
    SignalFactory(person=newer, school_unit=school)
    Signal.objects.filter(pk=signal.pk).update(raised_on=today - dt.timedelta(days=10))
    text = mentor_client.get(reverse("web:start")).text
    assert text.count("Försenad") == 1
    assert text.index("Sara Lind") < text.index(newer.full_name)


def test_the_inbox_filters_by_year_and_status(mentor_client, signal, school):
    other = enrol(school, school_year=8)
    SignalFactory(person=other, school_unit=school)
    inbox = reverse("inbox:index")
    by_year = mentor_client.get(inbox, {"arskurs": "8"}).text
    assert "Sara Lind" not in by_year and other.full_name in by_year
    overdue = mentor_client.get(inbox, {"status": "forsenad"}).text
    assert "Sara Lind" not in overdue and other.full_name not in overdue
    assert mentor_client.get(inbox, {"arskurs": "x"}).status_code == 200


def test_start_page_for_a_kaa_coordinator_has_no_signal_list(client):
    kaa = MembershipFactory(organisation=MunicipalityFactory(), role=Role.KAA_COORDINATOR)
    client.force_login(kaa.user)
    assert "Elever med signaler" not in client.get(reverse("web:start")).text


def test_the_signal_page_from_acknowledge_to_closed(mentor_client, signal):
    url = reverse("signals:detail", args=[signal.pk])
    page = mentor_client.get(url)
    assert page.status_code == 200
    assert "Ogiltig frånvaro 7 %" in page.text and "Underlag" in page.text
    assert "Schemalagd tid (minuter)" in page.text and "4000" in page.text
    assert "Kvittera" in page.text and "Registrera åtgärd" not in page.text

    response = mentor_client.post(reverse("signals:acknowledge", args=[signal.pk]))
    assert response["Location"] == url
    page = mentor_client.get(url)
    assert "Signalen är kvitterad." in page.text
    assert "Registrera åtgärd" in page.text and "Avsluta signalen" in page.text

    response = mentor_client.post(
        reverse("signals:record_action", args=[signal.pk]), {"text": "Samtal med Sara."}
    )
    assert response["Location"] == url
    response = mentor_client.post(
        reverse("signals:close", args=[signal.pk]),
        {"outcome_code": "improved", "outcome": "Närvaron är bättre."},
    )
    assert response["Location"] == url
    signal.refresh_from_db()
    assert signal.status == SignalStatus.CLOSED
    page = mentor_client.get(url)
    assert "Samtal med Sara." in page.text and "Situationen har blivit bättre" in page.text
    assert "Kvittera</button>" not in page.text and "Avsluta signalen" not in page.text


def test_forms_show_errors_in_the_summary_and_at_the_field(mentor_client, signal):
    mentor_client.post(reverse("signals:acknowledge", args=[signal.pk]))
    page = mentor_client.post(reverse("signals:record_action", args=[signal.pk]), {"text": " "})
    assert page.status_code == 200
    assert "govuk-error-summary" in page.text
    assert f"Vad har du gjort eller ska göra?: {ERROR_ACTION_TEXT}" in page.text
    assert 'id="id_text-error"' in page.text
    page = mentor_client.post(reverse("signals:close", args=[signal.pk]), {})
    assert f"Hur gick det?: {ERROR_OUTCOME_CODE}" in page.text
    assert 'href="#id_outcome_code_0"' in page.text
    page = mentor_client.post(reverse("signals:close", args=[signal.pk]), {"outcome_code": "other"})
    assert "Beskriv utfallet: Beskriv hur det gick." in page.text
    signal.refresh_from_db()
    assert signal.status == SignalStatus.ACKNOWLEDGED


def test_a_step_out_of_order_gives_a_message_not_an_error_page(mentor_client, signal):
    mentor_client.post(reverse("signals:acknowledge", args=[signal.pk]))
    again = mentor_client.post(reverse("signals:acknowledge", args=[signal.pk]), follow=True)
    assert "Signalen är redan kvitterad." in again.text


def test_assign_to_me(client, signal, school):
    counsellor = MembershipFactory(organisation=school, role=Role.COUNSELLOR)
    client.force_login(counsellor.user)
    page = client.get(reverse("signals:detail", args=[signal.pk]))
    assert "Ta signalen själv" in page.text
    client.post(reverse("signals:assign_to_me", args=[signal.pk]))
    signal.refresh_from_db()
    assert signal.assigned_to == counsellor.user


def test_foreign_and_missing_signal_ids_are_the_same_404(mentor_client, signal):
    other_school = SchoolUnitFactory()
    foreign = SignalFactory(person=enrol(other_school), school_unit=other_school)
    missing = mentor_client.get(reverse("signals:detail", args=[foreign.pk + 1000]))
    forbidden = mentor_client.get(reverse("signals:detail", args=[foreign.pk]))
    assert missing.status_code == forbidden.status_code == 404
    # Alike but for the CSRF token of the 404 page's language form, new on every render.
    csrf = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
    assert csrf.sub(b"", missing.content) == csrf.sub(b"", forbidden.content)
    for name in ("acknowledge", "assign_to_me", "record_action", "close"):
        assert mentor_client.post(reverse(f"signals:{name}", args=[foreign.pk])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == SignalStatus.OPEN


def test_workflow_posts_only(mentor_client, signal):
    assert mentor_client.get(reverse("signals:acknowledge", args=[signal.pk])).status_code == 405


def test_signal_pages_need_login(client, signal):
    response = client.get(reverse("signals:detail", args=[signal.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_person_page_has_a_school_section(mentor_client, signal):
    page = mentor_client.get(reverse("web:person_detail", args=[signal.person_id]))
    text = page.text
    assert page.status_code == 200
    for heading in ("Skola", "Betyg", "Meritvärde", "Behörighet till gymnasiet", "Signaler"):
        assert heading in text
    assert "Frånvaro över tid" in text and "<svg" in text and 'role="img"' in text
    assert "Närvaro och frånvaro per period" in text  # the table next to the chart
    assert "Inte behörig" in text and "Behöver godkänt i matematik" in text
    assert "Ogiltig frånvaro 7 % de senaste fyra veckorna" in text


def test_the_person_page_for_a_kaa_coordinator_has_no_school_section(client, signal):
    municipality = MunicipalityFactory(municipality_code=signal.person.home_municipality_code)
    kaa = MembershipFactory(organisation=municipality, role=Role.KAA_COORDINATOR)
    client.force_login(kaa.user)
    page = client.get(reverse("web:person_detail", args=[signal.person_id]))
    assert page.status_code == 200
    assert "Meritvärde" not in page.text and "Frånvaro över tid" not in page.text


def test_english_signal_page(mentor_client, signal):
    mentor_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = mentor_client.get(reverse("signals:detail", args=[signal.pk]))
    assert '<html lang="en"' in page.text


def test_rule_settings_are_configured_in_the_admin(admin_client, school):
    url = reverse("admin:signals_rulesetting_add")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "organisation": school.pk,
            "rule_id": "absence_total",
            "thresholds": '{"percent": 120}',
            "enabled": "on",
        },
    )
    assert "gränsen percent för regeln absence_total ska vara mellan 0,1 och 100" in response.text
    admin_client.post(
        url,
        {
            "organisation": school.pk,
            "rule_id": "absence_total",
            "thresholds": '{"percent": 12}',
            "enabled": "on",
        },
    )
    assert school.rule_settings.get().thresholds == {"percent": 12}
