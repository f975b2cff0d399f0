"""Programme pages: who sees what, the region filter, the participant forms, and
suppression on every page shown outside the project team."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lotsen.people.models import Person
from lotsen.programmes.models import Participation
from tests.programmes.conftest import D, participant


@pytest.fixture
def filled(subprojects):
    a = subprojects["a"]
    rows = [participant(a, gender="woman") for _ in range(6)]
    rows.append(participant(a, gender="man", exit_date=D(2025, 6, 1), exit_status="employed"))
    rows.append(participant(a, gender="man", education_level=""))
    participant(subprojects["south"], gender="woman")
    return rows


def _get(client, actor, url, **params):
    client.force_login(actor.user)
    return client.get(url, params)


def test_programme_list_for_leaders_and_evaluators(client, programme, region_leader, evaluator):
    for actor in (region_leader, evaluator):
        response = _get(client, actor, "/program/")
        assert response.status_code == 200
        assert "Programmet" in response.content.decode()


def test_programme_page_for_the_team_has_exact_numbers_and_charts(
    client, programme, filled, region_leader
):
    page = _get(client, region_leader, f"/program/{programme.pk}/").content.decode()
    assert re.search(r'id="antal-deltagare">\s*9\s*<', page)
    assert "<svg" in page
    assert 'id="regioner"' in page and "Region Nord" in page and "Region Syd" in page
    assert "färre än 5" not in page
    assert 'id="budget-heading"' in page
    for row in filled:
        assert row.person.family_name not in page  # counts only on the programme page


def test_region_filter_narrows_the_subprojects(client, programme, filled, orgs, region_leader):
    page = _get(
        client, region_leader, f"/program/{programme.pk}/", region=orgs["other_region"].pk
    ).content.decode()
    table = page.split('id="delprojekt"')[1].split("</table>")[0]
    assert "Delprojekt Syd" in table and "Delprojekt A" not in table
    assert re.search(r'id="antal-deltagare">\s*färre än 5\s*<', page) is None
    assert re.search(r'id="antal-deltagare">\s*1\s*<', page)
    # An unknown region shows the whole programme.
    page = _get(client, region_leader, f"/program/{programme.pk}/", region="999").content.decode()
    assert "Delprojekt A" in page.split('id="delprojekt"')[1].split("</table>")[0]


def test_evaluator_sees_suppressed_numbers_and_no_names(client, programme, filled, evaluator):
    for url in (
        f"/program/{programme.pk}/",
        f"/program/delprojekt/{filled[0].subproject_id}/",
        f"/program/{programme.pk}/indikatorer/",
    ):
        page = _get(client, evaluator, url).content.decode()
        assert "färre än 5" in page, url
        assert 'id="undertryckta"' in page
        for row in filled:
            assert row.person.family_name not in page
    # Suppressed dashboards draw no chart whose bars would give the hidden values away.
    page = _get(client, evaluator, f"/program/delprojekt/{filled[0].subproject_id}/")
    assert 'id="avslut-diagram-title"' not in page.content.decode()
    for url in (
        f"/program/delprojekt/{filled[0].subproject_id}/deltagare/",
        f"/program/delprojekt/{filled[0].subproject_id}/deltagare/ny/",
        f"/program/deltagande/{filled[0].pk}/start/",
        f"/program/deltagande/{filled[0].pk}/avslut/",
        f"/program/deltagande/{filled[0].pk}/uppfoljning/",
    ):
        assert _get(client, evaluator, url).status_code == 404, url


def test_indicator_page_suppresses_for_a_leader_outside_the_subproject(
    client, programme, filled, leader_south
):
    page = _get(
        client,
        leader_south,
        f"/program/{programme.pk}/indikatorer/",
        subproject=filled[0].subproject_id,
        start="2025-01-01",
        end="2025-12-31",
        framework="esfplus",
    ).content.decode()
    row = page.split('id="indikator-total_participants"')[1].split("</tr>")[0]
    cells = re.findall(r'numeric">([^<]*)<', row)
    # Sub-project A: 6 women, 2 men: the men are hidden, and the total stays.
    # The women are hidden too ("..": else 8 − 6 would give the men away).
    assert cells == ["..", "färre än 5", "0", "8"]


def test_participants_page_lists_names_and_missing_data_for_the_team(
    client, filled, leader_a, leader_south
):
    sub = filled[0].subproject_id
    Person.objects.filter(participations__in=filled).update(
        street_address="Projektgatan 5", phone="070-5556677", email="deltagare@example.se"
    )
    page = _get(client, leader_a, f"/program/delprojekt/{sub}/deltagare/").content.decode()
    # The participant record only: no personnummer, contact details or person page.
    for text in ("Projektgatan 5", "070-5556677", "deltagare@example.se"):
        assert text not in page
    for row in filled:
        assert row.person.family_name in page
        number = row.person.personal_identity_number
        assert number not in page and f"{number[:8]}-{number[8:]}" not in page
    assert "/personer/" not in page
    table = page.split('id="deltagare"')[1]
    # Born 2005-04-01, entering 2025-02-01: 19 years old, ESF+ band 18–29.
    assert table.count("18–29 år") == len(filled)
    assert table.count("Kvinna") == 6 and table.count(">Man<") == 2
    missing = page.split('id="saknas"')[1].split("</ul>")[0]
    assert filled[-1].person.family_name in missing
    assert f"/program/deltagande/{filled[-1].pk}/start/" in missing
    assert "Utbildningsnivå" in missing
    assert _get(client, leader_south, f"/program/delprojekt/{sub}/deltagare/").status_code == 404


def test_participants_page_query_count_does_not_grow_with_rows(client, subprojects, leader_a):
    sub = subprojects["a"]
    client.force_login(leader_a.user)
    url = f"/program/delprojekt/{sub.pk}/deltagare/"
    participant(sub, education_level="")
    # The first request after the login renews the session (at most once a minute) on
    # top of the page's queries; count from the second.
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(10):
        participant(sub, education_level="")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_enrol_exit_and_followup_through_the_forms(client, subprojects, leader_a):
    from lotsen.people.identity import make_identity_number

    sub = subprojects["a"]
    client.force_login(leader_a.user)
    url = f"/program/delprojekt/{sub.pk}/deltagare/ny/"
    response = client.post(url, {})
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    number = make_identity_number(D(2006, 2, 2), 321)
    response = client.post(
        url,
        {
            "personal_identity_number": number,
            "given_name": "Mio",
            "family_name": "Lund",
            "home_municipality_code": "2480",
            "gender": "man",
            "entry_date": "2025-02-01",
            "entry_status": "unemployed",
            "education_level": "isced_0_2",
            "disability": "prefer_not_to_say",
            "foreign_background": "",
        },
    )
    assert response.status_code == 302
    p = Participation.objects.get()
    assert (p.person.family_name, p.gender, p.disability) == ("Lund", "man", "prefer_not_to_say")

    exit_url = f"/program/deltagande/{p.pk}/avslut/"
    response = client.post(exit_url, {"exit_date": "2025-01-01", "exit_status": "employed"})
    assert "Slutdatumet kan inte vara före startdatumet." in response.content.decode()
    response = client.post(exit_url, {"exit_date": "2025-05-01", "exit_status": "employed"})
    assert response.status_code == 302
    response = client.post(
        f"/program/deltagande/{p.pk}/uppfoljning/", {"followup_6m_status": "improved"}
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.exit_date, p.exit_status, p.followup_6m_status) == (
        D(2025, 5, 1),
        "employed",
        "improved",
    )
    response = client.post(
        f"/program/deltagande/{p.pk}/start/",
        {
            "given_name": "Mio",
            "family_name": "Lund",
            "gender": "nonbinary",
            "entry_date": "2025-02-01",
            "entry_status": "long_term_unemployed",
            "education_level": "isced_3_4",
        },
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.gender, p.entry_status, p.education_level) == (
        "nonbinary",
        "long_term_unemployed",
        "isced_3_4",
    )


def test_report_page_shows_missing_names_for_the_team(client, programme, filled, region_leader):
    page = _get(
        client,
        region_leader,
        f"/program/{programme.pk}/indikatorer/",
        start="2025-01-01",
        end="2025-12-31",
        framework="esf2014",
    ).content.decode()
    assert filled[-1].person.family_name in page.split('id="saknas"')[1]
    assert "Icke-binära" not in page.split('id="indikatorer"')[1].split("</thead>")[0]
    assert "below_25" in page


def test_report_page_rejects_a_reversed_period(client, programme, region_leader):
    page = _get(
        client,
        region_leader,
        f"/program/{programme.pk}/indikatorer/",
        start="2025-12-31",
        end="2025-01-01",
    ).content.decode()
    assert "govuk-error-summary" in page
    assert 'id="indikatorer"' not in page


def _error_summary(page: str) -> str:
    return (
        page.split("govuk-error-summary")[1].split("</div>")[0]
        if "govuk-error-summary" in page
        else ""
    )


def test_enrolling_is_no_person_lookup(client, subprojects, leader_a):
    """Issue 10: the enrol form found an existing Person by personnummer and the list then
    showed the name Lotsen holds, so typing any personnummer revealed whether Lotsen knows
    the person and under which name. The participation keeps the name the project typed,
    and enrolling answers the same for a known and an unknown number."""
    from lotsen.people.identity import make_identity_number
    from tests.factories import PersonFactory

    sub = subprojects["a"]
    known = make_identity_number(D(2006, 3, 3), 123)
    PersonFactory(
        personal_identity_number=known,
        date_of_birth=D(2006, 3, 3),
        given_name="Stina",
        family_name="Lagradsdotter",
    )
    unknown = make_identity_number(D(2006, 4, 4), 456)
    client.force_login(leader_a.user)
    url = f"/program/delprojekt/{sub.pk}/deltagare/ny/"
    base = {
        "gender": "woman",
        "entry_date": "2025-02-01",
        "entry_status": "unemployed",
        "home_municipality_code": "2480",
    }

    # Without names the form is rejected the same way for both numbers.
    pages = [
        client.post(url, {**base, "personal_identity_number": n}).content.decode()
        for n in (known, unknown)
    ]
    assert _error_summary(pages[0]) and _error_summary(pages[0]) == _error_summary(pages[1])

    answers = []
    for number, given, family in ((known, "Tova", "Skriven"), (unknown, "Ada", "Nyström")):
        response = client.post(
            url,
            {
                **base,
                "personal_identity_number": number,
                "given_name": given,
                "family_name": family,
            },
            follow=True,
        )
        answers.append(
            (
                response.redirect_chain,
                response.status_code,
                [str(m) for m in response.context["messages"]],
            )
        )
    assert answers[0] == answers[1]
    assert answers[0][0] and answers[0][2]

    page = client.get(f"/program/delprojekt/{sub.pk}/deltagare/").content.decode()
    assert "Tova Skriven" in page and "Ada Nyström" in page
    assert "Stina" not in page and "Lagradsdotter" not in page
    # The person is still linked, so they are counted once across sub-projects.
    assert Participation.objects.get(given_name="Tova").person.family_name == "Lagradsdotter"


def _entry_post(**names):
    return {
        "gender": "woman",
        "entry_date": "2025-02-01",
        "entry_status": "unemployed",
        "education_level": "isced_3_4",
        **names,
    }


def test_project_leader_corrects_the_participant_name(client, subprojects, leader_a):
    """The project's name for a participant is corrected on the entry form; it changes the
    participation only, never the person's name, and is logged like any other update."""
    from lotsen.privacy.models import AccessLogEntry

    p = participant(subprojects["a"])
    person_name = (p.person.given_name, p.person.family_name)
    url = f"/program/deltagande/{p.pk}/start/"
    client.force_login(leader_a.user)
    page = client.get(url).content.decode()
    # The form is prefilled with the participation's name.
    assert f'value="{p.given_name}"' in page and f'value="{p.family_name}"' in page
    logged = AccessLogEntry.objects.filter(object_id=str(p.pk), action="update").count()

    response = client.post(url, _entry_post(given_name="Rättad", family_name="Namnsson"))
    assert response.status_code == 302
    p.refresh_from_db()
    p.person.refresh_from_db()
    assert (p.given_name, p.family_name) == ("Rättad", "Namnsson")
    assert (p.person.given_name, p.person.family_name) == person_name
    assert AccessLogEntry.objects.filter(object_id=str(p.pk), action="update").count() == (
        logged + 1
    )
    page = client.get(f"/program/delprojekt/{p.subproject_id}/deltagare/").content.decode()
    assert "Rättad Namnsson" in page


def test_an_empty_participant_name_is_refused_at_the_field(client, subprojects, leader_a):
    p = participant(subprojects["a"], education_level="")
    url = f"/program/deltagande/{p.pk}/start/"
    client.force_login(leader_a.user)
    for names in (
        {"given_name": "", "family_name": "Namnsson"},
        {"given_name": "Rättad", "family_name": "   "},
        {"given_name": "Rätt\x01ad", "family_name": "Namnsson"},
    ):
        page = client.post(url, _entry_post(**names)).content.decode()
        field = next(f for f, v in names.items() if not v.strip() or "\x01" in v)
        assert "govuk-error-summary" in page and f'href="#id_{field}"' in page
        assert f'id="id_{field}-error"' in page
    p.refresh_from_db()
    # Nothing written: neither the name nor the other fields of the refused posts.
    assert p.education_level == "" and p.given_name == p.person.given_name


def test_entry_form_is_not_found_for_a_leader_outside_the_team(client, subprojects, leader_south):
    p = participant(subprojects["a"])
    client.force_login(leader_south.user)
    url = f"/program/deltagande/{p.pk}/start/"
    assert client.get(url).status_code == 404
    response = client.post(url, _entry_post(given_name="Annan", family_name="Person"))
    assert response.status_code == 404
    p.refresh_from_db()
    assert p.given_name == p.person.given_name
