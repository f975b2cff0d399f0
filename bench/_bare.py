"""Bare pages for the page benchmarks: what a page would cost with no privacy policy and no
access log, rendered through the same middleware and templates as Lotsen's own.

``install()`` puts them in front of Lotsen's URLs for the rest of the process (the product
has no such pages):
- ``/bench/bare/<person id>/``: login required, one person fetched by id, rendered into
  the same base template (header, navigation, unread count) as every page;
- ``/bench/bare/search/?ids=…`` (POST, as the person search is sent): the search form's
  query run straight on the person table for the rows the real search showed (``ids``),
  rendered with the person search's own template.
"""

from __future__ import annotations

import sys
import time
from types import ModuleType

from load_pages import LOGIN, PASSWORD

DETAIL_TEMPLATE = """{% extends "base.html" %}
{% block title %}{{ person.given_name }} {{ person.family_name }}{% endblock %}
{% block content %}
<h1 class="govuk-heading-l">{{ person.given_name }} {{ person.family_name }}</h1>
<p class="govuk-body">{{ person.date_of_birth|date:"Y-m-d" }}</p>
{% endblock %}"""


def install():
    """Serve the bare pages before Lotsen's own; returns the settings override to enter.
    Also lets the test client's host name in and collects the static files, whose manifest
    the pages name them through (as in production)."""
    from django.conf import settings
    from django.contrib.auth.decorators import login_required
    from django.core.management import call_command
    from django.http import HttpResponse
    from django.shortcuts import get_object_or_404, render
    from django.template import engines
    from django.test.utils import override_settings, setup_test_environment
    from django.urls import include, path

    from lotsen.people.forms import PersonSearchForm
    from lotsen.people.models import Person
    from lotsen.people.selectors import person_search_filter

    setup_test_environment()
    call_command("collectstatic", interactive=False, verbosity=0)
    detail = engines["django"].from_string(DETAIL_TEMPLATE)

    @login_required
    def bare_person(request, person_id: int):
        person = get_object_or_404(Person, pk=person_id)
        return HttpResponse(detail.render({"person": person}, request))

    @login_required
    def bare_search(request):
        form = PersonSearchForm(request.POST)
        form.is_valid()
        ids = [int(i) for i in request.GET.get("ids", "").split(",") if i]
        found = Person.objects.filter(person_search_filter(form.cleaned_data["q"]), pk__in=ids)
        persons = list(found.order_by("family_name", "given_name", "id"))
        return render(
            request,
            "web/person_search.html",
            {"form": form, "persons": persons, "may_use_emergency": False},
        )

    module = ModuleType("bench_bare_urls")
    module.urlpatterns = [
        path("bench/bare/search/", bare_search),
        path("bench/bare/<int:person_id>/", bare_person),
        path("", include(settings.ROOT_URLCONF)),
    ]
    sys.modules[module.__name__] = module
    return override_settings(ROOT_URLCONF=module.__name__)


def logged_in(username: str):
    """A test client logged in as the demo user, through the login page."""
    from django.test import Client

    client = Client()
    answer = client.post(LOGIN, {"username": username, "password": PASSWORD})
    if answer.status_code != 302:
        raise SystemExit(f"login of {username} answered {answer.status_code}")
    return client


def timed(client, url: str, data: dict | None = None):
    """One request (a POST of ``data`` if given, else a GET): its time in ms, its number
    of queries and its answer, which must be 200."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    start = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        answer = client.post(url, data) if data is not None else client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    if answer.status_code != 200:
        raise SystemExit(f"{url} answered {answer.status_code}")
    return elapsed, len(captured), answer
