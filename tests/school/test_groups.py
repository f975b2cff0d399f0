"""Classes and mentor groups: from SS 12000 ``/groups`` (the demo test server), from a CSV
file, and the selectors the inboxes filter by."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import httpx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import Http404
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Organisation, OrganisationKind, Role
from lotsen.demo.generator import DEMO_ORGANISER_NAME, demo_organisations_unsaved, school_groups
from lotsen.demo.ss12000server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, make_app
from lotsen.people.models import Person
from lotsen.privacy.models import AccessLogEntry
from lotsen.school import group_imports, selectors
from lotsen.school.models import Group, GroupMembership, GroupType
from lotsen.school.ss12000 import importer
from lotsen.school.ss12000.client import SS12000Client
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolUnitFactory,
    fresh_identity_number,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)


# --- SS 12000 ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app():
    return make_app(seed=5, size=60, today=TODAY)


@pytest.fixture(autouse=True)
def _no_overrides(app):
    yield
    app.data.overrides.clear()


def _import(app, **kwargs):
    with SS12000Client(
        base_url="http://ss.test",
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        transport=httpx.WSGITransport(app=app),
        page_size=25,
        retry_wait_max=0,
    ) as client:
        return importer.ss12000_import(client=client, today=TODAY, **kwargs)


def _organiser() -> Organisation:
    return OrganisationFactory(
        name=DEMO_ORGANISER_NAME,
        kind=OrganisationKind.SCHOOL_ORGANISER,
        organisation_number=demo_organisations_unsaved().organiser.organisation_number,
    )


def _memberships() -> set[tuple]:
    return set(
        GroupMembership.objects.values_list(
            "group__external_id", "person__source_ids__external_id", "start_date", "end_date"
        )
    )


def test_every_current_pupil_gets_a_class_and_a_mentor_group_from_groups(app):
    _organiser()
    run = _import(app)
    assert run.status == "done", run.counts
    assert run.rejects == []
    served = {
        (group.id, pupil.facts.person_uuid, group.member_start, None)
        for pupil in app.data.pupils
        for group in school_groups(pupil.facts, today=TODAY)
    }
    assert served and _memberships() == served
    in_school = [p for p in app.data.pupils if p.current_school]
    kinds = GroupMembership.objects.values_list("person_id", "group__group_type")
    assert {kind for _pk, kind in kinds} == {GroupType.CLASS, GroupType.MENTOR}
    per_pupil = {}
    for person_id, kind in kinds:
        per_pupil.setdefault(person_id, []).append(kind)
    assert len(per_pupil) == len(in_school)
    assert all(sorted(k) == [GroupType.CLASS, GroupType.MENTOR] for k in per_pupil.values())
    assert run.counts["groups"]["created"] == Group.objects.count() == len(app.data.groups)
    # The import asked only for classes and mentor groups.
    asked = [query for path, query in app.requests if path == "/groups" and "groupType" in query]
    assert asked and all(set(q["groupType"]) == {"Klass", "Mentor"} for q in asked)


def test_a_second_full_run_changes_no_group(app):
    _organiser()
    _import(app)
    before = (list(Group.objects.order_by("pk").values()), _memberships())
    again = _import(app, full=True)
    assert again.counts["groups"]["created"] == again.counts["groups"]["updated"] == 0
    assert again.counts["group_memberships"]["created"] == 0
    assert again.counts["group_memberships"]["updated"] == 0
    assert (list(Group.objects.order_by("pk").values()), _memberships()) == before


def test_a_member_the_source_no_longer_lists_leaves_the_group(app):
    _organiser()
    _import(app)
    group = app.data.groups[0]
    kept, dropped = group["groupMemberships"][1:], group["groupMemberships"][0]
    later = timezone.now() + dt.timedelta(minutes=1)
    app.data.override("groups", group["id"], {"groupMemberships": kept}, modified=later)
    run = _import(app)
    assert run.counts["mode"] == "incremental"
    members = set(
        GroupMembership.objects.filter(group__external_id=group["id"]).values_list(
            "person__source_ids__external_id", flat=True
        )
    )
    assert members == {m["person"]["id"] for m in kept}
    assert dropped["person"]["id"] not in members
    assert run.counts["group_memberships"]["updated"] == 1


def test_a_bad_membership_is_rejected_by_its_field_and_the_rest_imported(app):
    _organiser()
    group = app.data.groups[1]
    bad = [{"person": {"id": "not-a-uuid"}}, *group["groupMemberships"]]
    app.data.override("groups", group["id"], {"groupMemberships": bad}, modified=timezone.now())
    run = _import(app)
    assert run.status == "done"
    assert [(r["entity"], r["field"]) for r in run.rejects] == [
        ("group_memberships", "groupMemberships[0].person.id")
    ]
    assert GroupMembership.objects.filter(group__external_id=group["id"]).count() == len(
        group["groupMemberships"]
    )


def test_a_group_at_an_unknown_school_unit_is_rejected(app):
    _organiser()
    group = app.data.groups[2]
    elsewhere = {"organisation": {"id": "0b0e0f00-0000-4000-8000-000000000001"}}
    app.data.override("groups", group["id"], elsewhere, modified=timezone.now())
    run = _import(app)
    assert [(r["entity"], r["record"], r["field"]) for r in run.rejects] == [
        ("groups", group["id"], "organisation.id")
    ]
    assert not Group.objects.filter(external_id=group["id"]).exists()


# --- CSV ----------------------------------------------------------------------------------------

HEADER = "school_unit_code,group_type,group_name,start_date,personnummer,school_year\n"


@pytest.fixture
def school():
    return SchoolUnitFactory(school_unit_code="19990099", name="Björkskolan")


@pytest.fixture
def pupils(school):
    return [
        EnrolmentFactory(
            school_unit=school,
            person=PersonFactory(
                personal_identity_number=fresh_identity_number(dt.date(2012, 3, n + 1)),
                date_of_birth=dt.date(2012, 3, n + 1),
                given_name=f"Elev{n}",
            ),
        ).person
        for n in range(3)
    ]


def _csv(rows: list[str]) -> bytes:
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode()


def _rows(pupils, group="9A", kind="Klass") -> list[str]:
    return [f"19990099,{kind},{group},2026-08-17,{p.personal_identity_number},9" for p in pupils]


def test_a_groups_file_creates_groups_and_members_and_twice_changes_nothing(pupils):
    data = _csv(_rows(pupils) + _rows(pupils[:2], group="Mentor 9A-1", kind="Mentor"))
    run = group_imports.school_groups_csv_import(data=data)
    assert run.status == "done", run.counts
    groups = {g.name: g for g in Group.objects.all()}
    assert {(g.name, g.group_type, g.school_year) for g in groups.values()} == {
        ("9A", GroupType.CLASS, 9),
        ("Mentor 9A-1", GroupType.MENTOR, 9),
    }
    assert set(groups["9A"].memberships.values_list("person_id", flat=True)) == {
        p.pk for p in pupils
    }
    before = list(GroupMembership.objects.order_by("pk").values())
    again = group_imports.school_groups_csv_import(data=data)
    assert again.counts["groups"]["unchanged"] == 2
    assert again.counts["group_memberships"]["created"] == 0
    assert list(GroupMembership.objects.order_by("pk").values()) == before


def test_the_file_is_the_truth_for_the_groups_it_names(pupils):
    group_imports.school_groups_csv_import(data=_csv(_rows(pupils)))
    group_imports.school_groups_csv_import(data=_csv(_rows(pupils[1:])))
    assert set(GroupMembership.objects.values_list("person_id", flat=True)) == {
        p.pk for p in pupils[1:]
    }


def test_a_bad_groups_file_names_line_and_column_and_writes_nothing(pupils):
    good = _rows(pupils)
    unknown = fresh_identity_number(dt.date(2012, 5, 5))
    data = _csv(
        [
            good[0],
            good[1].replace("Klass", "Lag"),
            good[2].replace("2026-08-17", "2026-02-30"),
            f"19990099,Klass,9A,2026-08-17,{unknown},9",
            good[0],
            f"19990098,Klass,9A,2026-08-17,{pupils[0].personal_identity_number},9",
        ]
    )
    run = group_imports.school_groups_csv_import(data=data)
    assert run.status == "failed"
    assert [(r["line"], r["column"]) for r in run.rejects] == [
        (3, "group_type"),
        (4, "start_date"),
        (5, "personnummer"),
        (6, ""),
        (7, "school_unit_code"),
    ]
    assert run.rejects[0]["reason"] == group_imports.ERROR_GROUP_TYPE
    assert run.rejects[2]["reason"] == group_imports.ERROR_UNKNOWN_PERSON
    assert not any(unknown in r["reason"] for r in run.rejects)
    assert not Group.objects.exists() and not GroupMembership.objects.exists()


def test_one_group_with_two_school_years_is_refused(pupils):
    rows = _rows(pupils)
    rows[1] = rows[1].removesuffix(",9") + ",8"
    run = group_imports.school_groups_csv_import(data=_csv(rows))
    assert [(r["line"], r["reason"]) for r in run.rejects] == [
        (3, group_imports.ERROR_GROUP_DIFFERS.format(line=2))
    ]


def test_the_command_imports_a_groups_file(pupils, tmp_path):
    path = tmp_path / "grupper.csv"
    path.write_bytes(_csv(_rows(pupils)))
    out = StringIO()
    call_command("import", "school-groups", str(path), stdout=out)
    assert GroupMembership.objects.count() == 3
    path.write_bytes(_csv([_rows(pupils)[0].replace("Klass", "Lag")]))
    with pytest.raises(CommandError):
        call_command("import", "school-groups", str(path), stdout=StringIO())


# --- Selectors ----------------------------------------------------------------------------------


@pytest.fixture
def two_schools():
    organiser = OrganisationFactory(kind=OrganisationKind.SCHOOL_ORGANISER)
    first = SchoolUnitFactory(parent=organiser, name="Första")
    second = SchoolUnitFactory(parent=organiser, name="Andra")
    return organiser, first, second


def _group(unit, name, kind=GroupType.CLASS, **dates) -> Group:
    return Group.objects.create(
        school_unit=unit,
        name=name,
        group_type=kind,
        start_date=dates.get("start", timezone.localdate() - dt.timedelta(days=60)),
        end_date=dates.get("end"),
    )


def test_groups_for_a_school_unit_and_an_organiser(two_schools):
    organiser, first, second = two_schools
    a, b = _group(first, "9A"), _group(second, "9B")
    _group(first, "Engelska 9", kind=GroupType.TEACHING)
    _group(first, "8A förra året", end=timezone.localdate() - dt.timedelta(days=1))
    mentor = Actor.for_membership(MembershipFactory(organisation=first, role=Role.MENTOR))
    head = Actor.for_membership(MembershipFactory(organisation=organiser, role=Role.MENTOR))
    kaa = Actor.for_membership(
        MembershipFactory(
            organisation=OrganisationFactory(
                kind=OrganisationKind.MUNICIPALITY, municipality_code="2480"
            ),
            role=Role.KAA_COORDINATOR,
        )
    )
    assert list(selectors.groups_for(actor=mentor)) == [a]
    assert set(selectors.groups_for(actor=head)) == {a, b}
    assert list(selectors.groups_for(actor=kaa)) == []
    with pytest.raises(Http404):
        selectors.group_get_for(actor=mentor, group_id=b.pk)


def test_persons_in_group_are_the_current_members_read_through_the_door(two_schools):
    _organiser_, first, _second = two_schools
    group = _group(first, "9A")
    today = timezone.localdate()
    members = [EnrolmentFactory(school_unit=first).person for _ in range(3)]
    GroupMembership.objects.create(group=group, person=members[0])
    GroupMembership.objects.create(group=group, person=members[1], start_date=today)
    GroupMembership.objects.create(
        group=group, person=members[2], end_date=today - dt.timedelta(days=1)
    )
    mentor = Actor.for_membership(MembershipFactory(organisation=first, role=Role.MENTOR))
    found = selectors.persons_in_group(actor=mentor, group_id=group.pk)
    assert set(found) == set(members[:2])
    logged = AccessLogEntry.objects.filter(object_type="school_group")
    assert set(logged.values_list("person_id", flat=True)) == {p.pk for p in members[:2]}
    # The filter composes with any Person queryset, with no duplicates.
    q = selectors.in_group_q(group_id=group.pk, today=today)
    assert set(Person.objects.filter(q)) == set(members[:2])
