"""The youth-voice demo: one anonymous survey with at least 30 responses, idempotent."""

import pytest

from lotsen.demo.surveys import surveys_demo_seed
from lotsen.surveys.models import Response, Survey
from lotsen.surveys.selectors import survey_results

pytestmark = pytest.mark.django_db


def test_surveys_demo_seed(programme, leader):
    assert surveys_demo_seed(programme).surveys_created == 1
    assert surveys_demo_seed(programme).surveys_created == 0
    survey = Survey.objects.get()
    assert survey.anonymous and survey.is_open and survey.organisation == leader.organisation
    assert Response.objects.count() >= 30
    assert not Response.objects.filter(person__isnull=False).exists()
    results = survey_results(actor=leader, survey_id=survey.pk)
    assert not results.too_few and len(results.questions) == 5
