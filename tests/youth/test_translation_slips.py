"""Translation slips the demo showed (issue 13): the to-do column "Gäller" is what a to-do
concerns, not "Valid"; one person is "1 person"; the WHO-5 questions read as one sentence
without a doubled "… …"."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def _wellbeing(n: str) -> str:
    shown = SimpleNamespace(wellbeing_n=n, wellbeing_mean=None, wellbeing_interval=None)
    return render_to_string("insights/_wellbeing.html", {"shown": shown}).strip()


@pytest.mark.parametrize(
    ("language", "n", "text"),
    [
        ("sv", "1", "1 person"),
        ("sv", "7", "7 personer"),
        ("sv", "<5", "&lt;5 personer"),
        ("en", "1", "1 person"),
        ("en", "7", "7 people"),
        ("en", "..", ".. people"),
    ],
)
def test_a_count_of_people_agrees_with_its_number(language, n, text):
    with translation.override(language):
        assert _wellbeing(n) == f'<span class="govuk-body-s">{text}</span>'


def test_the_to_do_column_says_what_a_to_do_concerns():
    task = SimpleNamespace(kind="follow_up", url="", title="Följ upp", detail="", due=None)
    with translation.override("en"):
        tasks = render_to_string("support/_tasks.html", {"tasks": [task]})
        column = translation.pgettext("det som uppgiften rör", "Gäller")
        status = translation.gettext("Gäller")
    assert column == "Concerns"
    # The consent status keeps its own word.
    assert status == "Valid"
    assert '<th scope="col" class="govuk-table__header">Concerns</th>' in tasks
    assert "Valid" not in tasks


def test_each_who5_question_is_one_sentence(client, world):
    client.force_login(world.young_user)
    for language, first in (
        ("sv", "1. Under de senaste två veckorna har jag känt mig glad och på gott humör"),
        ("en", "1. Over the last two weeks I have felt cheerful and in good spirits"),
    ):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(reverse("youth:wellbeing"))
        assert "… …" not in page.text and "……" not in page.text
        assert f"{first}</legend>" in page.text, language
