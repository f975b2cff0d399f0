"""A young person's and a guardian's session reach their own pages only (issue 11): every
other URL of Lotsen, staff pages, admin and all, answers as a missing page (404), or 405
for a method no one may use there, the same as for anybody."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from lotsen.accounts.oidc import LOGIN_GUARDIAN, SESSION_LOGIN_KIND
from lotsen.youth.middleware import COMMON_PREFIXES
from tests.factories import PersonFactory, UserFactory
from tests.youth.guardian_world import (
    guardian_actor,
    guardian_of,
    minor,
    request_for,
    social_services,
    staff,
)

pytestmark = pytest.mark.django_db


def _paths() -> list[str]:
    """Every URL pattern of the project as a path, with "1" and "x" for its parameters."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    paths = []
    for route in walk(get_resolver().url_patterns):
        if "(?P" in route or "\\" in route:  # the admin's regex routes
            continue
        path = "/" + re.sub(r"<int:\w+>", "1", route)
        path = re.sub(r"<(?:\w+:)?\w+>", "x", path).replace("^", "").replace("$", "")
        paths.append(path)
    return sorted(set(paths))


def _outside(paths, allowed_prefixes, allowed_pages):
    return [
        p for p in paths if p not in allowed_pages and not p.startswith(tuple(allowed_prefixes))
    ]


def test_a_young_persons_session_gets_404_outside_their_own_pages(client):
    me = PersonFactory()
    client.force_login(UserFactory(person=me))
    outside = _outside(
        _paths(),
        [reverse("youth:start"), reverse("notifications:centre"), "/api/v1/", *COMMON_PREFIXES],
        {reverse("web:start"), reverse("web:person_detail", args=[me.pk])},
    )
    # The staff pages are there to be refused: persons, imports, cases, KAA, admin, ...
    assert {"/personer/", "/importera/", "/arenden/", "/admin/", "/konto/valj-roll/"} <= set(
        outside
    )
    answers = {path: client.get(path).status_code for path in outside}
    assert {path for path, status in answers.items() if status not in (404, 405)} == set()
    assert reverse("guardians:start") in outside
    # Their own pages still answer.
    assert client.get(reverse("youth:start")).status_code == 200
    assert client.get(reverse("web:person_detail", args=[me.pk])).status_code == 200
    assert client.get(reverse("web:start"))["Location"] == reverse("youth:start")


def test_a_guardians_session_gets_404_outside_the_guardians_pages(client):
    child = minor()
    guardian_of(child)
    request_for(child, asker=staff(social_services()))
    client.force_login(guardian_actor().user)
    session = client.session
    session[SESSION_LOGIN_KIND] = LOGIN_GUARDIAN
    session.save()

    outside = _outside(_paths(), [reverse("guardians:start"), *COMMON_PREFIXES], set())
    answers = {path: client.get(path).status_code for path in outside if path != "/"}

    assert {path for path, status in answers.items() if status not in (404, 405)} == set()
    assert reverse("youth:start") in answers and "/api/v1/persons/" in answers
    assert client.get("/")["Location"] == reverse("guardians:start")
    assert client.get(reverse("guardians:start")).status_code == 200
