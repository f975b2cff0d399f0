"""The record of one import run, whatever it imports (school data, the population
register, costs): counts, rejected records with their reasons, duration.

The model moved here from school without its table: ``db_table`` keeps the name it was
created with, and the migrations move only Django's idea of which app owns it (ingest's
0001 and school's 0004, both ``SeparateDatabaseAndState``), so no row is copied or lost.
"""

from __future__ import annotations

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

    class Meta:
        db_table = "school_importrun"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M}"
