"""``lotsen serve`` under the production settings behind a TLS-terminating proxy.

The proxy talks plain HTTP to Lotsen and says ``X-Forwarded-Proto: https``. waitress drops
that header unless it comes from the trusted proxy (LOTSEN_TRUSTED_PROXY), so without it
every request looked like plain HTTP and production redirected to https forever; from
anyone else the header must still be ignored, or a client could claim https itself.
"""

from __future__ import annotations

import socket

import pytest
import requests

from tests.concurrency.test_serve_concurrency import Served
from tests.owndb import migrated

LOGIN = "/konto/logga-in/"
HTTPS = {"X-Forwarded-Proto": "https"}


def _serve(tmp_path_factory, **env):
    tmp = tmp_path_factory.mktemp("serve")
    # The login page lists the configured sign-in services: the database must exist.
    url = f"sqlite:///{tmp / 'db.sqlite3'}"
    migrated(url)
    served = Served(url, tmp / "serve.log", **env)
    served.start()
    return served


def _production(tmp_path_factory, trusted_proxy: str):
    return _serve(
        tmp_path_factory,
        DJANGO_SETTINGS_MODULE="lotsen.settings_production",
        LOTSEN_TRUSTED_PROXY=trusted_proxy,
    )


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory):
    served = _production(tmp_path_factory, "127.0.0.1")
    yield served
    served.stop()


@pytest.fixture(scope="module")
def proxy_elsewhere(tmp_path_factory):
    served = _production(tmp_path_factory, "192.0.2.10")
    yield served
    served.stop()


def test_https_from_the_trusted_proxy_is_served_not_redirected(behind_proxy):
    page = requests.get(behind_proxy.base + LOGIN, headers=HTTPS, allow_redirects=False, timeout=30)
    assert page.status_code == 200, behind_proxy.server_log()
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in page.headers["Set-Cookie"]  # the CSRF cookie, https only
    plain = requests.get(behind_proxy.base + LOGIN, allow_redirects=False, timeout=30)
    assert plain.status_code == 301
    assert plain.headers["Location"] == f"https://127.0.0.1:{behind_proxy.port}{LOGIN}"


def test_https_claimed_by_anyone_else_is_ignored(proxy_elsewhere):
    spoofed = requests.get(
        proxy_elsewhere.base + LOGIN, headers=HTTPS, allow_redirects=False, timeout=30
    )
    assert spoofed.status_code == 301
    assert spoofed.headers["Location"].startswith("https://")


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    served = _serve(tmp_path_factory)
    yield served
    served.stop()


def _raw(served: Served, request: str) -> tuple[bytes, bytes]:
    with socket.create_connection(("127.0.0.1", served.port), timeout=30) as connection:
        connection.sendall(request.encode())
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    return head, body


def test_head_answers_with_the_headers_of_get_and_no_body(plain):
    # Django's test client drops a HEAD body itself; waitress sends what it is given.
    request = "{} " + LOGIN + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
    get_head, get_body = _raw(plain, request.format("GET"))
    head_head, head_body = _raw(plain, request.format("HEAD"))
    assert get_head.startswith(b"HTTP/1.0 200") and len(get_body) > 1000
    assert head_head.startswith(b"HTTP/1.0 200")
    assert head_body == b""
    assert f"Content-Length: {len(get_body)}".encode() in head_head.split(b"\r\n")
