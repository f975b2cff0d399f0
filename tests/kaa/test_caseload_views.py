"""The caseload pages through the test client: the ranked list with its filter in the
URL, the bulk actions (assign, letter sent) with errors at the field, the caseload per
coordinator on the overview, and query counts that do not grow with the rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.kaa.models import CaseloadAssignment, Contact
from tests.factories import MembershipFactory
from tests.kaa.conftest import refresh, today, young

pytestmark = pytest.mark.django_db

URL = reverse("kaa:caseload")


@pytest.fixture
def colleague(municipality) -> Actor:
    membership = MembershipFactory(organisation=municipality, role=Role.KAA_COORDINATOR)
    membership.user.first_name, membership.user.last_name = "Kim", "Kollega"
    membership.user.save()
    return Actor.for_membership(membership)


@pytest.fixture
def cohort(municipality, school):
    persons = [
        young(school, given_name=name, family_name=f"{name}sson") for name in ("Ada", "Bo", "Cia")
    ]
    refresh()
    return persons


@pytest.fixture
def kaa_client(client, coordinator):
    client.force_login(coordinator.user)
    return client


def test_unassigned_young_people_are_listed_and_assigned_to_a_colleague(
    kaa_client, coordinator, colleague, cohort
):
    page = kaa_client.get(URL, {"samordnare": "ingen"})
    assert page.status_code == 200
    for person in cohort:
        assert f"{person.family_name}, {person.given_name}" in page.text
    assert "Kollega" in page.text  # offered as a coordinator to assign to
    response = kaa_client.post(
        URL + "?samordnare=ingen",
        {
            "person": [cohort[0].pk, cohort[1].pk],
            "action": "assign",
            "coordinator": colleague.user.pk,
        },
    )
    assert response.status_code == 302
    assert response.url == URL + "?samordnare=ingen&status="
    assigned = CaseloadAssignment.objects.filter(ended_at__isnull=True)
    assert {(a.person_id, a.coordinator_id) for a in assigned} == {
        (cohort[0].pk, colleague.user.pk),
        (cohort[1].pk, colleague.user.pk),
    }
    after = kaa_client.get(response.url)
    assert "2 unga är fördelade." in after.text
    assert "Adasson" not in after.text and "Ciasson, Cia" in after.text
    mine = kaa_client.get(URL, {"samordnare": colleague.user.pk})
    assert "Adasson, Ada" in mine.text and "Ciasson" not in mine.text


def test_a_letter_to_the_ticked_is_one_attempt_each(kaa_client, coordinator, cohort):
    kaa_client.post(
        URL + "?samordnare=ingen",
        {"person": [p.pk for p in cohort], "action": "assign", "coordinator": coordinator.user.pk},
    )
    response = kaa_client.post(
        URL,
        {
            "person": [cohort[0].pk, cohort[2].pk],
            "action": "letter",
            "contact_date": today().isoformat(),
        },
    )
    assert response.status_code == 302
    contacts = Contact.objects.all()
    assert sorted(c.person_id for c in contacts) == sorted([cohort[0].pk, cohort[2].pk])
    assert {(c.kind, c.method) for c in contacts} == {("attempt", "letter")}
    page = kaa_client.get(response.url)
    assert "Brevet är registrerat som kontaktförsök för 2 unga." in page.text


def test_bulk_errors_are_shown_at_the_field_and_nothing_is_written(kaa_client, cohort):
    nothing = kaa_client.post(URL + "?samordnare=ingen", {"action": "assign"})
    assert nothing.status_code == 200
    assert "Markera minst en ung person i listan." in nothing.text
    assert "Välj vem de unga ska fördelas till." in nothing.text
    assert 'href="#id_person_0"' in nothing.text and 'id="id_person_0"' in nothing.text
    future = (today() + dt.timedelta(days=30)).isoformat()
    late = kaa_client.post(
        URL + "?samordnare=ingen",
        {"person": [cohort[0].pk], "action": "letter", "contact_date": future},
    )
    assert late.status_code == 200
    assert 'id="id_contact_date-error"' in late.text
    # The ticked box stays ticked, so the user does not lose their choice.
    assert f'value="{cohort[0].pk}" checked' in late.text
    assert not CaseloadAssignment.objects.exists() and not Contact.objects.exists()


def test_a_person_not_in_the_list_cannot_be_ticked(kaa_client, cohort, school):
    outsider = young(school, municipality="2481")
    response = kaa_client.post(
        URL + "?samordnare=ingen",
        {"person": [outsider.pk], "action": "letter", "contact_date": today().isoformat()},
    )
    assert response.status_code == 200
    assert not Contact.objects.exists()


def test_the_overview_shows_the_caseload_per_coordinator(
    kaa_client, coordinator, colleague, cohort
):
    kaa_client.post(
        URL + "?samordnare=ingen",
        {"person": [cohort[0].pk], "action": "assign", "coordinator": colleague.user.pk},
    )
    page = kaa_client.get(reverse("kaa:overview"))
    table = page.text.split('id="per-samordnare"')[1].split("</table>")[0]
    assert "Kim Kollega" in table and f"?samordnare={colleague.user.pk}" in table
    assert "Ingen ansvarig samordnare" in table and "?samordnare=ingen" in table
    rows = table.split("<tr")[2:]
    numbers = {
        row.split("</th>")[0].rsplit(">", 2)[-2].split("<")[0]: [
            cell.split("<")[0] for cell in row.split('numeric">')[1:]
        ]
        for row in rows
    }
    assert numbers["Kim Kollega"] == ["1", "1"]
    assert numbers["Ingen ansvarig samordnare"] == ["2", "2"]


def test_others_get_404(client, counsellor):
    client.force_login(counsellor.user)
    assert client.get(URL).status_code == 404


def test_the_caseload_page_takes_the_same_queries_for_more_rows(
    kaa_client,
    coordinator,
    cohort,
    school,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    # The first request of a session does its own once-only work (the session, the login).
    kaa_client.get(URL, {"samordnare": "ingen"})
    with django_assert_max_num_queries(100) as few:
        kaa_client.get(URL, {"samordnare": "ingen"})
    for _ in range(6):
        young(school)
    refresh()
    with django_assert_num_queries(len(few.captured_queries)):
        page = kaa_client.get(URL, {"samordnare": "ingen"})
    assert page.text.count('name="person"') == 9
