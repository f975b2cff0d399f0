"""An SS 12000 v2.1 client: OAuth2 client credentials, paging, timeouts and retries.

The token step is ours, on httpx, rather than Authlib's httpx integration: client
credentials is one POST (RFC 6749 §4.4) and a re-fetch when the token runs out or the
server answers 401, and Authlib's integration is moving from httpx to a new package
(``httpx2``), warning on every import with httpx. Retries use tenacity.

A page is a dict ``{"data": [...], "pageToken": "..." | null}`` (spec: e.g.
``Organisations``, ``PersonsExpanded``, ``Grades``). The spec says a ``pageToken`` "cannot
be combined with other filters but can with ``limit``", so a follow-up request carries
only those two.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from lotsen.school.ss12000 import spec

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_PAGE_SIZE = 500
DEFAULT_ATTEMPTS = 4
# A token is fetched again this many seconds before the server says it runs out.
TOKEN_LEEWAY_SECONDS = 60
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_LONG_NUMBER = re.compile(r"\d[\d\s-]{8,}\d")

ERROR_TOKEN = "Kunde inte hämta en åtkomsttoken från {url}: {detail}"  # noqa: S105
ERROR_STATUS = "SS 12000-servern svarade {status} på {path}{detail}"
ERROR_NOT_JSON = "SS 12000-servern svarade inte med JSON på {path}"
ERROR_SHAPE = "SS 12000-servern svarade på {path} utan en lista 'data' (så som specen kräver)"
ERROR_TOKEN_LOOP = "SS 12000-servern skickade samma pageToken två gånger i rad på {path}"  # noqa: S105
ERROR_TRANSPORT = "Ingen kontakt med SS 12000-servern ({path}): {detail}"


class SS12000Error(Exception):
    """The server could not be used; ``str()`` says why, in Swedish, without personal data."""


@dataclass(frozen=True)
class Page:
    path: str
    number: int  # 1-based
    data: list[Any]
    next_token: str | None


class _Retryable(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def _is_transient(error: BaseException) -> bool:
    return isinstance(error, httpx.TransportError | _Retryable)


class SS12000Client:
    """A client for one SS 12000 server. Use as a context manager, or call ``close()``.

    ``transport`` and ``mounts`` are passed to httpx: the tests serve the SS 12000 test
    server in-process through ``httpx.WSGITransport``.
    """

    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        client_secret: str,
        token_url: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        attempts: int = DEFAULT_ATTEMPTS,
        retry_wait_max: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        mounts: Mapping[str, httpx.BaseTransport] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token_url = token_url or f"{self.base_url}/token"
        self.client_id = client_id
        self.client_secret = client_secret
        self.page_size = page_size
        self._http = httpx.Client(
            timeout=timeout,
            transport=transport,
            mounts=dict(mounts) if mounts else None,
            headers={"Accept": "application/json"},
        )
        self._token: str | None = None
        self._token_expires = 0.0
        self._retrying = Retrying(
            retry=retry_if_exception(_is_transient),
            stop=stop_after_attempt(max(1, attempts)),
            wait=wait_exponential_jitter(multiplier=0.5, max=retry_wait_max),
            reraise=True,
        )

    def __enter__(self) -> SS12000Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- Token ------------------------------------------------------------------------

    def _access_token(self) -> str:
        if self._token is None or time.monotonic() >= self._token_expires:
            self._token_fetch()
        assert self._token is not None
        return self._token

    def _token_fetch(self) -> None:
        """RFC 6749 §4.4 with client_secret_basic (§2.3.1), the method servers must support."""
        try:
            response = self._retrying(
                self._send,
                "POST",
                self.token_url,
                data={"grant_type": "client_credentials"},
                auth=(self.client_id, self.client_secret),
            )
        except httpx.TransportError as error:
            raise SS12000Error(
                ERROR_TOKEN.format(url=self.token_url, detail=type(error).__name__)
            ) from error
        except _Retryable as error:
            response = error.response
        if response.status_code != 200:
            raise SS12000Error(
                ERROR_TOKEN.format(url=self.token_url, detail=f"HTTP {response.status_code}")
            )
        try:
            body = response.json()
            token = body["access_token"]
        except (ValueError, KeyError, TypeError) as error:
            raise SS12000Error(
                ERROR_TOKEN.format(url=self.token_url, detail="svaret saknar access_token")
            ) from error
        expires_in = body.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, int | float) else 3600.0
        self._token = str(token)
        self._token_expires = time.monotonic() + max(0.0, lifetime - TOKEN_LEEWAY_SECONDS)

    # --- Requests ---------------------------------------------------------------------

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = self._http.request(method, url, **kwargs)
        if response.status_code in RETRY_STATUSES:
            raise _Retryable(response)
        return response

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET ``path`` with a bearer token; retried on transient errors; 401 once more
        with a fresh token (the server may have revoked ours)."""
        url = f"{self.base_url}{path}"
        for fresh_token in (False, True):
            if fresh_token:
                self._token = None
            headers = {"Authorization": f"Bearer {self._access_token()}"}
            try:
                response = self._retrying(
                    self._send, "GET", url, params=_query(params), headers=headers
                )
            except httpx.TransportError as error:
                raise SS12000Error(
                    ERROR_TRANSPORT.format(path=path, detail=type(error).__name__)
                ) from error
            except _Retryable as error:
                response = error.response
            if response.status_code != 401:
                break
        if response.status_code != 200:
            raise SS12000Error(
                ERROR_STATUS.format(
                    status=response.status_code, path=path, detail=_error_detail(response)
                )
            )
        try:
            return response.json()
        except ValueError as error:
            raise SS12000Error(ERROR_NOT_JSON.format(path=path)) from error

    def pages(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        max_pages: int | None = None,
    ) -> Iterator[Page]:
        """Every page of a collection, following ``pageToken`` until it is null or absent.

        ``max_pages`` stops early (a trial run, or a mock that never stops paging).
        """
        query: dict[str, Any] = dict(params or {})
        query[spec.PARAM_LIMIT] = self.page_size
        number = 0
        previous_token: str | None = None
        while True:
            number += 1
            body = self.get_json(path, query)
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise SS12000Error(ERROR_SHAPE.format(path=path))
            token = body.get(spec.PARAM_PAGE_TOKEN)
            token = token if isinstance(token, str) and token else None
            yield Page(path=path, number=number, data=body["data"], next_token=token)
            if token is None or (max_pages is not None and number >= max_pages):
                return
            if token == previous_token:
                raise SS12000Error(ERROR_TOKEN_LOOP.format(path=path))
            previous_token = token
            query = {spec.PARAM_LIMIT: self.page_size, spec.PARAM_PAGE_TOKEN: token}


def _query(params: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Query pairs; a list becomes the parameter repeated (OpenAPI's default ``form``,
    ``explode: true`` style for arrays in the query)."""
    pairs: list[tuple[str, str]] = []
    for name, value in (params or {}).items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if isinstance(item, bool):
                item = "true" if item else "false"
            pairs.append((name, str(item)))
    return pairs


def _error_detail(response: httpx.Response) -> str:
    # The spec's Error object carries a code and a message; show them, cut short, since
    # they come from another system and end up in the import run's record.
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        code = body.get("code")
        prefix = f"{code}: " if isinstance(code, str) and code else ""
        # Another system's words: anything that could be a personnummer is hidden.
        message = _LONG_NUMBER.sub("[nummer dolt]", body["message"][:200])
        return f" ({prefix}{message})"
    return ""
