"""Background jobs: Celery tasks recorded as runs, on the ground floor.

Importing the package loads the Celery app, so that ``shared_task`` binds to it in every
process (web, worker, scheduler).
"""

from lotsen.jobs.engine import app as celery_app

__all__ = ["celery_app"]
