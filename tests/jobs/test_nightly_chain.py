"""The nightly chain on a demo, with a real worker (issue 12, "what must be shown" 1): an
SS 12000 source configured as in the admin, the scheduled sync starting its import against
the SS 12000 test server (``lotsen ss12000 serve``, the demo's school data), the import
leading to signals compute and then scores, the signals notifying the mentors, and the
daily digest going to a real SMTP server (aiosmtpd) with one item per signal.

Once against the real Redis on 127.0.0.1:6379 (db 15) and once against the embedded
file-system broker. The expected numbers come from the data the run wrote: each mentor's
digest lists exactly the signals that went to them (assigned to them, or waiting at a school
unit where they are one of several mentors), and every mentor with a signal gets one.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections import Counter

import pytest
from aiosmtpd.controller import Controller

from lotsen.demo.ss12000server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from lotsen.notifications.mail import DIGEST_SUBJECT
from tests.jobs.test_worker import LOTSEN, Deployment
from tests.notifications.conftest import Inbox, smtp_message_text_lines
from tests.owndb import migrated, own_database_url

REDIS_URL = "redis://127.0.0.1:6379/15"
SIZE = 60
SEED = 31
SIGNAL_TITLE = "En signal har kommit till dig eller ditt arbetslag i Lotsen"
CHAIN = {"school.ss12000_sync", "school.ss12000_import", "signals.compute", "signals.score"}

pytestmark = pytest.mark.django_db

# The demo's school organiser and school units, one mentor each (their signals are
# assigned to them), and a second mentor at the first unit (its signals wait for the
# team). Everyone chose the daily digest for signals; the source is configured as the
# admin form does it, with the secret encrypted.
SEED_SCRIPT = """
from lotsen.accounts.models import Membership, User
from lotsen.demo.generator import demo_organisations_unsaved
from lotsen.notifications.models import NotificationPreference
from lotsen.school.sources import SchoolDataSource
orgs = demo_organisations_unsaved()
organiser = orgs.organiser
organiser.save()
def mentor(name, school):
    user = User.objects.create(username=name, email=name + "@example.se")
    Membership.objects.create(user=user, organisation=school, role="mentor")
    NotificationPreference.objects.create(user=user, kind="signals.assigned", delivery="digest")
for index, school in enumerate(orgs.compulsory + orgs.upper_secondary):
    school.parent = organiser
    school.save()
    mentor(f"mentor{index}", school)
mentor("mentor0b", orgs.compulsory[0])
source = SchoolDataSource(organisation=organiser, name="Demo", base_url="@URL@",
                          client_id="@ID@", enabled=True)
source.client_secret_set("@SECRET@")
source.save()
"""

# What the run wrote: per mentor's address, the signals that went to them and the
# notifications they have.
FACTS = """
import json
from lotsen.accounts.models import Membership, User
from lotsen.earlywarning.models import Signal
from lotsen.notifications.models import Notification
out = {}
for user in User.objects.filter(memberships__role="mentor").distinct():
    units = Membership.objects.filter(user=user, role="mentor").values("organisation_id")
    mine = Signal.objects.filter(assigned_to=user).count()
    team = Signal.objects.filter(assigned_to__isnull=True, school_unit__in=units).count()
    out[user.email] = {
        "signals": mine + team,
        "notifications": Notification.objects.filter(user=user, kind="signals.assigned").count(),
    }
out["_total_signals"] = Signal.objects.count()
print(json.dumps(out))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def ss12000_server():
    port = _free_port()
    process = subprocess.Popen(
        [str(LOTSEN), "ss12000", "serve", "--port", str(port), "--size", str(SIZE),
         "--seed", str(SEED)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None, "the SS 12000 test server did not start"
            assert time.monotonic() < deadline, "the SS 12000 test server did not answer"
            time.sleep(0.3)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture(params=["redis", "filesystem"])
def deployment(request, tmp_path):
    with own_database_url(tmp_path, f"chain_{request.param}") as url:
        deployment = Deployment(url, tmp_path, request.param)
        if request.param == "redis":
            deployment.env["LOTSEN_BROKER_URL"] = REDIS_URL
        migrated(url)
        try:
            yield deployment
        finally:
            deployment.stop()


def test_the_nightly_chain_imports_computes_scores_and_sends_the_digests(
    deployment, ss12000_server, smtp
):
    inbox, port = smtp
    deployment.run(
        "shell",
        "-c",
        SEED_SCRIPT.replace("@URL@", ss12000_server)
        .replace("@ID@", DEFAULT_CLIENT_ID)
        .replace("@SECRET@", DEFAULT_CLIENT_SECRET),
    )
    deployment.env.update(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        LOTSEN_BASE_URL="https://lotsen.example.se",
    )
    deployment.worker()

    # What the scheduler sends at night: the sync, which starts the source's import,
    # which starts the signals, which start the scores.
    deployment.run("jobs", "start", "school.ss12000_sync")
    runs = deployment.wait_for(CHAIN)
    by_name = {run["name"]: run for run in runs}
    for name in CHAIN:
        assert by_name[name]["status"] == "succeeded", by_name[name]
    assert by_name["school.ss12000_sync"]["counts"] == {"started": 1, "already_running": 0}
    assert by_name["signals.compute"]["counts"]["pupils"] > 0
    assert by_name["signals.score"]["counts"]["pupils"] == 0  # no model trained: nothing
    assert [run["name"] for run in runs].count("signals.compute") == 1

    deployment.run("jobs", "start", "notifications.digest")
    runs = deployment.wait_for({"notifications.digest"})
    digest = next(run for run in runs if run["name"] == "notifications.digest")
    assert digest["status"] == "succeeded", digest

    facts = json.loads(deployment.run("shell", "-c", FACTS).strip().splitlines()[-1])
    total = facts.pop("_total_signals")
    raised = by_name["signals.compute"]["counts"]["raised"]
    assert total == raised > 0
    # Each mentor has one notification per signal that went to them ...
    for address, mentor in facts.items():
        assert mentor["notifications"] == mentor["signals"], address
    # ... and one digest listing exactly those, and nobody else gets one.
    digests = {m["To"]: m for m in inbox.messages if m["Subject"] == DIGEST_SUBJECT}
    expected = {address: m["signals"] for address, m in facts.items() if m["signals"]}
    assert digest["counts"] == {"digests": len(expected)}
    assert set(digests) == set(expected)
    for address, message in digests.items():
        items = Counter(smtp_message_text_lines(message))
        assert items[SIGNAL_TITLE] == expected[address], address
    # The signals of the unit with two mentors went to both of them.
    assert facts["mentor0@example.se"]["signals"] == facts["mentor0b@example.se"]["signals"]
