"""Survey pages: answering by link without login, linked surveys for the logged-in young
person, results for the team in full and for others suppressed, the CSV always suppressed."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from lotsen.surveys.models import Response
from lotsen.surveys.services import ERROR_EMPTY
from tests.surveys.conftest import answer_many

pytestmark = pytest.mark.django_db

# 12 responses: trivs 5 ×9, 4 ×3; help yes ×10, no ×2; three free texts.
ROWS = [{1: 5, 2: 1, 3: "Mer matte"}] * 3 + [{1: 5, 2: 1}] * 6 + [{1: 4, 2: 1}] + [{1: 4, 2: 0}] * 2


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode()), delimiter=";"))


def test_anonymous_answer_without_login(client, survey):
    url = reverse("surveys:answer", args=[survey.token])
    page = client.get(url)
    assert page.status_code == 200 and "Trivs du?" in page.text
    assert "Du svarar anonymt" in page.text
    q1 = survey.questions.get(order=1)
    empty = client.post(url, {})
    assert f'href="#id_q_{q1.pk}_0">Trivs du?: {ERROR_EMPTY}' in empty.text
    assert not Response.objects.exists()
    done = client.post(url, {f"q_{q1.pk}": "4"})
    assert done.status_code == 302 and done.url == reverse("surveys:thanks", args=[survey.token])
    assert Response.objects.get().person_id is None


def test_linked_survey_asks_for_login_and_links_the_young_person(client, survey, young_user):
    survey.anonymous = False
    survey.save()
    url = reverse("surveys:answer", args=[survey.token])
    assert client.get(url).status_code == 302
    client.force_login(young_user)
    q1 = survey.questions.get(order=1)
    assert client.post(url, {f"q_{q1.pk}": "3"}).status_code == 302
    assert Response.objects.get().person_id == young_user.person_id
    assert "Du har redan svarat" in client.get(url).text


def test_closed_and_unknown_surveys(client, survey):
    survey.is_open = False
    survey.save()
    assert "Enkäten är stängd" in client.get(reverse("surveys:answer", args=[survey.token])).text
    assert client.get(reverse("surveys:answer", args=["finns-inte"])).status_code == 404


def test_fewer_than_five_responses_show_nothing_but_too_few(client, survey, leader):
    answer_many(survey, ROWS[:4])
    client.force_login(leader.user)
    page = client.get(reverse("surveys:results", args=[survey.pk]))
    assert "För få svar." in page.text
    assert "Mer matte" not in page.text and "<table" not in page.text
    rows = _csv(client.get(reverse("surveys:results_csv", args=[survey.pk])))
    assert rows[1][0] == "För få svar för att visa resultat" and len(rows) == 2


def test_the_team_sees_all_counts_and_free_text(client, survey, leader):
    answer_many(survey, ROWS)
    client.force_login(leader.user)
    page = client.get(reverse("surveys:results", args=[survey.pk]))
    assert "12 svar." in page.text
    assert "Mer matte" in page.text
    cell = 'govuk-table__cell--numeric">'
    assert f"{cell}3<" in page.text and f"{cell}2<" in page.text  # shown to the team
    assert "&lt;5" not in page.text


def test_outside_the_team_small_cells_are_hidden_and_no_free_text(client, survey, evaluator):
    answer_many(survey, ROWS)
    client.force_login(evaluator.user)
    page = client.get(reverse("surveys:results", args=[survey.pk]))
    assert page.status_code == 200
    assert "Mer matte" not in page.text
    assert "&lt;5" in page.text
    cell = 'govuk-table__cell--numeric">'
    assert f"{cell}2<" not in page.text and f"{cell}3<" not in page.text
    assert (
        f'href="{reverse("surveys:detail", args=[survey.pk])}"'
        not in client.get(reverse("surveys:list")).text
    )
    assert client.get(reverse("surveys:detail", args=[survey.pk])).status_code == 404


@pytest.mark.parametrize("who", ["leader", "evaluator"])
def test_the_csv_is_suppressed_for_everyone(client, survey, who, request):
    answer_many(survey, ROWS)
    client.force_login(request.getfixturevalue(who).user)
    rows = _csv(client.get(reverse("surveys:results_csv", args=[survey.pk])))
    assert rows[0] == ["Fråga", "Svar", "Antal", "Andel (%)"]
    body = {(r[0], r[1]): r[2:] for r in rows[1:]}
    assert body[("Trivs du?", "Har svarat")] == ["12", ""]
    assert body[("Trivs du?", "5")] == ["..", ""]
    assert body[("Trivs du?", "4")] == ["<5", ""]
    assert body[("Trivs du?", "1")] == ["0", "0"]
    assert body[("Har du fått hjälp?", "Ja")] == ["..", ""]
    assert body[("Har du fått hjälp?", "Nej")] == ["<5", ""]
    assert body[("Vad saknas?", "Fritextsvar")] == ["<5", ""]
    assert "Mer matte" not in rows.__str__()
    for _question, _label, count, _share in rows[1:]:
        assert count in {"0", "<5", ".."} or int(count) >= 5


def test_strangers_get_404(client, survey, outsider):
    client.force_login(outsider.user)
    for name in ("surveys:results", "surveys:results_csv", "surveys:detail"):
        assert client.get(reverse(name, args=[survey.pk])).status_code == 404


def test_create_and_add_questions_through_the_pages(client, leader, programme):
    client.force_login(leader.user)
    bad = client.post(reverse("surveys:create"), {"anonymous": "1"})
    assert 'href="#id_title">Rubrik: Skriv en rubrik för enkäten.' in bad.text
    good = client.post(
        reverse("surveys:create"),
        {"title": "Röster", "anonymous": "1", "programme": str(programme.pk)},
    )
    assert good.status_code == 302
    detail = client.get(good.url)
    assert "Röster" in detail.text and "Lägg till en fråga" in detail.text
    client.post(good.url, {"text": "Trivs du?", "kind": "scale"})
    survey_id = int(good.url.rstrip("/").split("/")[-1])
    client.post(reverse("surveys:set_open", args=[survey_id]), {"open": "1"})
    page = client.get(good.url)
    assert "Trivs du?" in page.text and "Öppen för svar" in page.text


def test_question_texts_like_formulas_stay_text_in_the_csv(client, survey, leader):
    """Issue 10: +cmd|, @SUM( and -2+3 went into CSV files unchanged."""
    texts = {1: "+cmd|' /C calc'!A0", 2: "@SUM(1+9)", 3: "-2+3"}
    for order, text in texts.items():
        survey.questions.filter(order=order).update(text=text)
    answer_many(survey, ROWS)
    client.force_login(leader.user)
    response = client.get(reverse("surveys:results_csv", args=[survey.pk]))
    questions = {row[0] for row in _csv(response)[1:]}
    assert questions == {"'+cmd|' /C calc'!A0", "'@SUM(1+9)", "'-2+3"}
    assert "no-store" in response["Cache-Control"]
