"""The SS 12000 client: OAuth2 client credentials, paging with pageToken, retries."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs

import httpx
import pytest

from lotsen.school.ss12000.client import SS12000Client, SS12000Error


class FakeServer:
    """An httpx MockTransport handler: a token endpoint and scripted collection pages."""

    def __init__(self, pages=None, *, expires_in: int = 3600) -> None:
        self.pages = pages or {}
        self.expires_in = expires_in
        self.tokens_issued = 0
        self.token_requests: list[httpx.Request] = []
        self.requests: list[httpx.Request] = []
        self.script: list = []  # responses or exceptions to give before the normal ones
        self.revoked: set[str] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            self.token_requests.append(request)
            self.tokens_issued += 1
            return httpx.Response(
                200,
                json={
                    "access_token": f"token-{self.tokens_issued}",
                    "token_type": "Bearer",
                    "expires_in": self.expires_in,
                },
            )
        self.requests.append(request)
        if self.script:
            step = self.script.pop(0)
            if isinstance(step, Exception):
                raise step
            return step
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if not token.startswith("token-") or token in self.revoked:
            return httpx.Response(401, json={"code": "unauthorized", "message": "no"})
        query = parse_qs(request.url.query.decode())
        key = query.get("pageToken", ["first"])[0]
        return httpx.Response(200, json=self.pages[key])


def _client(server: FakeServer, **kwargs) -> SS12000Client:
    return SS12000Client(
        base_url="http://ss.test",
        client_id="id-1",
        client_secret="secret-1",
        transport=httpx.MockTransport(server),
        retry_wait_max=0,
        **kwargs,
    )


def test_the_token_is_fetched_with_client_credentials_and_reused():
    server = FakeServer({"first": {"data": [1], "pageToken": None}})
    with _client(server) as client:
        client.get_json("/persons")
        client.get_json("/persons")
    assert server.tokens_issued == 1
    (token_request,) = server.token_requests
    assert token_request.method == "POST"
    assert parse_qs(token_request.content.decode()) == {"grant_type": ["client_credentials"]}
    basic = base64.b64decode(token_request.headers["authorization"].removeprefix("Basic "))
    assert basic == b"id-1:secret-1"
    assert all(r.headers["authorization"] == "Bearer token-1" for r in server.requests)


def test_a_token_about_to_run_out_is_fetched_again():
    # Inside the leeway (60 s) a token counts as run out.
    server = FakeServer({"first": {"data": [], "pageToken": None}}, expires_in=30)
    with _client(server) as client:
        client.get_json("/persons")
        client.get_json("/persons")
    assert server.tokens_issued == 2


def test_a_401_gets_one_more_try_with_a_fresh_token():
    server = FakeServer({"first": {"data": [1], "pageToken": None}})
    with _client(server) as client:
        client.get_json("/persons")
        server.revoked.add("token-1")
        assert client.get_json("/persons") == {"data": [1], "pageToken": None}
    assert server.tokens_issued == 2
    assert server.requests[-1].headers["authorization"] == "Bearer token-2"


def test_transient_errors_are_retried_and_then_succeed():
    server = FakeServer({"first": {"data": [1], "pageToken": None}})
    server.script = [
        httpx.Response(503),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
    ]
    with _client(server, attempts=4) as client:
        assert client.get_json("/grades")["data"] == [1]
    assert len(server.requests) == 4


def test_transient_errors_that_last_become_a_clear_error():
    server = FakeServer({"first": {"data": [], "pageToken": None}})
    server.script = [httpx.Response(502)] * 3
    with _client(server, attempts=3) as client, pytest.raises(SS12000Error, match="502"):
        client.get_json("/grades")
    assert len(server.requests) == 3

    server.script = [httpx.RemoteProtocolError("dropped")] * 2
    with _client(server, attempts=2) as client, pytest.raises(SS12000Error, match="/grades"):
        client.get_json("/grades")


def test_a_client_error_is_not_retried_and_its_message_hides_numbers():
    server = FakeServer()
    server.script = [
        httpx.Response(400, json={"code": "bad", "message": "civicNo 200903150123 okänd"})
    ]
    with _client(server) as client, pytest.raises(SS12000Error) as caught:
        client.get_json("/persons", {"civicNo": "x"})
    assert "400" in str(caught.value)
    assert "200903150123" not in str(caught.value)
    assert len(server.requests) == 1


def test_pages_follow_the_page_token_with_only_the_token_and_limit():
    server = FakeServer(
        {
            "first": {"data": [1, 2], "pageToken": "t2"},
            "t2": {"data": [3], "pageToken": "t3"},
            "t3": {"data": [], "pageToken": None},
        }
    )
    with _client(server, page_size=2) as client:
        pages = list(
            client.pages(
                "/grades",
                {"meta.modified.after": "2026-01-01T00:00:00+00:00", "student": ["a", "b"]},
            )
        )
    assert [page.data for page in pages] == [[1, 2], [3], []]
    assert [page.number for page in pages] == [1, 2, 3]
    first, *rest = (parse_qs(r.url.query.decode()) for r in server.requests)
    assert first == {
        "meta.modified.after": ["2026-01-01T00:00:00+00:00"],
        "student": ["a", "b"],
        "limit": ["2"],
    }
    assert rest == [
        {"pageToken": ["t2"], "limit": ["2"]},
        {"pageToken": ["t3"], "limit": ["2"]},
    ]


def test_a_page_token_that_repeats_is_an_error_not_a_loop():
    server = FakeServer({"first": {"data": [1], "pageToken": "same"}})
    server.pages["same"] = {"data": [2], "pageToken": "same"}
    with _client(server) as client, pytest.raises(SS12000Error, match="pageToken"):
        list(client.pages("/persons"))


def test_max_pages_stops_early():
    server = FakeServer({"first": {"data": [1], "pageToken": "a"}, "a": {"data": [2]}})
    with _client(server) as client:
        assert [p.data for p in client.pages("/persons", max_pages=1)] == [[1]]


@pytest.mark.parametrize("body", [[1, 2], {"items": []}, {"data": "x"}])
def test_a_response_without_a_data_list_is_an_error(body):
    server = FakeServer({"first": body})
    with _client(server) as client, pytest.raises(SS12000Error, match="data"):
        list(client.pages("/persons"))


def test_a_token_endpoint_that_refuses_is_a_clear_error():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, content=json.dumps({"error": "invalid_client"}))

    client = SS12000Client(
        base_url="http://ss.test",
        client_id="id",
        client_secret="wrong",
        transport=httpx.MockTransport(handler),
        retry_wait_max=0,
    )
    with client, pytest.raises(SS12000Error, match="åtkomsttoken"):
        client.get_json("/persons")
