"""Imports from the browser (lotsen.web.uploads): upload → the job runs the same import
code as ``lotsen import`` → the run page shows the result; on SQLite and PostgreSQL.

The job is run here in the test's process by the function the worker runs
(``import_upload_execute``); tests/e2e/test_import_browser.py runs it on a real worker.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse

from lotsen.accounts.models import Role
from lotsen.ingest.models import ImportRun, ImportUpload
from lotsen.ingest.progress import ProgressReporter, progress_read
from lotsen.jobs.models import JobRun
from lotsen.kaa.imports import POPULATION_COLUMNS
from lotsen.notifications.models import Notification
from lotsen.people.models import Person
from lotsen.web.uploads import import_upload_execute
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    PersonFactory,
    fresh_identity_number,
)

pytestmark = pytest.mark.django_db
M = "2480"


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.LOTSEN_IMPORT_DIR = tmp_path / "imports"


@pytest.fixture
def municipality():
    return MunicipalityFactory(municipality_code=M)


@pytest.fixture
def coordinator(municipality):
    return MembershipFactory(organisation=municipality, role=Role.KAA_COORDINATOR)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator.user)
    return client


def population(rows: int, *, bad: dict[int, dict[str, str]] | None = None) -> bytes:
    """``rows`` young people registered in the municipality; ``bad`` replaces values on
    the given data rows (1-based), so the file's line is that number + 1."""
    born = dt.date.today().replace(year=dt.date.today().year - 17) - dt.timedelta(days=40)
    lines = [",".join(POPULATION_COLUMNS)]
    for i in range(1, rows + 1):
        values = {
            "personnummer": fresh_identity_number(born),
            "given_name": f"Ung{i}",
            "family_name": "Testsson",
            "municipality_code": M,
            "moved_in": "",
            "moved_out": "",
            "protected_identity": "0",
            "asylum_seeker": "0",
        }
        values.update((bad or {}).get(i, {}))
        lines.append(",".join(values[c] for c in POPULATION_COLUMNS))
    return ("\n".join(lines) + "\n").encode()


def upload(client, kind: str, data: bytes, name: str = "folkbokforing.csv"):
    return client.post(
        reverse("web:import_upload", args=[kind]),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def test_the_import_page_lists_only_the_kinds_the_role_owns(coordinator_client):
    page = coordinator_client.get(reverse("web:import_index")).content.decode()
    assert reverse("web:import_upload", args=["population"]) in page
    assert reverse("web:import_upload", args=["enrolments"]) in page
    assert reverse("web:import_upload", args=["qualifications"]) in page
    for foreign in ("school-csv", "costs", "participants", "programme", "ss12000"):
        assert reverse("web:import_upload", args=[foreign]) not in page
    assert coordinator_client.get(reverse("web:import_upload", args=["costs"])).status_code == 404
    assert coordinator_client.get(reverse("web:import_upload", args=["nope"])).status_code == 404


def test_a_role_without_import_kinds_gets_404(client, municipality):
    mentor = MembershipFactory(organisation=municipality, role=Role.MENTOR)
    client.force_login(mentor.user)
    assert client.get(reverse("web:import_upload", args=["population"])).status_code == 404
    assert "kan inte importera" in client.get(reverse("web:import_index")).content.decode()


def test_upload_runs_the_population_import_and_shows_the_result(coordinator_client, coordinator):
    answer = upload(coordinator_client, "population", population(30))

    run = ImportRun.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("web:import_run", args=[run.pk])
    assert (run.status, run.kind, run.organisation, run.started_by) == (
        "queued",
        "population",
        coordinator.organisation,
        coordinator.user,
    )
    assert run.filename == "folkbokforing.csv"
    job = JobRun.objects.get()
    assert (job.name, job.params, job.started_by) == (
        "ingest.upload",
        {"run_id": run.pk},
        coordinator.user,
    )
    assert run.job == job
    queued = coordinator_client.get(reverse("web:import_run", args=[run.pk])).content.decode()
    assert "<progress" in queued and 'hx-trigger="every 1s"' in queued
    assert "style=" not in queued.split("<main", 1)[1]

    import_upload_execute(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == "done"
    assert run.counts["rows"] == 30
    assert run.counts["result"]["persons_created"] == 30
    assert run.rejects == []
    assert Person.objects.count() == 30
    assert not ImportUpload.objects.exists()  # the file is gone with the run's end
    assert ImportRun.objects.count() == 1  # the import filled the upload's run, no second
    fragment = coordinator_client.get(reverse("web:import_run_status", args=[run.pk]))
    text = fragment.content.decode()
    assert "Importen är klar" in text
    assert "hx-trigger" not in text  # polling stops
    assert 'id="import-announce"' in text  # and the live region says so
    assert not Notification.objects.exists()  # nothing went wrong: nothing to tell
    runs = coordinator_client.get(reverse("web:import_runs")).content.decode()
    assert reverse("web:import_run", args=[run.pk]) in runs
    assert "Klar" in runs


def test_a_file_with_bad_lines_writes_nothing_and_names_every_error(
    coordinator_client, coordinator
):
    bad = {
        3: {"moved_in": "2020-13-01"},
        7: {"municipality_code": "12", "protected_identity": "ja"},  # two on one line
        11: {"personnummer": "12345"},
        19: {"given_name": ""},
        23: {"asylum_seeker": "x"},
    }
    upload(coordinator_client, "population", population(25, bad=bad))
    run = ImportRun.objects.get()

    import_upload_execute(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == "failed"
    assert Person.objects.count() == 0
    where = sorted((r["line"], r["column"]) for r in run.rejects)
    assert where == [
        (4, "moved_in"),
        (8, "municipality_code"),
        (8, "protected_identity"),
        (12, "personnummer"),
        (20, "given_name"),
        (24, "asylum_seeker"),
    ]
    assert run.counts["rejected_lines"] == 5
    page = coordinator_client.get(reverse("web:import_run", args=[run.pk])).content.decode()
    assert "Filen avvisades. Ingenting sparades." in page
    assert "5 rader har fel." in page
    for line, column in where:
        assert (
            f'<td class="govuk-table__cell">{line}</td><td class="govuk-table__cell">{column}</td>'
            in page
        )
    notification = Notification.objects.get()
    assert notification.user == coordinator.user
    assert notification.url == reverse("web:import_run", args=[run.pk])
    assert not ImportUpload.objects.exists()


def test_the_cli_and_the_browser_report_the_same_errors(coordinator_client, tmp_path):
    from django.core.management import CommandError, call_command

    data = population(6, bad={2: {"moved_in": "x", "moved_out": "y"}})
    path = tmp_path / "p.csv"
    path.write_bytes(data)
    out = []
    with pytest.raises(CommandError):
        call_command("import", "population", str(path), stdout=_Writer(out))
    upload(coordinator_client, "population", data)
    run = ImportRun.objects.filter(kind="population").get()
    import_upload_execute(run_id=run.pk)
    run.refresh_from_db()
    printed = "".join(out)
    for reject in run.rejects:
        assert f"rad {reject['line']}, kolumn {reject['column']}: {reject['reason']}" in printed
    assert len(run.rejects) == 2


class _Writer:
    def __init__(self, out: list[str]) -> None:
        self.out = out

    def write(self, text: str) -> None:
        self.out.append(text)

    def flush(self) -> None:
        pass


def test_a_file_over_the_size_bound_is_refused_at_upload(coordinator_client, settings):
    settings.LOTSEN_IMPORT_MAX_MB = 1
    answer = upload(coordinator_client, "population", b"x" * (1024 * 1024 + 1))
    assert answer.status_code == 200
    assert "Filen är större än 1 MB" in answer.content.decode()
    assert not ImportRun.objects.exists() and not JobRun.objects.exists()


def test_another_organisations_run_is_a_404(coordinator_client, coordinator, client):
    upload(coordinator_client, "population", population(2))
    run = ImportRun.objects.get()
    other = MembershipFactory(
        organisation=MunicipalityFactory(municipality_code="2481"), role=Role.KAA_COORDINATOR
    )
    client.force_login(other.user)
    assert client.get(reverse("web:import_run", args=[run.pk])).status_code == 404
    assert client.get(reverse("web:import_run_status", args=[run.pk])).status_code == 404
    assert (
        reverse("web:import_run", args=[run.pk])
        not in client.get(reverse("web:import_runs")).content.decode()
    )


def _in_thread(work):
    """``work()`` on a connection of its own, committed at once (outside this test's
    transaction), as the worker's and the web process's connections are."""
    from django.db import connections

    result = []

    def target():
        try:
            result.append(work())
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    return result[0]


def test_progress_is_readable_while_the_import_transaction_is_open(coordinator):
    """The reporter stores progress where another connection sees it while the import's
    transaction is still open: on PostgreSQL a thread of its own writes the upload row (a
    committed row, as the worker's would be), on SQLite a file (SQLite's one writer is
    the import). Here this test's own open transaction plays the import's."""
    sqlite = connection.vendor == "sqlite"

    def create() -> int:
        run = ImportRun.objects.create(
            source="upload:population", kind="population", started_at=dt.datetime.now(dt.UTC)
        )
        ImportUpload.objects.create(run=run, content=b"")
        return run.pk

    run_id = create() if sqlite else _in_thread(create)
    reporter = ProgressReporter(run_id)
    try:
        with transaction.atomic():
            PersonFactory()  # the import's writes, not committed while it runs
            reporter(read=1000, total=5000)
            reporter.flush()
            deadline = time.monotonic() + 30
            while progress_read(run_id) != {"read": 1000, "total": 5000}:
                assert time.monotonic() < deadline, progress_read(run_id)
                time.sleep(0.05)
            reporter(written=2000)
            reporter.flush()
            while progress_read(run_id).get("written") != 2000:
                assert time.monotonic() < deadline, progress_read(run_id)
                time.sleep(0.05)
    finally:
        reporter.close()
        if not sqlite:
            _in_thread(lambda: ImportRun.objects.filter(pk=run_id).delete())


def test_a_reader_problem_on_one_line_leaves_the_other_lines_checked(coordinator_client):
    """A control character (the CSV reader's fault) on one line and a bad date on
    another: both are named, not only the reader's."""
    data = population(5, bad={2: {"given_name": "Ung\x07"}, 4: {"moved_in": "2020-02-30"}})
    upload(coordinator_client, "population", data)
    run = ImportRun.objects.get()

    import_upload_execute(run_id=run.pk)

    run.refresh_from_db()
    assert [(r["line"], r["column"]) for r in run.rejects] == [(3, "given_name"), (5, "moved_in")]
    assert Person.objects.count() == 0
