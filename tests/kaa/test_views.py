"""The KAA pages and the notices API through the test client: who reaches what, forms
with the error summary and the message at the field, downloads, and a receipt that says
nothing about the pupil."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lotsen.accounts.models import Role
from lotsen.kaa.models import Contact, Measure, Notice
from lotsen.kaa.services import ERROR_OCCUPATION_REQUIRED
from tests.factories import MembershipFactory
from tests.kaa.conftest import M, refresh, today, young

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(municipality, school):
    person = young(school, given_name="Sara", family_name="Lind")
    refresh()
    return person


@pytest.fixture
def kaa_client(client, coordinator):
    client.force_login(coordinator.user)
    return client


@pytest.fixture
def counsellor_client(client, counsellor):
    client.force_login(counsellor.user)
    return client


def test_the_overview_leads_with_the_unknown_share(kaa_client, member):
    page = kaa_client.get(reverse("kaa:overview"))
    assert page.status_code == 200
    text = page.text
    assert "Okänd status" in text and 'id="okand-andel">100 %' in text
    assert "<svg" in text and "<table" in text
    assert reverse("kaa:cohort") + "?status=unknown" in text


def test_the_cohort_list_filters_and_links_to_the_register(kaa_client, member):
    page = kaa_client.get(reverse("kaa:cohort"), {"status": "unknown"})
    assert "Lind, Sara" in page.text
    assert reverse("kaa:person", args=[member.pk]) in page.text
    reached = kaa_client.get(reverse("kaa:cohort"), {"status": "reached"})
    assert "Lind, Sara" not in reached.text


def test_the_register_page_and_recording_a_contact(kaa_client, member):
    page = kaa_client.get(reverse("kaa:person", args=[member.pk]))
    assert page.status_code == 200 and "Sara Lind" in page.text
    url = reverse("kaa:contact_create", args=[member.pk])
    bad = kaa_client.post(
        url, {"kind": "contact", "method": "phone", "contact_date": today().isoformat()}
    )
    assert bad.status_code == 200
    assert "govuk-error-summary" in bad.text
    assert f'href="#id_occupation_0">Vad gör personen nu?: {ERROR_OCCUPATION_REQUIRED}' in bad.text
    assert 'id="id_occupation-error"' in bad.text
    assert not Contact.objects.exists()
    good = kaa_client.post(
        url,
        {
            "kind": "contact",
            "method": "phone",
            "contact_date": today().isoformat(),
            "occupation": "work",
        },
    )
    assert good.status_code == 302 and good.url == reverse("kaa:person", args=[member.pk])
    overview = kaa_client.get(reverse("kaa:overview"))
    assert 'id="okand-andel">0 %' in overview.text


def test_recording_and_ending_a_measure(kaa_client, member):
    url = reverse("kaa:measure_create", args=[member.pk])
    form = kaa_client.get(url)
    assert "Studie- och yrkesvägledning" in form.text
    from lotsen.kaa.models import MeasureType

    guidance = MeasureType.objects.get(code="guidance")
    started = today() - dt.timedelta(days=5)
    missing = kaa_client.post(
        url, {"measure_type": guidance.pk, "status": "started", "offered_on": started}
    )
    assert "Ange när åtgärden började." in missing.text
    done = kaa_client.post(
        url,
        {
            "measure_type": guidance.pk,
            "status": "started",
            "offered_on": started.isoformat(),
            "start_date": started.isoformat(),
            "goal": "Välja utbildning",
            "follow_up_on": today().isoformat(),
        },
    )
    assert done.status_code == 302
    measure = Measure.objects.get()
    end_url = reverse("kaa:measure_end", args=[member.pk, measure.pk])
    assert kaa_client.get(end_url).status_code == 200
    ended = kaa_client.post(
        end_url,
        {"end_date": today().isoformat(), "end_reason": "started_work", "occupation_after": "work"},
    )
    assert ended.status_code == 302
    measure.refresh_from_db()
    assert measure.status == "ended"
    page = kaa_client.get(reverse("kaa:person", args=[member.pk]))
    assert "Började arbeta" in page.text


def test_plan_page_links_to_the_support_case_it_opened(kaa_client, member):
    url = reverse("kaa:plan_edit", args=[member.pk])
    response = kaa_client.post(
        url,
        {
            "planning": "Samtal",
            "goal": "Studier",
            "coordinated_support_needed": "on",
            "coordinated_support_note": "Socialtjänsten",
        },
    )
    assert response.status_code == 302
    from lotsen.support.models import Case

    case = Case.objects.get(person=member)
    page = kaa_client.get(reverse("kaa:person", args=[member.pk]))
    assert reverse("support:case_detail", args=[case.pk]) in page.text
    assert "Socialtjänsten" in page.text
    assert kaa_client.get(reverse("support:case_detail", args=[case.pk])).status_code == 200


def test_the_export_page_checks_and_downloads(kaa_client, member):
    from lotsen.kaa.models import ReportPeriod

    period = ReportPeriod.objects.filter(starts_on__lte=today()).order_by("-starts_on").first()
    page = kaa_client.get(reverse("kaa:export"))
    assert period.code in page.text
    checked = kaa_client.post(reverse("kaa:export"), {"period": period.code, "action": "check"})
    assert 'id="kontroll-ok"' in checked.text
    xlsx = kaa_client.post(reverse("kaa:export"), {"period": period.code, "action": "xlsx"})
    assert xlsx["Content-Disposition"].endswith('.xlsx"')
    assert "no-store" in xlsx["Cache-Control"]  # it holds personal identity numbers
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "Om filen"
    missing = kaa_client.post(reverse("kaa:export"), {"action": "check"})
    assert "Välj vilket halvår rapporten gäller." in missing.text


def test_the_statistics_download(kaa_client, member):
    response = kaa_client.get(reverse("kaa:statistics_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert "<5" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["kaa:overview", "kaa:cohort", "kaa:inbox", "kaa:export"])
def test_school_staff_do_not_reach_the_kaa_pages(counsellor_client, member, name):
    assert counsellor_client.get(reverse(name)).status_code == 404
    assert counsellor_client.get(reverse("kaa:person", args=[member.pk])).status_code == 404


def test_a_foreign_person_is_a_plain_404(kaa_client, school):
    stranger = young(school, municipality="0180")
    for name in ("kaa:person", "kaa:contact_create", "kaa:measure_create", "kaa:plan_edit"):
        assert kaa_client.get(reverse(name, args=[stranger.pk])).status_code == 404


def test_school_staff_send_a_notice_and_get_only_a_receipt(counsellor_client, member, counsellor):
    url = reverse("kaa:notice_create")
    bad = counsellor_client.post(url, {"kind": "dropout", "personal_identity_number": "123"})
    assert "govuk-error-summary" in bad.text
    response = counsellor_client.post(
        url,
        {
            "kind": "dropout",
            "personal_identity_number": member.personal_identity_number,
            "home_municipality_code": M,
            "event_date": today().isoformat(),
            "programme": "ek",
        },
    )
    notice = Notice.objects.get()
    assert response.url == reverse("kaa:notice_receipt", args=[notice.receipt])
    receipt = counsellor_client.get(response.url)
    assert notice.receipt in receipt.text
    assert "Sara" not in receipt.text and member.personal_identity_number[2:8] not in receipt.text
    assert notice.programme == "EK"


def test_the_coordinator_handles_the_notice(kaa_client, member, counsellor):
    from lotsen.kaa.services import notice_send

    notice_send(
        actor=counsellor, kind="absence", personal_identity_number=member.personal_identity_number,
        home_municipality_code=M, event_date=today(),
    )  # fmt: skip
    inbox = kaa_client.get(reverse("kaa:inbox"))
    assert "Sara Lind" in inbox.text and "Betydande ogiltig frånvaro" in inbox.text
    notice = Notice.objects.get()
    kaa_client.post(reverse("kaa:notice_handled", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.handled_at is not None
    assert kaa_client.get(reverse("kaa:notice_create")).status_code == 404


def test_the_notice_api(client, counsellor, coordinator, member):
    client.force_login(counsellor.user)
    url = reverse("kaa:notice-list")
    created = client.post(
        url,
        {
            "kind": "stop",
            "personal_identity_number": member.personal_identity_number,
            "home_municipality_code": M,
            "event_date": today().isoformat(),
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    assert set(created.json()) == {"receipt", "sent_at"}
    assert Notice.objects.get().source == "api"
    invalid = client.post(
        url, {"kind": "stop", "personal_identity_number": "x", "home_municipality_code": M,
              "event_date": today().isoformat()}, content_type="application/json",
    )  # fmt: skip
    assert invalid.status_code == 400 and "personal_identity_number" in invalid.json()
    assert client.get(url).status_code == 404  # the sender reads nothing back
    client.force_login(coordinator.user)
    listed = client.get(url).json()
    assert [(n["kind"], n["person_id"]) for n in listed] == [("stop", member.pk)]


def test_the_api_is_in_the_schema(client, coordinator):
    client.force_login(coordinator.user)
    schema = client.get(reverse("api-schema")).content.decode()
    assert "/aktivitetsansvar/api/notices/" in schema


def test_a_coordinator_in_a_school_unit_is_not_a_municipality(client, school, member):
    membership = MembershipFactory(organisation=school, role=Role.KAA_COORDINATOR)
    client.force_login(membership.user)
    assert client.get(reverse("kaa:overview")).status_code == 404


def test_a_form_page_logs_that_it_showed_the_person(kaa_client, member):
    from lotsen.privacy.models import AccessLogEntry

    kaa_client.get(reverse("kaa:contact_create", args=[member.pk]))
    assert AccessLogEntry.objects.get(object_type="kaa_form").person_id == member.pk


def test_measure_types_follow_the_language(kaa_client, member):
    from django.utils import translation

    with translation.override("en"):
        page = kaa_client.get(
            reverse("kaa:measure_create", args=[member.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
    assert "Study and career guidance" in page.text
