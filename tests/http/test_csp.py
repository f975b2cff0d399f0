"""Every answer carries Lotsen's Content-Security-Policy, with no inline script or style
allowed, and every answer to a signed-in user ``Cache-Control: no-store`` (issue 11, "What
must be shown" 7). The crawl walks the URLconf (tests/http/test_methods.py), so a page added
tomorrow is crawled too, signed out and signed in as several roles, with ids of records
the actor may see. Pages rendered as HTML are also read for what the policy would block:
an inline script, a style attribute, an inline event handler or a <style> element.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from lotsen.accounts.middleware import SESSION_IDENTITY_PROVIDER
from lotsen.accounts.models import IdentityProvider, Role
from lotsen.people.models import Person
from tests.factories import MembershipFactory, UserFactory
from tests.http.test_methods import _urls, world  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

# A script element without src that is not data (json_script's application/json).
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I
)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)


def policy(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def policy_problems(response) -> list[str]:
    csp = policy(response)
    problems = []
    if not csp:
        return ["no Content-Security-Policy"]
    for directive in ("script-src", "style-src"):
        sources = csp.get(directive, csp.get("default-src"))
        if sources is None or {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(sources):
            problems.append(f"{directive} {sources}")
    expected = {
        "default-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
    }
    for directive, sources in expected.items():
        if csp.get(directive) != sources:
            problems.append(f"{directive} {csp.get(directive)}")
    return problems


def inline_content(response) -> list[str]:
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return []
    html = response.content.decode()
    found = []
    for name, pattern in (
        ("inline script", INLINE_SCRIPT),
        ("style attribute", STYLE_ATTRIBUTE),
        ("event handler", EVENT_HANDLER),
        ("style element", STYLE_ELEMENT),
    ):
        found += [f"{name}: {match.group(0)[:80]}" for match in pattern.finditer(html)]
    return found


def no_store(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives


@pytest.fixture
def roles(world):  # noqa: F811
    """Users to crawl as, with the ids their URLs take: a mentor with a pupil and a case, a
    KAA coordinator with a young person in the register, a young person (Mina sidor), an
    organisation admin, and a system administrator (the admin's pages)."""
    mentor, mentor_ids = world["mentor"]
    coordinator, kaa_ids = world["kaa"]
    person = Person.objects.get(pk=mentor_ids["person_id"])
    young_user = UserFactory(person=person)
    orgadmin = MembershipFactory(role=Role.ORGANISATION_ADMIN).user
    superuser = UserFactory(is_staff=True, is_superuser=True)
    return {
        "mentor": (mentor, mentor_ids | {"pk": mentor_ids["case_id"]}),
        "kaa": (coordinator, kaa_ids),
        "young_person": (young_user, {"person_id": str(person.pk)}),
        "organisation_admin": (orgadmin, {}),
        "system_admin": (superuser, {"pk": str(superuser.pk)}),
    }


@pytest.fixture
def client():
    # An exception in a view is answered as a user would see it (the 500 page), which must
    # carry the policy too, rather than raised into the test.
    return Client(raise_request_exception=False)


def test_every_url_signed_out_carries_the_policy(client):
    wrong = []
    statuses = []
    for url, _view in _urls({"pk": "1", "format": "json"}):
        response = client.get(url)
        statuses.append(response.status_code)
        problems = policy_problems(response) + inline_content(response)
        if problems:
            wrong.append((url, response.status_code, problems))
    assert wrong == []
    # The login page, and the redirects to it, were among the answers.
    assert 200 in statuses and 302 in statuses


@pytest.mark.parametrize(
    "role", ["mentor", "kaa", "young_person", "organisation_admin", "system_admin"]
)
def test_every_url_signed_in_carries_the_policy_and_no_store(client, roles, role):
    user, ids = roles[role]
    client.force_login(user)
    wrong = []
    pages = 0
    for url, _view in _urls({"pk": "1", "format": "json"} | ids):
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages += 1
        problems = policy_problems(response) + inline_content(response)
        if not no_store(response):
            problems.append(f"Cache-Control {response.get('Cache-Control')}")
        if problems:
            wrong.append((url, response.status_code, problems))
    assert wrong == []
    # The crawl reached real pages, not only refusals.
    assert pages >= 5


def test_the_policy_itself(client):
    csp = policy(client.get(reverse("accounts:login")))
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["form-action"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]


def test_single_logout_provider_joins_form_action_for_its_sessions_only(client):
    provider = IdentityProvider.objects.create(
        name="Kommunens inloggning",
        slug="kommunen",
        kind=IdentityProvider._meta.get_field("kind").choices[0][0],
        issuer="https://idp.kommunen.example/oidc",
        client_id="lotsen",
    )
    user = MembershipFactory(role=Role.MENTOR).user
    client.force_login(user)
    assert policy(client.get(reverse("web:start")))["form-action"] == ["'self'"]
    session = client.session
    session[SESSION_IDENTITY_PROVIDER] = provider.pk
    session.save()
    assert policy(client.get(reverse("web:start")))["form-action"] == [
        "'self'",
        "https://idp.kommunen.example",
    ]


def test_a_client_built_for_another_configuration_adds_nothing(client):
    """The login's client cache is keyed by provider id and last change: an entry left from
    an earlier configuration (or from another provider that had the same id in an earlier
    test database) must not open form-action to its logout endpoint."""
    from types import SimpleNamespace

    from lotsen.accounts import oidc

    provider = IdentityProvider.objects.create(
        name="Kommunens inloggning",
        slug="kommunen",
        kind=IdentityProvider._meta.get_field("kind").choices[0][0],
        issuer="https://idp.kommunen.example/oidc",
        client_id="lotsen",
    )
    stale = (provider.pk, "2001-01-01T00:00:00+00:00")
    oidc._clients[stale] = SimpleNamespace(
        server_metadata={"end_session_endpoint": "https://gammal.example/logout"}
    )
    try:
        user = MembershipFactory(role=Role.MENTOR).user
        client.force_login(user)
        session = client.session
        session[SESSION_IDENTITY_PROVIDER] = provider.pk
        session.save()
        assert policy(client.get(reverse("web:start")))["form-action"] == [
            "'self'",
            "https://idp.kommunen.example",
        ]
    finally:
        oidc._clients.pop(stale, None)
