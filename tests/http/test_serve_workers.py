"""``lotsen serve --workers 2``: the production layout, several processes through gunicorn.

One process holds Python's interpreter lock, so a slow page made every other page wait
(issue 16). With two sync worker processes of one thread each, a client that holds one
process (a request whose headers never end) must not stop the other from answering; and
the server runs as a master with two worker processes. A real server on loopback, on a
file SQLite database of its own.
"""

from __future__ import annotations

import http.client
import socket
import time
from pathlib import Path

import pytest
import requests

from tests.concurrency.test_serve_concurrency import LOTSEN, TIMEOUT, Served
from tests.owndb import migrated

LOGIN = "/konto/logga-in/"

pytest.importorskip("gunicorn", reason="gunicorn is in the dev and production extras")


class ServedWithWorkers(Served):
    threads = 1

    def start(self) -> None:
        import subprocess

        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [str(LOTSEN), "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", "2", "--threads", str(self.threads)],
            cwd=Path(__file__).resolve().parents[2],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.server_log()
            if len(self.worker_pids()) == 2:
                try:
                    requests.get(f"{self.base}{LOGIN}", timeout=5, allow_redirects=False)
                    return
                except requests.ConnectionError:
                    pass
            time.sleep(0.2)
        raise AssertionError(f"lotsen serve did not answer in {TIMEOUT} s\n{self.server_log()}")

    def worker_pids(self) -> list[int]:
        """The server's child processes (gunicorn's workers), from /proc."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve-workers")
    url = f"sqlite:///{tmp / 'db.sqlite3'}"
    migrated(url)
    served = ServedWithWorkers(url, tmp / "serve.log")
    served.start()
    yield served
    served.stop()


def test_two_worker_processes_answer_while_one_is_held(two_workers):
    assert len(two_workers.worker_pids()) == 2, two_workers.server_log()
    # One worker reads this request's headers, which never end: a sync worker of one
    # thread is held until gunicorn's timeout (30 s).
    with socket.create_connection(("127.0.0.1", two_workers.port), timeout=TIMEOUT) as held:
        held.sendall(b"GET /konto/logga-in/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        time.sleep(0.5)
        # The other process answers meanwhile, again and again, well before that timeout.
        for _ in range(3):
            page = requests.get(two_workers.base + LOGIN, timeout=10, allow_redirects=False)
            assert page.status_code == 200, two_workers.server_log()
            assert "Logga in" in page.text
        # The held request was not answered: the page above came from the other process.
        held.settimeout(0.5)
        with pytest.raises(TimeoutError):
            held.recv(1)


class ServedWithThreads(ServedWithWorkers):
    threads = 2


def test_an_idle_connection_is_kept_while_a_person_reads_the_page(tmp_path):
    # gunicorn's threaded workers closed an idle keep-alive connection after 2 s; a client
    # that sent its next request just then got "connection reset" (the load benchmark's
    # users, between pages). Five seconds idle, and the same connection still answers.
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    migrated(url)
    served = ServedWithThreads(url, tmp_path / "serve.log")
    served.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
        connection.request("GET", LOGIN)
        first = connection.getresponse()
        first.read()
        assert first.status == 200
        client_port = connection.sock.getsockname()[1]
        time.sleep(5)
        connection.request("GET", LOGIN)
        second = connection.getresponse()
        second.read()
        assert second.status == 200, served.server_log()
        # The same connection, not a new one.
        assert connection.sock.getsockname()[1] == client_port
    finally:
        served.stop()
