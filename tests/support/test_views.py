"""The case pages through the test client: who reaches what, the duplicate guard, the
plan conflict shown to the second writer, referrals on the receiver's start page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lotsen.earlywarning.models import Signal
from lotsen.privacy.models import AccessLogEntry
from lotsen.support.models import Case, Contact, Referral
from lotsen.support.services import case_open, goal_add, referral_send, team_member_add
from tests.factories import SignalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(mentor, pupil):
    return case_open(actor=mentor, person=pupil, target_groups=["dropout"])


def login(client, actor):
    client.force_login(actor.user)
    return client


def test_open_a_case_from_the_person_and_be_guarded_from_a_second(client, mentor, pupil):
    login(client, mentor)
    url = reverse("support:case_open", args=[pupil.pk])
    empty = client.post(url, {})
    assert empty.status_code == 200
    assert "id_target_groups-error" in empty.text and "Välj minst en målgrupp" in empty.text
    response = client.post(url, {"target_groups": ["dropout", "no_diploma"]})
    case = Case.objects.get(person=pupil)
    assert response.url == reverse("support:case_detail", args=[case.pk])
    again = client.get(url)
    assert "redan ett pågående ärende" in again.text
    assert client.post(url, {"target_groups": ["dropout"]}).status_code == 200
    assert Case.objects.count() == 1


def test_open_a_case_from_a_signal(client, mentor, pupil, school):
    signal = SignalFactory(person=pupil, school_unit=school)
    login(client, mentor)
    detail = client.get(reverse("signals:detail", args=[signal.pk]))
    assert reverse("support:case_from_signal", args=[signal.pk]) in detail.text
    response = client.post(
        reverse("support:case_from_signal", args=[signal.pk]), {"target_groups": ["dropout"]}
    )
    case = Case.objects.get(signal=signal)
    assert response.url == reverse("support:case_detail", args=[case.pk])
    assert Signal.objects.get(pk=signal.pk).events.filter(kind="action_recorded").exists()


def test_case_page_for_owner_and_404_for_others(client, case, coach, mentor):
    page = login(client, mentor).get(reverse("support:case_detail", args=[case.pk]))
    assert page.status_code == 200 and case.person.full_name in page.text
    client.logout()
    login(client, coach)
    assert client.get(reverse("support:case_detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("support:case_detail", args=[999999])).status_code == 404


def test_reads_are_logged_once_per_page(client, case, mentor):
    before = AccessLogEntry.objects.filter(object_type="case", action="view").count()
    login(client, mentor).get(reverse("support:case_detail", args=[case.pk]))
    after = AccessLogEntry.objects.filter(object_type="case", action="view").count()
    assert after - before == 1


def test_contact_form_names_the_field_in_error(client, case, mentor):
    login(client, mentor)
    url = reverse("support:contact_create", args=[case.pk])
    future = timezone.localdate() + dt.timedelta(days=3)
    response = client.post(url, {"date": future, "channel": "phone", "reached": "1"})
    assert response.status_code == 200
    assert 'id="id_date-error"' in response.text and "framtiden" in response.text
    ok = client.post(url, {"date": timezone.localdate(), "channel": "phone", "reached": "0"})
    assert ok.status_code == 302
    assert Contact.objects.get(case=case).reached is False


def test_second_writer_is_shown_what_changed(client, case, mentor, coach, consent_social, social):
    team_member_add(actor=mentor, case=case, organisation=social)
    goal = goal_add(actor=mentor, case=case, text="Klara nian")
    url = reverse("support:plan_edit", args=[case.pk])
    version = Case.objects.get(pk=case.pk).plan.version
    first = login(client, mentor).post(
        url,
        {
            "version": version,
            "own_goal": "Gå ut nian",
            "lead_party": "",
            f"goal_{goal.pk}": "reached",
        },
    )
    assert first.status_code == 302
    client.logout()
    second = login(client, coach).post(
        url,
        {
            "version": version,
            "own_goal": "Börja jobba",
            "lead_party": "social_services",
            f"goal_{goal.pk}": "in_progress",
        },
    )
    assert second.status_code == 200
    assert "Det här ändrades" in second.text and "Gå ut nian" in second.text
    assert "Börja jobba" in second.text  # what this user wrote is kept in the form
    case.plan.refresh_from_db()
    assert case.plan.own_goal == "Gå ut nian"
    # saving again from the page's (new) version goes through
    new_version = case.plan.version
    third = client.post(
        url,
        {
            "version": new_version,
            "own_goal": "Börja jobba",
            "lead_party": "social_services",
            f"goal_{goal.pk}": "in_progress",
        },
    )
    assert third.status_code == 302
    case.plan.refresh_from_db()
    assert case.plan.own_goal == "Börja jobba"


def test_pending_referral_is_on_the_receivers_start_page(
    client, case, mentor, coach, consent_social, social
):
    referral = referral_send(
        actor=mentor, case=case, to_organisation=social, consent=consent_social, message="Stöd"
    )
    start = login(client, coach).get(reverse("web:start"))
    assert reverse("support:referral_detail", args=[referral.pk]) in start.text
    detail = client.get(reverse("support:referral_detail", args=[referral.pk]))
    assert "Acceptera remissen" in detail.text
    declined = client.post(reverse("support:referral_decline", args=[referral.pk]), {})
    assert declined.status_code == 200 and "id_decline_reason-error" in declined.text
    accepted = client.post(reverse("support:referral_accept", args=[referral.pk]))
    assert accepted.url == reverse("support:case_detail", args=[case.pk])
    assert Referral.objects.get(pk=referral.pk).status == "accepted"
    assert client.get(accepted.url).status_code == 200


def test_declining_a_referral_on_its_page_records_the_reason(
    client, case, mentor, coach, consent_social, social
):
    referral = referral_send(
        actor=mentor, case=case, to_organisation=social, consent=consent_social, message="Stöd"
    )
    url = reverse("support:referral_decline", args=[referral.pk])
    blank = login(client, coach).post(url, {"decline_reason": "   "})
    assert blank.status_code == 200 and "id_decline_reason-error" in blank.text
    assert Referral.objects.get(pk=referral.pk).status == "pending"

    declined = client.post(url, {"decline_reason": "Vi har ingen plats i höst."})
    assert declined.status_code == 302 and declined.url == reverse("web:start")
    stored = Referral.objects.get(pk=referral.pk)
    assert (stored.status, stored.decline_reason, stored.answered_by_id) == (
        "declined",
        "Vi har ingen plats i höst.",
        coach.user.pk,
    )
    # The sender sees the answer and the reason on the referral.
    client.logout()
    page = login(client, mentor).get(reverse("support:referral_detail", args=[referral.pk]))
    assert page.status_code == 200 and "Vi har ingen plats i höst." in page.text


def test_referral_form_only_offers_consented_organisations(client, case, mentor, social, clinic):
    login(client, mentor)
    url = reverse("support:referral_create", args=[case.pk])
    page = client.get(url)
    assert "Registrera samtycke" in page.text and social.name not in page.text
    from tests.factories import consent_create

    consent = consent_create(person=case.person, organisations=[social], categories=["support"])
    page = client.get(url)
    assert social.name in page.text and clinic.name not in page.text
    response = client.post(url, {"to_organisation": f"{social.pk}:{consent.pk}", "message": "Hej"})
    assert response.status_code == 302
    assert Referral.objects.get().consent == consent


def test_recording_consent_from_the_case_returns_to_it(client, case, mentor, social):
    login(client, mentor)
    url = reverse("web:consent_create", args=[case.person.pk]) + f"?arende={case.pk}"
    response = client.post(
        url,
        {
            "given_by": "young_person",
            "organisations": [social.pk],
            "categories": ["support"],
            "given_on": timezone.localdate(),
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("support:case_detail", args=[case.pk])


def test_case_list_shows_own_cases(client, case, mentor):
    page = login(client, mentor).get(reverse("support:case_list"))
    assert case.person.full_name in page.text
    closed = login(client, mentor).get(reverse("support:case_list") + "?status=closed")
    assert closed.status_code == 200 and case.person.full_name not in closed.text
