"""The young person's pages through the test client: each page, plain language (LIX under
40), 404s for others' ids and for staff, forms with errors, withdrawal, English."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from lotsen.privacy.models import Action, Purpose
from lotsen.privacy.services import access_log_record
from lotsen.support.models import WellbeingCheckin, YouthMessage
from lotsen.support.policy import CasePolicy
from lotsen.youth.lix import html_to_blocks, lix_of_blocks, lix_of_html
from tests.factories import UserFactory, consent_create
from tests.youth.factories import (
    ContactFactory,
    GoalFactory,
    PlanActionFactory,
    TeamMemberFactory,
    WellbeingCheckinFactory,
    YouthMessageFactory,
)

pytestmark = pytest.mark.django_db

LIX_LIMIT = 40


def _main(html: str) -> str:
    """What the page itself says: the <main> element, without the site's header/footer."""
    match = re.search(r"<main\b.*?</main>", html, re.DOTALL)
    assert match, "no <main> on the page"
    return match.group(0)


def _pages(world):
    return [
        reverse("youth:start"),
        reverse("youth:plan"),
        reverse("youth:plan_case", args=[world.case.pk]),
        reverse("youth:contacts"),
        reverse("youth:contacts_case", args=[world.case.pk]),
        reverse("youth:wellbeing"),
        reverse("youth:message"),
        reverse("youth:consents"),
        reverse("youth:consent_withdraw", args=[world.consent.pk]),
        reverse("youth:access_log"),
        reverse("youth:why"),
    ]


@pytest.fixture
def filled(world, young_client):
    """Some of everything on the pages, so that LIX is measured on real content."""
    WellbeingCheckinFactory(person=world.person, item1=2, item2=2)
    WellbeingCheckinFactory(person=world.person, item1=4, item5=5)
    YouthMessageFactory(person=world.person, text="Jag sover dåligt före prov. Kan vi ses?")
    # Reads by staff, so that "Vem har läst om mig" has rows.
    for actor, object_type in ((world.coach, "case"), (world.mentor, "plan")):
        access_log_record(
            actor=actor,
            action=Action.VIEW,
            purpose=Purpose.SUPPORT,
            person_ids=[world.person.pk],
            object_type=object_type,
        )
    return young_client


def test_every_page_renders_and_reads_easily(world, filled):
    for url in _pages(world):
        response = filled.get(url)
        assert response.status_code == 200, url
        main = _main(response.text)
        value = lix_of_html(main)
        assert 0 < value < LIX_LIMIT, f"LIX {value:.1f} on {url}"
        # The running text alone, without headings, tables and buttons, reads easily too.
        paragraphs = re.findall(r"<p\b[^>]*>(.*?)</p>", main, re.DOTALL)
        prose = lix_of_blocks([b for p in paragraphs for b in html_to_blocks(p)])
        assert prose.words >= 10 and prose.value < LIX_LIMIT, f"prose LIX on {url}"


def test_pages_show_the_young_persons_own_content(world, filled):
    start = filled.get(reverse("youth:start")).text
    assert "Hej Alva!" in start and "Emma Falk" in start and "Jag vill gå klart nian." in start
    plan = filled.get(reverse("youth:plan")).text
    assert "Klara matten" in plan and "Läxhjälp på tisdagar" in plan
    assert "Socialtjänsten leder arbetet med din plan." in plan
    assert "Bos hemliga mål" not in plan
    contacts = filled.get(reverse("youth:contacts")).text
    assert "Ungdomsmottagningen" in contacts and "Nej. Du har inte sagt ja" in contacts
    log = filled.get(reverse("youth:access_log")).text
    assert "Socialtjänsten i Exempelkommun läste ditt ärende." in log
    assert "Björkskolan läste din plan." in log


def test_another_persons_case_is_404(world, young_client):
    for name in ("youth:plan_case", "youth:contacts_case"):
        assert young_client.get(reverse(name, args=[world.other_case.pk])).status_code == 404
    others = consent_create(
        person=world.other_case.person, organisations=[world.school], categories=["support"]
    )
    url = reverse("youth:consent_withdraw", args=[others.pk])
    assert young_client.get(url).status_code == 404
    assert young_client.post(url).status_code == 404


def test_staff_and_anonymous_users_do_not_reach_the_pages(world, client):
    for url in _pages(world):
        assert client.get(url).status_code == 302
    client.force_login(world.coach.user)
    for url in _pages(world):
        assert client.get(url).status_code == 404, url
    answers = {"item1": "5", "item2": "5", "item3": "5", "item4": "5", "item5": "5"}
    assert client.post(reverse("youth:wellbeing"), answers).status_code == 404
    assert client.post(reverse("youth:message"), {"text": "Hej"}).status_code == 404
    url = reverse("youth:consent_withdraw", args=[world.consent.pk])
    assert client.post(url).status_code == 404
    world.consent.refresh_from_db()
    assert world.consent.withdrawn_at is None
    assert not WellbeingCheckin.objects.exists() and not YouthMessage.objects.exists()


def test_checkin_form_errors_then_success(world, young_client):
    url = reverse("youth:wellbeing")
    page = young_client.get(url).text
    assert page.count("<fieldset") == 5 and page.count("<legend") == 5
    assert "Under de senaste två veckorna" in page and "Hela tiden" in page and "Aldrig" in page

    bad = young_client.post(url, {"item1": "5", "item2": "9"})
    assert bad.status_code == 200
    assert "govuk-error-summary" in bad.text
    assert "Välj ett av svaren på fråga 2." in bad.text and "Svara på fråga 5." in bad.text
    assert 'href="#id_item2_0"' in bad.text
    assert 'value="5" checked' in bad.text  # the answer given is kept
    assert not WellbeingCheckin.objects.exists()

    good = young_client.post(
        url, {"item1": "5", "item2": "4", "item3": "3", "item4": "2", "item5": "1"}
    )
    assert good.status_code == 302 and good["Location"].endswith("#resultat")
    after = young_client.get(url).text
    assert "Tack! Du fick 60 av 100." in after
    assert "<svg" in after and "<title" in after and "<desc" in after
    assert re.search(r'<td class="govuk-table__cell govuk-table__cell--numeric">60</td>', after)


def test_message_form(world, young_client):
    url = reverse("youth:message")
    empty = young_client.post(url, {"text": "  "})
    assert "Skriv något innan du skickar." in empty.text and 'id="id_text-error"' in empty.text
    sent = young_client.post(url, {"text": "Jag vill byta skola."})
    assert sent.status_code == 302
    assert "Jag vill byta skola." in young_client.get(url).text
    assert YouthMessage.objects.get().person == world.person


def test_withdrawal_asks_first_and_then_the_school_loses_access_at_once(world, young_client):
    assert CasePolicy(world.mentor).cases().filter(pk=world.case.pk).exists()
    url = reverse("youth:consent_withdraw", args=[world.consent.pk])
    confirm = young_client.get(url).text
    assert "Vill du ta tillbaka samtycket?" in confirm
    assert "kan Björkskolan inte läsa om dig längre. Det gäller direkt." in confirm
    world.consent.refresh_from_db()
    assert world.consent.withdrawn_at is None  # nothing happens on GET

    done = young_client.post(url, follow=True)
    assert "Nu kan Björkskolan inte läsa om dig längre." in done.text
    world.consent.refresh_from_db()
    assert world.consent.withdrawn_at is not None
    assert not CasePolicy(world.mentor).cases().filter(pk=world.case.pk).exists()
    # The confirmation page of a withdrawn consent offers nothing to press.
    again = young_client.get(url).text
    assert "Ja, ta tillbaka" not in again


def test_plan_and_contact_pages_do_not_grow_queries_with_their_rows(world, young_client):
    url = reverse("youth:plan")
    young_client.get(url)
    with CaptureQueriesContext(connection) as small:
        young_client.get(url)
    for i in range(5):
        GoalFactory(plan=world.case.plan, text=f"Mål {i}")
        PlanActionFactory(
            plan=world.case.plan, responsible_organisation=world.school, responsible_user=None
        )
    with CaptureQueriesContext(connection) as large:
        young_client.get(url)
    assert len(large) == len(small)

    url = reverse("youth:contacts")
    with CaptureQueriesContext(connection) as small:
        young_client.get(url)
    for _ in range(5):
        ContactFactory(case=world.case, organisation=world.school)
        TeamMemberFactory(case=world.case, organisation=world.school, user=UserFactory())
    with CaptureQueriesContext(connection) as large:
        young_client.get(url)
    assert len(large) == len(small)


def test_english_rendering(world, filled):
    filled.post(reverse("set_language"), {"language": "en", "next": "/"})
    for url in _pages(world):
        response = filled.get(url)
        assert response.status_code == 200, url
        assert '<html lang="en"' in response.text
    start = filled.get(reverse("youth:start")).text
    assert "My pages" in start and "Hi Alva!" in start
    wellbeing = filled.get(reverse("youth:wellbeing")).text
    assert "Over the last two weeks" in wellbeing and "All of the time" in wellbeing
    log = filled.get(reverse("youth:access_log")).text
    assert "Socialtjänsten i Exempelkommun read your case." in log


@pytest.fixture
def swedish():
    with translation.override("sv"):
        yield


def test_wellbeing_panel_for_the_staff_case_page(world, swedish):
    from django.template.loader import render_to_string

    from lotsen.youth.selectors import wellbeing_for_case

    WellbeingCheckinFactory(person=world.person, item1=5)
    shown = render_to_string(
        "youth/_wellbeing_panel.html",
        {"checkins": wellbeing_for_case(actor=world.coach, case=world.case)},
    )
    assert (
        "<svg" in shown
        and 'id="who5-arende-tabell"' in shown
        and f">{(5 + 3 * 4) * 4}</td>" in shown
    )
    hidden = render_to_string(
        "youth/_wellbeing_panel.html",
        {"checkins": wellbeing_for_case(actor=world.mentor, case=world.case)},
    )
    assert "<svg" not in hidden and "Ni kan inte se den ungas svar." in hidden
    empty = render_to_string("youth/_wellbeing_panel.html", {"checkins": []})
    assert "Den unga har inte svarat på frågorna än." in empty
