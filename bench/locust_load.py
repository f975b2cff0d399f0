"""The Locust users of bench_load.py: logged-in demo users of several roles on their usual
pages, 1–3 s between pages, as a person works. Run by bench_load.py (``locust -f``).

Each user logs in once (the demo password, LOTSEN_DEMO_PASSWORD), then finds the persons
and cases on its own list pages and opens them: the ids come from what the server shows
this role, so every page asked for is one the role may see. Requests are named by page,
not by URL, so that the statistics are per page.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

from locust import HttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_pages import (  # noqa: E402
    CASE_LINK,
    CASE_LIST,
    INBOX,
    KAA_COHORT,
    KAA_OVERVIEW,
    KAA_PERSON_LINK,
    LOGIN,
    PASSWORD,
    PERSON_LINK,
    PERSON_SEARCH,
    SEARCH_WORDS,
    START,
    case_page,
    kaa_person_page,
    person_page,
    search,
)


class _Staff(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    username = ""

    def on_start(self) -> None:
        self.client.get(LOGIN, name="login page")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            LOGIN,
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="login (post)",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"login of {self.username} answered {answer.status_code}")

    def search_persons(self) -> None:
        form = {**search(random.choice(SEARCH_WORDS)), "csrfmiddlewaretoken": self.token()}
        self.client.post(PERSON_SEARCH, form, name="person search (q)")

    def token(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def ids_from(self, url: str, pattern: re.Pattern, name: str) -> list[str]:
        page = self.client.get(url, name=name)
        return pattern.findall(page.text)


class Mentor(_Staff):
    weight = 3
    username = "mentor"

    def on_start(self) -> None:
        super().on_start()
        self.persons = self.ids_from(INBOX, PERSON_LINK, "inbox (mentor)")

    @task(3)
    def start_page(self) -> None:
        self.client.get(START, name="start page (mentor)")

    @task(4)
    def person_page(self) -> None:
        if self.persons:
            self.client.get(person_page(random.choice(self.persons)), name="person page (mentor)")

    @task(1)
    def search(self) -> None:
        self.search_persons()


class KaaCoordinator(_Staff):
    weight = 2
    username = "kaa"

    def on_start(self) -> None:
        super().on_start()
        self.persons = self.ids_from(KAA_COHORT, KAA_PERSON_LINK, "KAA cohort")

    @task(2)
    def overview(self) -> None:
        self.client.get(KAA_OVERVIEW, name="KAA overview")

    @task(2)
    def cohort(self) -> None:
        self.client.get(KAA_COHORT, name="KAA cohort")

    @task(3)
    def person_page(self) -> None:
        if self.persons:
            self.client.get(kaa_person_page(random.choice(self.persons)), name="KAA person page")

    @task(1)
    def search(self) -> None:
        self.search_persons()


class Coach(_Staff):
    weight = 2
    username = "coach"

    def on_start(self) -> None:
        super().on_start()
        self.cases = self.ids_from(CASE_LIST, CASE_LINK, "case list")

    @task(2)
    def case_list(self) -> None:
        self.client.get(CASE_LIST, name="case list")

    @task(3)
    def case_page(self) -> None:
        if self.cases:
            self.client.get(case_page(random.choice(self.cases)), name="case page")

    @task(1)
    def start_page(self) -> None:
        self.client.get(START, name="start page (coach)")


class Visitor(HttpUser):
    """Somebody on the login page: the trivial page, under the same load."""

    weight = 1
    wait_time = between(1, 3)

    @task
    def login_page(self) -> None:
        self.client.get(LOGIN, name="login page")
