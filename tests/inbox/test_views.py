"""The inbox page and its bulk actions, over HTTP."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lotsen.inbox.models import InboxAssignment, InboxEvent
from lotsen.inbox.services import ERROR_NONE_SELECTED
from tests.inbox.conftest import pupil, unknown_status

pytestmark = pytest.mark.django_db


def _login(client, membership):
    # One membership each: the actor is chosen at login.
    client.force_login(membership.user)


def test_bulk_assign_three_to_a_colleague_who_then_sees_them_as_theirs(client, world):
    pupils = [pupil(world) for _ in range(4)]
    chosen = pupils[:3]
    _login(client, world.members["mentor"])
    colleague = world.members["colleague"].user
    response = client.post(
        reverse("inbox:index"),
        {
            "person_ids": [p.pk for p in chosen],
            "action": "assign",
            "assignee": f"user:{colleague.pk}",
            "tillbaka": "sortera=namn",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?sortera=namn")
    assert set(
        InboxAssignment.objects.filter(assigned_to=colleague).values_list("person_id", flat=True)
    ) == {p.pk for p in chosen}
    assert InboxEvent.objects.filter(kind="assign").count() == 3

    _login(client, world.members["colleague"])
    page = client.get(reverse("inbox:index"), {"vem": "mig"}).context["page"]
    assert {row.person.pk for row in page.rows} == {p.pk for p in chosen}


def test_an_id_outside_the_inbox_is_missing_and_nothing_is_written(client, world):
    mine = pupil(world)
    elsewhere = pupil(world, school=world.other_school)
    _login(client, world.members["mentor"])
    response = client.post(
        reverse("inbox:index"),
        {"person_ids": [mine.pk, elsewhere.pk], "action": "acknowledge"},
    )
    assert response.status_code == 404
    assert not InboxAssignment.objects.exists()


def test_no_row_selected_names_the_field(client, world):
    pupil(world)
    _login(client, world.members["mentor"])
    response = client.post(reverse("inbox:index"), {"action": "acknowledge"})
    assert response.status_code == 200
    assert ERROR_NONE_SELECTED in response.content.decode()


def test_a_team_assignment_shows_in_the_team_filter_of_each_member(client, world):
    young = unknown_status(world)
    _login(client, world.members["kaa"])
    client.post(
        reverse("inbox:index"),
        {"person_ids": [young.pk], "action": "assign", "assignee": "team:kaa_coordinator"},
    )
    _login(client, world.members["kaa2"])
    page = client.get(reverse("inbox:index"), {"vem": "team"}).context["page"]
    assert [row.person.pk for row in page.rows] == [young.pk]


def test_roles_without_an_inbox_get_404(client, world):
    _login(client, world.members["admin"])
    assert client.get(reverse("inbox:index")).status_code == 404


@pytest.mark.parametrize(
    ("member", "listed"), [("mentor", True), ("health", True), ("kaa", True), ("admin", False)]
)
def test_the_inbox_is_in_the_navigation_of_the_roles_that_have_one(client, world, member, listed):
    _login(client, world.members[member])
    start = client.get(reverse("web:start")).text
    navigation = start.split('id="navigation"', 1)[1].split("</ul>", 1)[0]
    assert (f'href="{reverse("inbox:index")}"' in navigation) is listed


def test_the_team_lead_sees_how_many_wait_unacknowledged_per_team_and_no_names(
    client, world, settings
):
    # The start page's overdue list named the team through the same variable its count
    # was read from, and every organisation admin's start page answered 500.
    settings.LOTSEN_INBOX_OVERDUE_DAYS = 5
    late = [pupil(world, days_ago=9) for _ in range(2)]
    pupil(world, days_ago=1)
    _login(client, world.members["admin"])
    response = client.get(reverse("web:start"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mentor: 2 unga personer" in page
    assert all(person.full_name not in page for person in late)
