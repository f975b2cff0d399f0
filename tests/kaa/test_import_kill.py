"""``lotsen import population`` killed with SIGKILL at any point leaves the old state or the
new one whole: persons, residence periods, the stored KAA cohort and the import run agree,
and no run is left "running".

A real subprocess on a database of its own (a file SQLite database in the SQLite pass, a
PostgreSQL database in the PostgreSQL pass). The command is stopped at a named point with
the documented test hook (lotsen.ingest.testhooks): it writes a file when it gets there,
the test waits for that file and kills the process, so nothing depends on timing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lotsen.kaa.imports import POPULATION_COLUMNS
from tests.factories import make_identity_number
from tests.owndb import migrated, own_database_url

LOTSEN = Path(sys.executable).with_name("lotsen")
MUNICIPALITY = "2480"
OLD_PERSONS = 40
NEW_PERSONS = 3000
COMMAND_TIMEOUT = 300

pytestmark = pytest.mark.django_db

STATE = """
import json
from lotsen.kaa.models import CohortMembership, ResidencePeriod
from lotsen.people.models import Person
from lotsen.ingest.models import ImportRun
print(json.dumps({
    "persons": Person.objects.count(),
    "periods": ResidencePeriod.objects.count(),
    "cohort": CohortMembership.objects.filter(
        municipality_code="@CODE@", left_on__isnull=True
    ).count(),
    "runs": sorted(ImportRun.objects.values_list("status", flat=True)),
}))
""".replace("@CODE@", MUNICIPALITY)

SEED = """
from lotsen.accounts.models import Organisation
Organisation.objects.create(name="Kommunen", kind="municipality", municipality_code="@CODE@")
""".replace("@CODE@", MUNICIPALITY)


@pytest.fixture
def database_url(tmp_path):
    with own_database_url(tmp_path, "kill") as url:
        yield url


def _population(count: int, *, first_serial: int = 0) -> str:
    """``count`` persons aged 17, registered in the municipality since their birth."""
    today = dt.date.today()
    lines = [",".join(POPULATION_COLUMNS)]
    for i in range(first_serial, first_serial + count):
        born = dt.date(today.year - 17, 1, 1) + dt.timedelta(days=i // 800)
        number = make_identity_number(born, i % 800 + 100)
        lines.append(f"{number},Ung{i},Person,{MUNICIPALITY},,,0,0")
    return "\n".join(lines) + "\n"


class Instance:
    def __init__(self, url: str, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.env = {**os.environ, "DATABASE_URL": url}
        self.env.pop("LOTSEN_TEST_PAUSE_AT", None)

    def run(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            [str(LOTSEN), *args],
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def state(self) -> dict:
        return json.loads(self.run("shell", "-c", STATE).strip().splitlines()[-1])

    def import_killed_at(self, point: str, file: Path) -> None:
        signal_file = self.tmp_path / f"paused-{point}"
        env = {
            **self.env,
            "LOTSEN_TEST_PAUSE_AT": point,
            "LOTSEN_TEST_PAUSE_FILE": str(signal_file),
        }
        process = subprocess.Popen(
            [str(LOTSEN), "import", "population", str(file)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while not signal_file.exists():
            assert process.poll() is None, process.stderr.read().decode()[-3000:]
            assert time.monotonic() < deadline, f"the import never reached {point}"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process.stderr.close()


def test_an_import_killed_anywhere_leaves_the_old_or_the_new_state_whole(database_url, tmp_path):
    instance = Instance(database_url, tmp_path)
    migrated(database_url)
    instance.run("shell", "-c", SEED)
    old_file = tmp_path / "old.csv"
    old_file.write_text(_population(OLD_PERSONS))
    instance.run("import", "population", str(old_file))
    old = instance.state()
    assert old == {
        "persons": OLD_PERSONS,
        "periods": OLD_PERSONS,
        "cohort": OLD_PERSONS,
        "runs": ["done"],
    }

    # The new extract keeps the old persons and adds many more.
    new_file = tmp_path / "new.csv"
    new_file.write_text(_population(OLD_PERSONS + NEW_PERSONS))
    # Inside the transaction: after the rows, and after the cohort refresh too.
    for point in ("after_write", "after_refresh"):
        instance.import_killed_at(point, new_file)
        assert instance.state() == old, point

    # Once committed, everything is there: the rows, the cohort and the run.
    instance.import_killed_at("after_commit", new_file)
    total = OLD_PERSONS + NEW_PERSONS
    new = {"persons": total, "periods": total, "cohort": total, "runs": ["done", "done"]}
    assert instance.state() == new
    # And importing the file again changes nothing.
    instance.run("import", "population", str(new_file))
    assert instance.state() == {**new, "runs": ["done", "done", "done"]}
