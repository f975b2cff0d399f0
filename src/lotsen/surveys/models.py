"""Youth voice: short surveys that young people answer anonymously through a link, or
logged in when the project needs to follow answers over time (a linked survey).

An anonymous response never holds a person, and its time is kept to the day only, so that
it cannot be matched against who was logged in or who was met when. Results are shown as
counts with small cells suppressed (``surveys.results``); free-text answers are read by
the project team only.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(16)


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("Skala 1–5")
    YES_NO = "yes_no", _("Ja eller nej")
    FREE_TEXT = "free_text", _("Fritext")


class Survey(models.Model):
    title = models.CharField(_("rubrik"), max_length=200)
    intro = models.TextField(_("inledning"), blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("ansvarig organisation"),
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("program"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
    )
    subproject = models.ForeignKey(
        "programmes.SubProject",
        verbose_name=_("delprojekt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
    )
    anonymous = models.BooleanField(_("anonym"), default=True)
    is_open = models.BooleanField(_("öppen för svar"), default=False)
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("enkät")
        verbose_name_plural = _("enkäter")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("fråga"), max_length=300)
    kind = models.CharField(_("svarstyp"), max_length=16, choices=QuestionKind.choices)
    order = models.PositiveIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("fråga")
        verbose_name_plural = _("frågor")
        ordering = ["survey", "order", "id"]

    def __str__(self) -> str:
        return self.text


class Response(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    submitted_at = models.DateTimeField(default=timezone.now)
    # Set only for a linked survey answered by the logged-in young person; never for an
    # anonymous one (``surveys.services.survey_respond``).
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_responses",
    )

    class Meta:
        verbose_name = _("svar")
        verbose_name_plural = _("svar")
        ordering = ["survey", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "person"],
                condition=Q(person__isnull=False),
                name="one_linked_response_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey} {self.submitted_at:%Y-%m-%d}"


class Answer(models.Model):
    """One answer: ``value`` 1–5 for a scale, 1 (yes) or 0 (no); ``text`` for free text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.value if self.value is not None else self.text[:40]}"
