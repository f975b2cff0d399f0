"""Participations through services and selectors: validation naming fields, the team
rule for participant records (never the person), access logging, and follow-ups falling due."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from lotsen.privacy.models import AccessLogEntry, Category, Purpose
from lotsen.privacy.policy import PersonPolicy
from lotsen.programmes import services
from lotsen.programmes.models import Participation
from lotsen.programmes.selectors import (
    followups_due_for,
    indicator_report_for,
    missing_data_list,
    participation_for_update,
    participation_get_for,
    participation_list,
    regions_of,
    subprojects_of,
)
from tests.factories import PersonFactory
from tests.programmes.conftest import D, participant

TODAY = D(2026, 3, 1)


def test_create_keeps_the_projects_name_and_gender_and_logs(subprojects, leader_a):
    person = PersonFactory(
        gender="other", date_of_birth=D(2006, 1, 1), given_name="Lagrad", family_name="Person"
    )
    p = services.participation_create(
        actor=leader_a,
        subproject=subprojects["a"],
        person=person,
        given_name=" Egen ",
        family_name="Uppgift",
        gender="woman",
        entry_date=D(2025, 5, 1),
        entry_status="inactive",
        today=TODAY,
    )
    p.refresh_from_db()
    assert (p.given_name, p.family_name, p.gender) == ("Egen", "Uppgift", "woman")
    log = AccessLogEntry.objects.get(person=person)
    assert (log.action, log.purpose, log.object_type) == ("create", "programme", "participation")
    assert participation_get_for(actor=leader_a, participation_id=p.pk).name == "Egen Uppgift"


@pytest.mark.parametrize("person_gender", ["not_stated", "woman"])
def test_create_needs_a_gender_and_a_name_whatever_the_person_has(
    subprojects, leader_a, person_gender
):
    # What Lotsen holds about the person never fills in the participation.
    person = PersonFactory(gender=person_gender)
    with pytest.raises(ValidationError) as error:
        services.participation_create(
            actor=leader_a,
            subproject=subprojects["a"],
            person=person,
            given_name=" ",
            family_name="",
            entry_date=D(2025, 5, 1),
            entry_status="inactive",
            today=TODAY,
        )
    assert error.value.message_dict == {
        "given_name": [services.ERROR_NAME],
        "gender": [services.ERROR_GENDER],
    }
    assert not Participation.objects.exists()


def test_create_refuses_dates_outside_the_subproject_and_open_duplicates(subprojects, leader_a):
    person = PersonFactory(gender="woman")
    kwargs = dict(
        actor=leader_a,
        subproject=subprojects["a"],
        person=person,
        given_name="Ida",
        family_name="Berg",
        gender="woman",
        entry_status="inactive",
        today=TODAY,
    )
    with pytest.raises(ValidationError) as error:
        services.participation_create(entry_date=D(2023, 12, 31), **kwargs)
    assert list(error.value.message_dict) == ["entry_date"]
    with pytest.raises(ValidationError) as error:
        services.participation_create(entry_date=D(2026, 3, 2), **kwargs)
    assert error.value.message_dict["entry_date"] == [services.ERROR_ENTRY_FUTURE]
    services.participation_create(entry_date=D(2025, 1, 1), **kwargs)
    with pytest.raises(ValidationError) as error:
        services.participation_create(entry_date=D(2025, 6, 1), **kwargs)
    assert "2025-01-01" in error.value.message_dict["entry_date"][0]


def test_only_the_team_writes(subprojects, leader_south, evaluator, outsider_leader):
    person = PersonFactory(gender="man")
    for actor in (leader_south, evaluator, outsider_leader):
        with pytest.raises(PermissionDenied):
            services.participation_create(
                actor=actor,
                subproject=subprojects["a"],
                person=person,
                given_name="Leo",
                family_name="Ek",
                gender="man",
                entry_date=D(2025, 1, 1),
                entry_status="employed",
                today=TODAY,
            )


def test_exit_and_followup_validate_and_save(subprojects, leader_a):
    p = participant(subprojects["a"], entry_date=D(2025, 1, 10))
    with pytest.raises(ValidationError) as error:
        services.participation_exit(
            actor=leader_a, participation=p, exit_date=None, exit_status="", today=TODAY
        )
    assert error.value.message_dict == {
        "exit_date": [services.ERROR_EXIT_REQUIRED],
        "exit_status": [services.ERROR_EXIT_STATUS_REQUIRED],
    }
    with pytest.raises(ValidationError) as error:
        services.participation_exit(
            actor=leader_a,
            participation=p,
            exit_date=D(2025, 1, 9),
            exit_status="employed",
            today=TODAY,
        )
    assert list(error.value.message_dict) == ["exit_date"]
    p.refresh_from_db()
    assert p.exit_date is None

    services.participation_exit(
        actor=leader_a,
        participation=p,
        exit_date=D(2025, 9, 1),
        exit_status="employed",
        today=TODAY,
    )
    # Six months after 1 September is 1 March; two weeks early is allowed, not more.
    with pytest.raises(ValidationError) as error:
        services.participation_followup(
            actor=leader_a,
            participation=p,
            followup_6m_status="employed",
            today=D(2026, 2, 14),
        )
    assert "2026-03-01" in error.value.message_dict["followup_6m_status"][0]
    services.participation_followup(
        actor=leader_a, participation=p, followup_6m_status="employed", today=D(2026, 2, 15)
    )
    p.refresh_from_db()
    assert (p.exit_status, p.followup_6m_status) == ("employed", "employed")


def test_followup_before_exit_is_refused(subprojects, leader_a):
    p = participant(subprojects["a"])
    with pytest.raises(ValidationError) as error:
        services.participation_followup(
            actor=leader_a, participation=p, followup_6m_status="improved", today=TODAY
        )
    assert error.value.message_dict == {"followup_6m_status": [services.ERROR_FOLLOWUP_NOT_EXITED]}


def test_enrol_creates_a_person_without_echoing_the_number(subprojects, leader_a):
    with pytest.raises(ValidationError) as error:
        services.participant_enrol(
            actor=leader_a,
            subproject=subprojects["a"],
            personal_identity_number="20050401-1235",
            given_name="Sara",
            family_name="Ek",
            home_municipality_code="2480",
            gender="woman",
            entry_date=D(2025, 1, 1),
            entry_status="inactive",
            today=TODAY,
        )
    assert "20050401" not in str(error.value)
    number = "200504011234"
    from lotsen.people.identity import luhn_check_digit

    number = number[:11] + str(luhn_check_digit(number[2:11]))
    with pytest.raises(ValidationError) as error:
        services.participant_enrol(
            actor=leader_a,
            subproject=subprojects["a"],
            personal_identity_number=number,
            given_name="",
            family_name="",
            home_municipality_code="",
            gender="woman",
            entry_date=D(2025, 1, 1),
            entry_status="inactive",
            today=TODAY,
        )
    assert set(error.value.message_dict) == {"given_name", "home_municipality_code"}
    p = services.participant_enrol(
        actor=leader_a,
        subproject=subprojects["a"],
        personal_identity_number=number,
        given_name="Sara",
        family_name="Ek",
        home_municipality_code="2480",
        gender="nonbinary",
        entry_date=D(2025, 1, 1),
        entry_status="inactive",
        today=TODAY,
    )
    assert p.person.gender == "other" and p.gender == "nonbinary"
    assert p.person.date_of_birth == D(2005, 4, 1)
    assert (p.given_name, p.family_name) == ("Sara", "Ek")


JANUARY = D(2025, 1, 1)


def _enrol(actor, subproject, number, *, given_name, family_name="Ek", entry=JANUARY):
    return services.participant_enrol(
        actor=actor,
        subproject=subproject,
        personal_identity_number=number,
        given_name=given_name,
        family_name=family_name,
        home_municipality_code="2480",
        gender="woman",
        entry_date=entry,
        entry_status="inactive",
        today=TODAY,
    )


def test_enrol_links_a_known_person_under_the_projects_name(subprojects, leader_a, region_leader):
    """Issue 10: a known personnummer links the person (counted once across sub-projects)
    but neither changes nor shows the name Lotsen holds; the same errors come for a known
    and an unknown number."""
    from lotsen.people.identity import make_identity_number
    from lotsen.people.models import Person

    known = make_identity_number(D(2006, 3, 3), 123)
    person = PersonFactory(personal_identity_number=known, given_name="Stina", family_name="Lagrad")
    unknown = make_identity_number(D(2006, 4, 4), 456)
    answers = []
    for number in (known, unknown):
        with pytest.raises(ValidationError) as error:
            _enrol(leader_a, subprojects["a"], number, given_name="")
        answers.append(error.value.message_dict)
        with pytest.raises(ValidationError) as error:
            _enrol(leader_a, subprojects["a"], number, given_name="Ny", entry=D(2023, 1, 1))
        answers.append(error.value.message_dict)
    assert answers[0] == answers[2] and answers[1] == answers[3]
    assert Person.objects.count() == 1

    in_a = _enrol(leader_a, subprojects["a"], known, given_name="Tova", family_name="Skriven")
    in_b = _enrol(region_leader, subprojects["b"], known, given_name="Tove", family_name="Skriven")
    assert in_a.person_id == in_b.person_id == person.pk
    person.refresh_from_db()
    assert (person.given_name, person.family_name) == ("Stina", "Lagrad")
    names = [r.name for r in participation_list(actor=leader_a, subproject=subprojects["a"])]
    assert names == ["Tova Skriven"]


# --- The policy: who sees which participants ---------------------------------------------


def _ids(records) -> list[int]:
    return [r.participation_id for r in records]


def test_participants_are_seen_by_the_team_only(
    subprojects, region_leader, leader_a, leader_south, outsider_leader, evaluator
):
    in_a = participant(subprojects["a"])
    in_south = participant(subprojects["south"])
    # The region leads the programme: both. Kommun A leads A: only A's.
    assert _ids(participation_list(actor=region_leader, subproject=subprojects["a"])) == [in_a.pk]
    assert _ids(participation_list(actor=region_leader, subproject=subprojects["south"])) == [
        in_south.pk
    ]
    assert _ids(participation_list(actor=leader_a, subproject=subprojects["a"])) == [in_a.pk]
    assert participation_list(actor=leader_a, subproject=subprojects["south"]) == []
    assert participation_get_for(actor=leader_a, participation_id=in_a.pk).name == (
        in_a.person.full_name
    )
    # Another organisation's project leader and the evaluator see nobody.
    for actor in (outsider_leader, evaluator):
        for sub in subprojects.values():
            assert participation_list(actor=actor, subproject=sub) == []
        for read in (participation_get_for, participation_for_update):
            with pytest.raises(Http404):
                read(actor=actor, participation_id=in_a.pk)
    for read in (participation_get_for, participation_for_update):
        with pytest.raises(Http404):
            read(actor=leader_south, participation_id=in_a.pk)
        with pytest.raises(Http404):
            read(actor=leader_a, participation_id="1; DROP")
    # Not even the team reaches the person through the person door.
    for actor in (region_leader, leader_a, leader_south, outsider_leader, evaluator):
        for purpose in Purpose:
            for category in Category:
                assert not PersonPolicy(actor).persons(purpose=purpose, category=category).exists()


def test_a_participant_record_holds_the_follow_up_data_and_nothing_else(subprojects, leader_a):
    p = participant(
        subprojects["a"],
        born=D(2007, 3, 2),
        entry_date=D(2025, 3, 1),
        exit_date=D(2025, 9, 1),
        exit_status="employed",
    )
    record = participation_get_for(actor=leader_a, participation_id=p.pk)
    assert {f.name for f in dataclasses.fields(record)} == {
        "participation_id",
        "subproject_id",
        "subproject_name",
        "name",
        "gender",
        "age_band",
        "entry_date",
        "entry_status",
        "education_level",
        "disability",
        "foreign_background",
        "exit_date",
        "exit_status",
        "followup_6m_status",
    }
    # 18 on 2 March 2025, so still 17 at entry on 1 March.
    assert record.age_band == "below_18" and record.age_band_label == "Under 18 år"
    assert record.gender_label == "Kvinna"
    assert record.entry_status_label == "Arbetslös"
    assert record.exit_status_label == "Har arbete, även egen företagare"
    assert record.subproject_name == "Delprojekt A"
    assert not hasattr(record, "person")
    later = participant(subprojects["a"], born=D(2007, 3, 1), entry_date=D(2025, 3, 1))
    assert participation_get_for(actor=leader_a, participation_id=later.pk).age_band == (
        "age_18_29"
    )


def test_a_participant_in_two_subprojects_is_shown_only_where_the_actor_is_team(
    subprojects, leader_south
):
    p = participant(subprojects["a"])
    same_person_south = Participation.objects.create(
        person=p.person,
        subproject=subprojects["south"],
        gender="woman",
        entry_date=D(2025, 3, 1),
        entry_status="inactive",
    )
    # The person takes part in Syd too, but A's row stays hidden.
    assert participation_list(actor=leader_south, subproject=subprojects["a"]) == []
    assert _ids(participation_list(actor=leader_south, subproject=subprojects["south"])) == [
        same_person_south.pk
    ]
    with pytest.raises(Http404):
        participation_get_for(actor=leader_south, participation_id=p.pk)


def test_reads_are_logged_per_person(subprojects, leader_a):
    rows = [participant(subprojects["a"]) for _ in range(3)]
    AccessLogEntry.objects.all().delete()
    participation_list(actor=leader_a, subproject=subprojects["a"])
    logged = AccessLogEntry.objects.filter(object_type="participation_list")
    assert sorted(logged.values_list("person_id", flat=True)) == sorted(r.person_id for r in rows)
    assert set(logged.values_list("purpose", flat=True)) == {"programme"}
    participation_get_for(actor=leader_a, participation_id=rows[0].pk)
    assert AccessLogEntry.objects.filter(object_type="participation").count() == 1


def test_missing_data_list_names_only_visible_participants(subprojects, leader_a):
    gap_a = participant(subprojects["a"], education_level="")
    participant(subprojects["south"], education_level="")
    report = indicator_report_for(
        subprojects=list(subprojects.values()),
        framework="esfplus",
        start=D(2025, 1, 1),
        end=D(2025, 12, 31),
    )
    assert report.missing_count() == 2
    rows = missing_data_list(actor=leader_a, report=report)
    assert [r.participation.participation_id for r in rows] == [gap_a.pk]
    assert rows[0].participation.name == gap_a.person.full_name
    assert rows[0].fields == ["Utbildningsnivå"] and rows[0].form == "edit"
    assert rows[0].indicators == ["isced_0_2", "isced_3_4", "isced_5_8"]


def test_followups_due_within_two_weeks(subprojects, leader_a, leader_south):
    today = D(2026, 3, 1)
    due = participant(subprojects["a"], exit_date=D(2025, 9, 15), exit_status="employed")
    done = participant(
        subprojects["a"],
        exit_date=D(2025, 8, 1),
        exit_status="employed",
        followup_6m_status="employed",
    )
    later = participant(subprojects["a"], exit_date=D(2025, 9, 16), exit_status="employed")
    month_end = participant(
        subprojects["a"],
        entry_date=D(2025, 1, 1),
        exit_date=D(2025, 8, 31),
        exit_status="in_education",
    )
    still_in = participant(subprojects["a"])
    rows = followups_due_for(actor=leader_a, today=today)
    # 15 September + 6 months = 15 March = today + 14 days; 16 September is a day later.
    assert _ids(rows) == [month_end.pk, due.pk]
    assert not {done.pk, later.pk, still_in.pk} & set(_ids(rows))
    assert followups_due_for(actor=leader_south, today=today) == []


def test_regions_and_region_filter(programme, subprojects, orgs):
    assert regions_of(programme=programme) == [orgs["region"], orgs["other_region"]]
    north = list(subprojects_of(programme=programme, region=orgs["region"]))
    assert north == [subprojects["a"], subprojects["b"]]
    # A sub-project led elsewhere is in a region when one of its organisations is there.
    subprojects["south"].organisations.add(orgs["a"])
    north = list(subprojects_of(programme=programme, region=orgs["region"]))
    assert north == [subprojects["a"], subprojects["b"], subprojects["south"]]
    # The region itself (as the lead) and a grandchild count too.
    from tests.factories import OrganisationFactory

    unit = OrganisationFactory(name="Enhet", parent=orgs["other_region"])
    school = OrganisationFactory(name="Skolan", parent=unit)
    subprojects["b"].organisations.set([school])
    assert subprojects["b"] in subprojects_of(programme=programme, region=orgs["other_region"])
    assert list(subprojects_of(programme=programme)) == list(programme.subprojects.order_by("name"))


def test_indicator_report_for_subprojects_counts_once_per_subproject(subprojects):
    p = participant(subprojects["a"], gender="man")
    participant(subprojects["a"], gender="nonbinary")
    Participation.objects.create(
        person=p.person,
        subproject=subprojects["a"],
        gender="man",
        entry_date=D(2025, 8, 1),
        entry_status="employed",
    )
    Participation.objects.create(
        person=p.person,
        subproject=subprojects["b"],
        gender="man",
        entry_date=D(2025, 8, 1),
        entry_status="employed",
    )
    report = indicator_report_for(
        subprojects=[subprojects["a"], subprojects["b"]],
        framework="esfplus",
        start=D(2025, 1, 1),
        end=D(2025, 12, 31),
        today=dt.date(2026, 1, 1),
    )
    assert report.as_dict()["total_participants"] == {
        "women": 0,
        "men": 2,
        "nonbinary": 1,
        "total": 3,
    }
    assert report.as_dict()["employed"]["total"] == 1


def test_the_migration_gives_existing_participations_their_persons_name(subprojects):
    """Nothing changes on any page for participations from before they kept a name."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("lotsen.programmes.migrations.0003_participation_name")
    rows = [participant(subprojects["a"]) for _ in range(3)]
    Participation.objects.update(given_name="", family_name="")
    migration.copy_person_names(apps, None)
    for row in rows:
        row.refresh_from_db()
        assert (row.given_name, row.family_name) == (row.person.given_name, row.person.family_name)
        assert row.given_name
