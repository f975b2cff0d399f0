from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("I kö")
    RUNNING = "running", _("Pågår")
    SUCCEEDED = "succeeded", _("Klart")
    FAILED = "failed", _("Misslyckades")


class JobTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Schema")
    USER = "user", _("Användare")
    SYSTEM = "system", _("Systemet")


class JobRun(models.Model):
    """One run of a background job: who or what started it, when, how it went.

    A run is claimed by one worker at a time (``runs.run_claim``); a run whose worker
    stopped sending heartbeats is claimed again by the next worker it is sent to, so a
    killed worker loses nothing. Parameters and errors hold no personal data: jobs are
    given ids and file names, and services' messages name lines and fields, not people.
    """

    name = models.CharField(_("jobb"), max_length=100)
    params = models.JSONField(_("parametrar"), default=dict, blank=True)
    trigger = models.CharField(
        _("startat av"), max_length=20, choices=JobTrigger.choices, default=JobTrigger.SYSTEM
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("användare"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("försök"), default=0)
    counts = models.JSONField(_("antal"), default=dict, blank=True)
    error = models.TextField(_("fel"), blank=True, max_length=4000)
    history = models.JSONField(_("händelser"), default=list, blank=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    # When a worker should have it: now when sent, later when a retry waits out its
    # backoff. A queued run long past this was lost with its message and is sent again.
    due_at = models.DateTimeField(_("väntas"), null=True, blank=True)
    started_at = models.DateTimeField(_("startad"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("senast hörd"), null=True, blank=True)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)

    class Meta:
        verbose_name = _("jobbkörning")
        verbose_name_plural = _("jobbkörningar")
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=("status", "heartbeat_at"), name="jobs_run_status_beat")]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk} ({self.get_status_display()})"
