"""Demo youth-voice survey for a programme: one anonymous survey, open, with answers.

Idempotent: the survey is found by programme and title, and answers are added only when
it is created.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from lotsen.programmes.models import Programme
from lotsen.surveys.models import Answer, Question, QuestionKind, Response, Survey

TITLE = "Hur är det att vara med i projektet?"
INTRO = "Fem korta frågor. Du är anonym. Svara på det du vill."
QUESTIONS = (
    ("Jag känner mig välkommen när jag kommer hit.", QuestionKind.SCALE),
    ("Jag har någon att fråga när det känns svårt.", QuestionKind.SCALE),
    ("Vet du vad du vill göra efter projektet?", QuestionKind.YES_NO),
    ("Har du fått hjälp med skolan eller att hitta jobb?", QuestionKind.YES_NO),
    ("Vad skulle göra projektet bättre för dig?", QuestionKind.FREE_TEXT),
)
FREE_TEXTS = (
    "Fler tider att träffa min coach.",
    "Att det var lugnt och att ingen stressade mig.",
    "Mer hjälp med matte.",
    "Praktik tidigare.",
    "Att få vara med och bestämma mer.",
    "Bra som det är.",
)
RESPONSES = 36


@dataclass
class SurveysDemoSummary:
    surveys_created: int = 0
    responses_created: int = 0


@transaction.atomic
def surveys_demo_seed(programme: Programme, *, seed: int = 2026) -> SurveysDemoSummary:
    summary = SurveysDemoSummary()
    if Survey.objects.filter(programme=programme, title=TITLE).exists():
        return summary
    rng = random.Random(seed + programme.pk)
    survey = Survey.objects.create(
        title=TITLE,
        intro=INTRO,
        organisation=programme.lead_organisation,
        programme=programme,
        anonymous=True,
        is_open=True,
    )
    questions = [
        Question.objects.create(survey=survey, text=text, kind=kind, order=n)
        for n, (text, kind) in enumerate(QUESTIONS, start=1)
    ]
    today = timezone.localdate()
    for _n in range(RESPONSES):
        day = today - dt.timedelta(days=rng.randint(1, 60))
        # Anonymous responses keep the day only, as ``survey_respond`` does.
        response = Response.objects.create(
            survey=survey,
            submitted_at=timezone.make_aware(dt.datetime.combine(day, dt.time())),
        )
        answers = []
        for question in questions:
            if rng.random() < 0.08:
                continue  # a skipped question
            if question.kind == QuestionKind.SCALE:
                answers.append(
                    Answer(
                        response=response,
                        question=question,
                        value=rng.choices((1, 2, 3, 4, 5), (1, 2, 5, 9, 7))[0],
                    )
                )
            elif question.kind == QuestionKind.YES_NO:
                answers.append(
                    Answer(response=response, question=question, value=int(rng.random() < 0.65))
                )
            elif rng.random() < 0.5:
                answers.append(
                    Answer(response=response, question=question, text=rng.choice(FREE_TEXTS))
                )
        Answer.objects.bulk_create(answers)
    summary.surveys_created = 1
    summary.responses_created = RESPONSES
    return summary
