"""An upload's job on a real worker (``lotsen jobs worker`` in a subprocess), on a database
of its own of the kind the suite runs on, with Redis (db 14) and the file-system broker:
the web process records the run and sends the job; the worker runs the import and
records its end. The same file twice changes nothing the second time."""

from __future__ import annotations

import json
import time

import pytest

from tests.jobs.test_worker import Deployment, _population
from tests.owndb import migrated, own_database_url

pytestmark = pytest.mark.django_db

START = """
from pathlib import Path
from django.core.files.uploadedfile import SimpleUploadedFile
from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, Organisation, User
from lotsen.web.uploads import import_upload_start
organisation = Organisation.objects.get(municipality_code="2480")
user, _ = User.objects.get_or_create(username="samordnare")
membership, _ = Membership.objects.get_or_create(
    user=user, organisation=organisation, role="kaa_coordinator"
)
data = Path("@PATH@").read_bytes()
run = import_upload_start(
    actor=Actor.for_membership(membership), kind="population",
    file=SimpleUploadedFile("folkbokforing.csv", data),
)
print(run.pk)
"""

RESULT = """
import json
from lotsen.ingest.models import ImportRun, ImportUpload
from lotsen.people.models import Person
from lotsen.notifications.models import Notification
print(json.dumps({
    "runs": [
        [run.status, run.counts.get("rows"), run.counts.get("result", {}).get("persons_created")]
        for run in ImportRun.objects.order_by("pk")
    ],
    "uploads": ImportUpload.objects.count(),
    "persons": Person.objects.count(),
    "notifications": Notification.objects.count(),
}))
"""


@pytest.fixture(params=["redis", "filesystem"])
def deployment(request, tmp_path):
    with own_database_url(tmp_path, f"uploads_{request.param}") as url:
        deployment = Deployment(url, tmp_path, request.param)
        if request.param == "redis":
            deployment.env["LOTSEN_BROKER_URL"] = "redis://127.0.0.1:6379/14"
        deployment.env["LOTSEN_IMPORT_DIR"] = str(tmp_path / "imports")
        migrated(url)
        deployment.run(
            "shell",
            "-c",
            "from lotsen.accounts.models import Organisation; Organisation.objects.create("
            "name='Kommunen', kind='municipality', municipality_code='2480')",
        )
        try:
            yield deployment
        finally:
            deployment.stop()


def test_an_upload_is_imported_by_a_real_worker(deployment, tmp_path):
    population = tmp_path / "population.csv"
    population.write_text(_population(200))
    start = START.replace("@PATH@", str(population))
    deployment.worker()

    deployment.run("shell", "-c", start)
    runs = deployment.wait_for({"ingest.upload"})
    assert runs[0]["status"] == "succeeded", runs[0]
    assert runs[0]["trigger"] == "user"
    assert runs[0]["counts"]["rows"] == 200

    deployment.run("shell", "-c", start)  # the same file again
    deadline = time.monotonic() + 600
    while sum(r["name"] == "ingest.upload" and r["status"] == "succeeded" for r in runs) < 2:
        assert time.monotonic() < deadline, runs
        time.sleep(0.5)
        runs = deployment.runs()

    result = json.loads(deployment.run("shell", "-c", RESULT).strip().splitlines()[-1])
    assert result["runs"] == [["done", 200, 200], ["done", 200, 0]]
    assert result["uploads"] == 0  # each file deleted when its run ended
    assert result["persons"] == 200
    assert result["notifications"] == 0
