"""Every URL in the URLconf answers 405 to a method its view does not handle, before the
view runs: a PUT, PATCH, DELETE or TRACE (or OPTIONS) on a page never renders it, never reads
personal data and never writes an access-log entry. API endpoints answer 405 to every
method their view set does not declare (PUT on a plan is declared, DELETE is not). A POST
to a page that only reads (a person page, a list, a report, a download) is refused the same
way, and every function view declares which methods it takes (``lotsen.pages.methods``), so a
new view cannot forget.

The crawl walks the URLconf itself, so a page added tomorrow is crawled too. Ids in the
URLs are those of real records the actor may see, so that a view that did run would read
and log.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from lotsen.accounts.models import Role
from lotsen.pages.methods import declared_methods
from lotsen.pages.middleware import view_methods
from lotsen.privacy.models import AccessLogEntry
from lotsen.support.services import case_open
from tests.factories import EnrolmentFactory, MembershipFactory, SchoolUnitFactory
from tests.kaa.conftest import M, refresh, young

pytestmark = pytest.mark.django_db

REFUSED = ("PUT", "PATCH", "DELETE", "TRACE")
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
GROUP = re.compile(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)")


def _patterns(patterns, prefix=""):
    """(route with placeholders, view function) for every pattern in the URLconf."""
    for entry in patterns:
        route = prefix + _route(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, route)
        else:
            assert isinstance(entry, URLPattern)
            yield route, entry.callback


def _route(pattern) -> str:
    """A route() pattern as written, or a regex turned into the same placeholder form."""
    text = str(pattern)
    if not hasattr(pattern, "regex") or "<" in text and "(?P" not in text:
        return text
    text = text.removeprefix("^").removesuffix("$").replace("\\.", ".").replace("/?", "/")

    def group(match):
        name, body = match.groups()
        # An alternation of names (the admin's app labels): take the first.
        if re.fullmatch(r"[\w|]+", body):
            return body.split("|")[0]
        return f"<{name}>"

    return GROUP.sub(group, text)


def _sample(converter: str | None, name: str, values: dict[str, str]) -> str:
    if converter == "drf_format_suffix":
        return ".json"
    return values.get(name, "1")


def _urls(values: dict[str, str]) -> list[tuple[str, object]]:
    urls = []
    for route, view in _patterns(get_resolver().url_patterns):
        path = CONVERTER.sub(lambda m: _sample(m.group(1), m.group(2), values), route)
        urls.append(("/" + path, view))
    return urls


def _declared(view) -> set[str] | None:
    """The methods an API view declares for this route (a view set's actions, an API
    view's handlers; DRF answers OPTIONS itself); None for pages."""
    from rest_framework.views import APIView

    cls = getattr(view, "cls", None)
    if cls is None or not issubclass(cls, APIView):
        return None
    actions = getattr(view, "actions", None)
    if actions is None:
        return {method.upper() for method in cls.http_method_names if hasattr(cls, method)}
    return {method.upper() for method in actions} | {"OPTIONS"}


@pytest.fixture
def world():
    school = SchoolUnitFactory(name="Norra gymnasiet", municipality_code=M)
    mentor = MembershipFactory(organisation=school, role=Role.MENTOR)
    pupil = EnrolmentFactory(school_unit=school, school_type="GY", school_year=1).person
    from lotsen.accounts.actor import Actor

    case = case_open(actor=Actor.for_membership(mentor), person=pupil, target_groups=["dropout"])
    from tests.factories import MunicipalityFactory

    municipality = MunicipalityFactory(municipality_code=M, name="Kommunen")
    coordinator = MembershipFactory(organisation=municipality, role=Role.KAA_COORDINATOR)
    member = young(school)
    refresh()
    return {
        "mentor": (mentor.user, {"person_id": str(pupil.pk), "case_id": str(case.pk)}),
        "kaa": (coordinator.user, {"person_id": str(member.pk)}),
    }


def test_the_crawl_reaches_every_kind_of_url():
    urls = dict(_urls({"format": "json"}))
    assert {"/personer/1/", "/api/v1/cases/1/plan/", "/admin/auth/", "/api/schema/"} <= set(urls)
    # The API root is Lotsen's own page and the router adds no format suffixes (a
    # ``persons.json/`` route answered 500); the admin's catch-all is reached.
    assert {"/api/v1/", "/api/v1/persons/", "/admin/1"} <= set(urls)
    assert not any(url.endswith((".json", ".json/")) for url in urls if url.startswith("/api/v1/"))
    assert len(urls) > 200


@pytest.mark.parametrize("who", ["anonymous", "mentor", "kaa"])
def test_every_url_refuses_methods_its_view_does_not_handle(client, world, who):
    values = {"pk": "1", "format": "json"}
    if who != "anonymous":
        user, ids = world[who]
        client.force_login(user)
        values |= ids | {"pk": ids.get("case_id", "1")}
    logged_before = AccessLogEntry.objects.count()
    wrong = []
    for url, view in _urls(values):
        declared = _declared(view)
        for method in REFUSED:
            if declared is not None and method in declared:
                continue
            response = client.generic(method, url)
            if response.status_code != 405 or "Allow" not in response:
                wrong.append((method, url, response.status_code))
    assert wrong == []
    assert AccessLogEntry.objects.count() == logged_before


def test_a_page_still_answers_get_head_and_its_form_post(client, world):
    user, ids = world["mentor"]
    client.force_login(user)
    url = f"/personer/{ids['person_id']}/"
    assert client.get(url).status_code == 200
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert client.options(url)["Allow"] == "GET, HEAD"
    # An API route keeps what it declares: the plan answers PUT (here: a bad body, 400).
    plan = f"/api/v1/cases/{ids['case_id']}/plan/"
    assert client.put(plan, {}, content_type="application/json").status_code == 400
    assert client.delete(plan).status_code == 405


def _function_views(urls):
    """(url, view) for the function views: neither API views nor class-based pages."""
    return [
        (url, view)
        for url, view in urls
        if getattr(view, "cls", None) is None and getattr(view, "view_class", None) is None
    ]


def _name(view) -> str:
    return f"{view.__module__}.{view.__name__}"


# Pages that only read personal data, named so that the POST crawl below cannot pass by
# crawling nothing: each must be among the views the crawl finds read-only.
READ_PAGES = {
    "lotsen.web.views.person_detail",
    "lotsen.web.views.start",
    "lotsen.kaa.views.person",
    "lotsen.kaa.views.cohort",
    "lotsen.support.views.case_detail",
    "lotsen.support.views.case_list",
    "lotsen.programmes.views.participants",
    "lotsen.programmes.views.report",
    "lotsen.youth.views.access_log",
}


def test_every_function_view_declares_its_methods():
    """Lotsen's function views say what they take; only views that are not Lotsen's (the
    admin, set_language, third-party admin pages), which test the method themselves,
    declare nothing."""
    undeclared = sorted(
        {
            _name(view)
            for _url, view in _function_views(_urls({"format": "json"}))
            if declared_methods(view) is None and view.__module__.split(".")[0] == "lotsen"
        }
    )
    assert undeclared == []


def test_a_function_view_that_declares_nothing_takes_only_get_and_head():
    """Deny by default: a new view that forgets to declare is a read-only page (its form
    answers 405 in its first test), never a page that takes any method."""

    def forgot(request):  # pragma: no cover - never called
        raise AssertionError

    forgot.__module__ = "lotsen.web.views"
    assert view_methods(forgot) == ("GET", "HEAD")


@pytest.mark.parametrize("who", ["anonymous", "mentor", "kaa"])
def test_a_post_to_a_page_that_only_reads_is_refused_before_it_reads(client, world, who):
    values = {"pk": "1", "format": "json"}
    if who != "anonymous":
        user, ids = world[who]
        client.force_login(user)
        values |= ids | {"pk": ids.get("case_id", "1")}
    read_only = [
        (url, view)
        for url, view in _function_views(_urls(values))
        if view.__module__.split(".")[0] != "django" and "POST" not in view_methods(view)
    ]
    assert {_name(view) for _url, view in read_only} >= READ_PAGES
    logged_before = AccessLogEntry.objects.count()
    wrong = []
    for url, _view in read_only:
        response = client.post(url, {"q": "a"})
        if response.status_code != 405 or response.get("Allow") != "GET, HEAD":
            wrong.append((url, response.status_code, response.get("Allow")))
    assert wrong == []
    assert AccessLogEntry.objects.count() == logged_before


def test_a_post_to_a_person_page_renders_nothing_and_logs_nothing(client, world):
    """The probe's case: a POST to a read-only person page rendered it and logged reads."""
    user, ids = world["mentor"]
    client.force_login(user)
    url = f"/personer/{ids['person_id']}/"
    logged_before = AccessLogEntry.objects.count()
    response = client.post(url)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert AccessLogEntry.objects.count() == logged_before
    assert client.options(url)["Allow"] == "GET, HEAD"
    # The page itself still reads and logs.
    assert client.get(url).status_code == 200
    assert AccessLogEntry.objects.count() > logged_before


def test_a_button_answers_only_post_and_a_form_page_get_head_and_post(client, world):
    user, ids = world["mentor"]
    client.force_login(user)
    note = f"/arenden/{ids['case_id']}/anteckning/"
    assert client.options(note)["Allow"] == "GET, HEAD, POST"
    assert client.get(note).status_code == 200
    consent = f"/personer/{ids['person_id']}/samtycken/1/aterkalla/"
    refused = client.get(consent)
    assert refused.status_code == 405 and refused["Allow"] == "POST"


def test_the_method_is_refused_before_the_csrf_check(world):
    """A browser's POST without a token to a read-only page gets 405 (the method), not 403
    (the token): the method is answered first, so nothing else about the request matters."""
    browser = Client(enforce_csrf_checks=True)
    user, ids = world["mentor"]
    browser.force_login(user)
    logged_before = AccessLogEntry.objects.count()
    assert browser.post(f"/personer/{ids['person_id']}/").status_code == 405
    # A form page still checks the token.
    assert browser.post(f"/arenden/{ids['case_id']}/anteckning/").status_code == 403
    assert AccessLogEntry.objects.count() == logged_before


@pytest.mark.django_db
def test_third_party_admin_pages_keep_their_post(admin_client):
    """The schedules' admin (django-celery-beat) posts its bulk actions: not refused."""
    url = "/admin/django_celery_beat/periodictask/"
    assert admin_client.get(url).status_code == 200
    posted = admin_client.post(url, {"action": "delete_selected", "index": "0"})
    assert posted.status_code in (200, 302)
