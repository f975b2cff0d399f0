"""The pages of the load benchmark, shared by the Locust users (``locust_load.py``) and the
single-client pass of ``bench_load.py``: each role's login, the list pages its ids are
read from, and the pages it works on. Requests are named by page, not by URL."""

from __future__ import annotations

import os
import re

PASSWORD = os.environ.get("LOTSEN_DEMO_PASSWORD", "demo")
LOGIN = "/konto/logga-in/"
# A person's page, as the inbox links it (with or without a fragment).
PERSON_LINK = re.compile(r'href="/personer/(\d+)/')
KAA_PERSON_LINK = re.compile(r'href="/aktivitetsansvar/unga/(\d+)/"')
CASE_LINK = re.compile(r'href="/arenden/(\d+)/"')
SEARCH_WORDS = ("an", "son", "li", "ma", "er", "el")

PERSON_SEARCH = "/personer/"
INBOX = "/inkorg/"
KAA_OVERVIEW = "/aktivitetsansvar/"
KAA_COHORT = "/aktivitetsansvar/unga/"
CASE_LIST = "/arenden/"
START = "/"


def person_page(person_id: str) -> str:
    return f"/personer/{person_id}/"


def kaa_person_page(person_id: str) -> str:
    return f"/aktivitetsansvar/unga/{person_id}/"


def case_page(case_id: str) -> str:
    return f"/arenden/{case_id}/"


def search(word: str) -> dict[str, str]:
    """The person search's form: it is sent by POST, so that a personnummer never lands
    in a URL."""
    return {"q": word}


# Per demo user: (page name, the list its ids come from, the id pattern, how an id becomes
# a URL) for the pages opened by id, and (page name, URL, form data for a POST or None)
# for the fixed pages. The names are those of the Locust statistics.
BY_ID = {
    "mentor": ("person page (mentor)", INBOX, PERSON_LINK, person_page),
    "kaa": ("KAA person page", KAA_COHORT, KAA_PERSON_LINK, kaa_person_page),
    "coach": ("case page", CASE_LIST, CASE_LINK, case_page),
}
FIXED = {
    "mentor": [
        ("start page (mentor)", START, None),
        ("inbox (mentor)", INBOX, None),
        ("person search (q)", PERSON_SEARCH, search("an")),
    ],
    "kaa": [("KAA overview", KAA_OVERVIEW, None), ("KAA cohort", KAA_COHORT, None)],
    "coach": [("case list", CASE_LIST, None), ("start page (coach)", START, None)],
}
