"""The Locust users of bench_load.py: logged-in demo users of several roles on their usual
pages, 1–3 s between pages, as a person works. Run by bench_load.py (``locust -f``).

Each user logs in once (the demo password, LOTSEN_DEMO_PASSWORD), then finds the persons
and cases on its own list pages and opens them: the ids come from what the server shows
this role, so every page asked for is one the role may see. Requests are named by page,
not by URL, so that the statistics are per page.
"""

from __future__ import annotations

import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("LOTSEN_DEMO_PASSWORD", "demo")
LOGIN = "/konto/logga-in/"
PERSON_LINK = re.compile(r'href="/personer/(\d+)/"')
KAA_PERSON_LINK = re.compile(r'href="/aktivitetsansvar/unga/(\d+)/"')
CASE_LINK = re.compile(r'href="/arenden/(\d+)/"')
SEARCH_WORDS = ("an", "son", "li", "ma", "er", "el")


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

    def ids_from(self, url: str, pattern: re.Pattern, name: str) -> list[str]:
        page = self.client.get(url, name=name)
        return pattern.findall(page.text)


class Mentor(_Staff):
    weight = 3
    username = "mentor"

    def on_start(self) -> None:
        super().on_start()
        self.persons = self.ids_from("/personer/", PERSON_LINK, "person search (list)")

    @task(3)
    def start_page(self) -> None:
        self.client.get("/", name="start page (mentor)")

    @task(4)
    def person_page(self) -> None:
        if self.persons:
            self.client.get(
                f"/personer/{random.choice(self.persons)}/", name="person page (mentor)"
            )

    @task(1)
    def search(self) -> None:
        self.client.get(f"/personer/?q={random.choice(SEARCH_WORDS)}", name="person search (q)")


class KaaCoordinator(_Staff):
    weight = 2
    username = "kaa"

    def on_start(self) -> None:
        super().on_start()
        self.persons = self.ids_from("/aktivitetsansvar/unga/", KAA_PERSON_LINK, "KAA cohort")

    @task(2)
    def overview(self) -> None:
        self.client.get("/aktivitetsansvar/", name="KAA overview")

    @task(2)
    def cohort(self) -> None:
        self.client.get("/aktivitetsansvar/unga/", name="KAA cohort")

    @task(3)
    def person_page(self) -> None:
        if self.persons:
            self.client.get(
                f"/aktivitetsansvar/unga/{random.choice(self.persons)}/", name="KAA person page"
            )

    @task(1)
    def search(self) -> None:
        self.client.get(f"/personer/?q={random.choice(SEARCH_WORDS)}", name="person search (q)")


class Coach(_Staff):
    weight = 2
    username = "coach"

    def on_start(self) -> None:
        super().on_start()
        self.cases = self.ids_from("/arenden/", CASE_LINK, "case list")

    @task(2)
    def case_list(self) -> None:
        self.client.get("/arenden/", name="case list")

    @task(3)
    def case_page(self) -> None:
        if self.cases:
            self.client.get(f"/arenden/{random.choice(self.cases)}/", name="case page")

    @task(1)
    def start_page(self) -> None:
        self.client.get("/", name="start page (coach)")


class Visitor(HttpUser):
    """Somebody on the login page: the trivial page, under the same load."""

    weight = 1
    wait_time = between(1, 3)

    @task
    def login_page(self) -> None:
        self.client.get(LOGIN, name="login page")
