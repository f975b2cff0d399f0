"""The Celery app every Lotsen process shares.

Celery is the job engine: the same tasks run on the embedded default and on as many
machines as a deployment needs. The broker is a setting (``CELERY_BROKER_URL``):
Redis in production, and for the embedded default kombu's file-system transport, which
needs no server (the web process, one worker and the scheduler share a folder under
``var/``). The run records in the database (``JobRun``), not the broker, say what has been
done, so a message the file-system broker loses with a killed worker is sent again by
``jobs.recover`` and nothing is lost on either broker.
"""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lotsen.settings")

app = Celery("lotsen")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each app's ``tasks`` module declares its jobs.
app.autodiscover_tasks()


def broker_folders_ensure() -> None:
    """The file-system broker's folders, made if missing. kombu lists the queue folder
    when a message is sent, so whoever sends first (a web request, a command) must not
    depend on a worker having started and made them."""
    from django.conf import settings

    if not settings.CELERY_BROKER_URL.startswith("filesystem:"):
        return
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
