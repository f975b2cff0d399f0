"""Query parameters on pages and the API: NUL bytes, invalid UTF-8 and huge values are
answered 400 naming the parameter, before any view searches, reads or logs anything.
(The API's lists are in the corpus, test_api_corpus.py; here the pages and the rule.)"""

from __future__ import annotations

import pytest

from lotsen.accounts.models import Role
from lotsen.pages import query
from lotsen.privacy.models import AccessLogEntry
from tests.factories import MembershipFactory, MunicipalityFactory, SchoolUnitFactory


def test_the_rule():
    assert query.query_problems("q=vera&status=unknown&fran=50") == {}
    assert query.query_problems("") == {}
    assert query.query_problems("q=" + "a" * 500) == {}
    assert query.query_errors("q=a%00b") == {"q": [query.ERROR_QUERY_NUL]}
    assert query.query_errors("a%00=1") == {"a\x00": [query.ERROR_QUERY_NUL]}
    assert query.query_errors("q=%ff") == {"q": [query.ERROR_QUERY_ENCODING]}
    assert query.query_errors("q=" + "a" * 501) == {
        "q": [query.ERROR_QUERY_TOO_LONG.format(limit=query.MAX_QUERY_VALUE_LENGTH)]
    }
    assert query.query_errors("n" * 101 + "=1") == {
        "n" * 50 + "…": [query.ERROR_QUERY_NAME_TOO_LONG.format(limit=100)]
    }
    # Plus is a space, %2B a plus, and both are fine.
    assert query.query_problems("q=anna+berg&r=%2B") == {}


@pytest.fixture
def coordinator(db):
    municipality = MunicipalityFactory()
    return MembershipFactory(organisation=municipality, role=Role.KAA_COORDINATOR)


@pytest.fixture
def mentor(db):
    return MembershipFactory(organisation=SchoolUnitFactory(), role=Role.MENTOR)


PAGES = [
    ("kaa-cohort-name", "coordinator", "/aktivitetsansvar/unga/?q=a%00b", "q"),
    ("kaa-cohort-offset", "coordinator", "/aktivitetsansvar/unga/?fran=%00", "fran"),
    ("kaa-inbox", "coordinator", "/aktivitetsansvar/anmalningar/?alla=1%00", "alla"),
    ("signals-year", "mentor", "/?arskurs=9%00", "arskurs"),
    ("signals-long", "mentor", "/?vantar=" + "1" * 600, "vantar"),
    ("case-list", "mentor", "/arenden/?status=open%00", "status"),
    ("programmes", "mentor", "/program/1/rapport/?region=%00", "region"),
    ("insights", "mentor", "/uppfoljning/?program=%ff", "program"),
    (
        "training-hours",
        "mentor",
        "/evenemang/hantera/utbildningstimmar/?date_from=%00",
        "date_from",
    ),
    ("anonymous", None, "/konto/logga-in/?next=/%00", "next"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "url", "parameter"), [p[1:] for p in PAGES], ids=[p[0] for p in PAGES]
)
def test_a_page_answers_400_naming_the_parameter(client, request, who, url, parameter):
    if who:
        client.force_login(request.getfixturevalue(who).user)
    response = client.get(url)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert f"<code>{parameter}</code>" in response.text
    assert "Traceback" not in response.text
    assert not AccessLogEntry.objects.exists()


@pytest.mark.django_db
def test_the_api_answers_in_json(client, mentor):
    client.force_login(mentor.user)
    response = client.get("/api/v1/cases/?status=open%00")
    assert response.status_code == 400
    assert response.json() == {"status": [query.ERROR_QUERY_NUL]}


@pytest.mark.django_db
def test_good_parameters_pass(client, coordinator):
    client.force_login(coordinator.user)
    assert client.get("/aktivitetsansvar/unga/?status=unknown&q=anna").status_code == 200
