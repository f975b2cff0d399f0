"""The record of one import run, whatever it imports (school data, the population
register, costs): counts, rejected records with their reasons, duration.

The model moved here from school without its table: ``db_table`` keeps the name it was
created with, and the migrations move only Django's idea of which app owns it (ingest's
0001 and school's 0004, both ``SeparateDatabaseAndState``), so no row is copied or lost.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportRun(models.Model):
    """What one import did. No personal data: a rejected record is named by line number or
    source id, never by identity number."""

    source = models.CharField(max_length=40)  # "ss12000", "csv:grades", ...
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, default="running")  # running, done, failed
    counts = models.JSONField(default=dict)
    rejects = models.JSONField(default=list)
    cursor = models.CharField(max_length=100, blank=True)  # modification time for incremental runs
    # A run started from the browser (lotsen.web.uploads): which kind, by whom, for which
    # organisation, from which file name, run by which background job. Empty for runs
    # started on the command line or by the SS 12000 schedule.
    kind = models.CharField(max_length=40, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.ForeignKey(
        "jobs.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "school_importrun"
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=("organisation", "started_at"), name="ingest_run_org_started")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M}"


class ImportUpload(models.Model):
    """The file of one run started from the browser, kept in the database (so that a worker
    on another machine reads it) only until the run ends: the job deletes it then. The
    bytes may hold personnummer: nothing else reads them, and the admin does not show them.

    ``progress`` is where the run says how far it has come (rows read, rows written) on a
    database that takes writes from a second connection while the import's transaction is
    open (PostgreSQL); see ``lotsen.ingest.progress``."""

    run = models.OneToOneField(ImportRun, on_delete=models.CASCADE, related_name="upload")
    content = models.BinaryField()
    options = models.JSONField(default=dict, blank=True)
    progress = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"upload for import run {self.run_id}"
