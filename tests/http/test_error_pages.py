"""Lotsen's error pages (issue 11): 400, 403, 404 and 500 in Lotsen's layout, Swedish and
English, with a way back to the start page; the 404 never tells whether what was asked for
exists; the 500 renders without the request or the database."""

import re

import pytest
from django.core.exceptions import BadRequest, PermissionDenied
from django.test import RequestFactory
from django.urls import include, path, reverse
from django.utils import translation

from lotsen.accounts.models import Role
from lotsen.pages import errors
from lotsen.people.models import Person
from tests.factories import MembershipFactory, MunicipalityFactory, PersonFactory


def _raise_bad_request(request):
    raise BadRequest("Hemlig detalj 400")


def _raise_permission_denied(request):
    raise PermissionDenied("Hemlig detalj 403")


def _raise_server_error(request):
    raise RuntimeError("Hemlig detalj 500")


# The real URLs and handlers, plus three views that fail on purpose.
urlpatterns = [
    path("fel/400/", _raise_bad_request),
    path("fel/403/", _raise_permission_denied),
    path("fel/500/", _raise_server_error),
    path("", include("lotsen.urls")),
]
handler400 = "lotsen.pages.errors.bad_request"
handler403 = "lotsen.pages.errors.permission_denied"
handler404 = "lotsen.pages.errors.page_not_found"
handler500 = "lotsen.pages.errors.server_error"

LAYOUT = 'class="govuk-generic-header"'
WAY_BACK = '<a class="govuk-link" href="/">'
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')

HEADINGS = {
    400: ("Felaktig begäran", "Bad request"),
    403: ("Du har inte behörighet", "You do not have permission"),
    404: ("Finns inte eller är inte tillgänglig", "Not found or not available"),
    500: ("Något gick fel", "Something went wrong"),
}


@pytest.fixture
def error_client(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    return client


def _url(status: int) -> str:
    return "/finns-inte-alls/" if status == 404 else f"/fel/{status}/"


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize("status", [400, 403, 404, 500])
@pytest.mark.parametrize("language", ["sv", "en"])
def test_each_error_page_has_the_layout_and_a_way_back(error_client, status, language):
    error_client.cookies["django_language"] = language
    response = error_client.get(_url(status))
    assert response.status_code == status
    page = response.content.decode()
    swedish, english = HEADINGS[status]
    heading = swedish if language == "sv" else english
    assert f'<html lang="{language}"' in page
    assert LAYOUT in page
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in page
    assert WAY_BACK in page
    assert ("Till startsidan" if language == "sv" else "To the start page") in page
    # The exception's own words are never shown.
    assert "Hemlig detalj" not in page
    assert "Traceback" not in page


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_404_says_plainly_that_it_may_only_be_unavailable(error_client):
    page = error_client.get("/finns-inte-alls/").content.decode()
    assert "Sidan, personen eller ärendet finns inte eller är inte tillgänglig för dig." in page


@pytest.mark.django_db
def test_the_404_for_a_foreign_person_and_a_missing_one_are_the_same(client, settings):
    settings.DEBUG = False
    municipality = MunicipalityFactory(municipality_code="0180")
    case_worker = MembershipFactory(organisation=municipality, role=Role.CASE_WORKER)
    client.force_login(case_worker.user)
    # Someone the case worker has no consent for: not theirs to see.
    foreign = PersonFactory(home_municipality_code="0181")
    url = reverse("web:person_detail", args=[foreign.pk])

    foreign_response = client.get(url)
    never_there = client.get(reverse("web:person_detail", args=[foreign.pk + 999]))
    Person.objects.filter(pk=foreign.pk).delete()
    gone = client.get(url)

    pages = []
    for response in (foreign_response, never_there, gone):
        assert response.status_code == 404
        pages.append(CSRF.sub("", response.content.decode()))
    assert "finns inte eller är inte tillgänglig för dig" in pages[0]
    # Not even the address asked for is on the page.
    assert url not in pages[0]
    assert pages[0] == pages[1] == pages[2]


def test_the_500_page_renders_without_the_request_or_the_database():
    # No database mark: pytest-django fails any query made here.
    request = RequestFactory().get("/")
    with translation.override("sv"):
        response = errors.server_error(request)
    page = response.content.decode()
    assert response.status_code == 500
    assert LAYOUT in page
    assert WAY_BACK in page
    assert "Något gick fel" in page
    # Nothing that needs a session or a user: no forms, no CSRF token.
    assert "<form" not in page
    assert "csrfmiddlewaretoken" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"), [("sv", "Formuläret hade gått ut"), ("en", "The form had expired")]
)
def test_a_form_sent_with_a_stale_token_is_refused_plainly_and_nothing_is_done(
    settings, language, heading
):
    """The login form loaded, then the CSRF cookie replaced (a new visit in another tab, a
    cookie set by a request beside it): the form is refused in Lotsen's layout, with the
    way to go on, and nobody is signed in."""
    from django.test import Client

    from tests.factories import UserFactory

    settings.DEBUG = False
    user = UserFactory(username="anna")
    user.set_password("rätt lösenord 123")
    user.save()
    browser = Client(enforce_csrf_checks=True)
    browser.cookies["django_language"] = language
    login = reverse("accounts:login")
    form = browser.get(login).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    browser.cookies["csrftoken"] = "x" * 32  # another secret than the form's
    response = browser.post(
        login,
        {"username": "anna", "password": "rätt lösenord 123", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert LAYOUT in page
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in page
    assert f'href="{login}"' in page  # load the page again
    assert WAY_BACK in page
    assert "_auth_user_id" not in browser.session


@pytest.mark.django_db
def test_the_icon_browsers_ask_for_by_themselves_sets_no_cookie(client):
    """Browsers fetch /favicon.ico for an answer that names no icon (the API's JSON). A
    404 page there set a new CSRF cookie for a visitor without one, which broke the
    login form loaded beside it (the browser test of project leaders failed on it)."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].startswith("/static/lotsen/favicon")
    assert response["Location"].endswith(".ico")
    assert "csrftoken" not in response.cookies
    assert "sessionid" not in response.cookies
