from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Q
from django.test import RequestFactory
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, Organisation, Role, User
from lotsen.demo.generator import (
    DEMO_MUNICIPALITY_CODE,
    DEMO_MUNICIPALITY_NAME,
    DEMO_NEIGHBOUR_MUNICIPALITY_CODE,
    DEMO_USERS,
    END_REASON_DROPPED_OUT,
    END_REASON_EXAMEN,
    END_REASON_GYMNASIEINTYG,
    END_REASON_STUDIEBEVIS,
    END_REASON_YEAR_9,
    DemoError,
    demo_build,
)
from lotsen.people.identity import parse_identity_number
from lotsen.people.models import Gender, Guardian, Person
from lotsen.privacy.models import Category, Consent, ConsentGiver, Purpose
from lotsen.privacy.policy import PersonPolicy
from lotsen.school.models import Enrolment, SchoolType

SIZE = 300
NATIONAL_PROGRAMMES = {
    "NA", "SA", "EK", "TE", "ES", "HU",
    "BF", "BA", "EE", "FT", "HA", "HV", "HT", "IN", "NB", "RL", "VF", "VO",
}  # fmt: skip


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The demo logins are checked one by one; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    return demo_build(size=SIZE, seed=2026, batch_size=100)


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _actor(username: str) -> Actor:
    return Actor.for_membership(Membership.objects.get(user__username=username))


def _counts() -> dict[str, int]:
    models = [Organisation, User, Membership, Person, Guardian, Enrolment, Consent]
    return {model.__name__: model.objects.count() for model in models}


def test_identity_numbers_are_valid_unique_and_match_the_person(demo):
    persons = list(Person.objects.all())
    assert len(persons) == SIZE
    numbers = [person.personal_identity_number for person in persons]
    assert len(set(numbers)) == SIZE
    for person in persons:
        parsed = parse_identity_number(person.personal_identity_number)
        assert parsed.normalized == person.personal_identity_number
        assert parsed.date_of_birth == person.date_of_birth
        assert parsed.is_coordination_number == person.is_coordination_number


def test_everyone_is_13_to_20_today(demo):
    today = timezone.localdate()
    ages = {_age(born, today) for born in Person.objects.values_list("date_of_birth", flat=True)}
    assert min(ages) >= 13
    assert max(ages) <= 20
    assert len(ages) == 8


def test_gender_is_self_described_in_plausible_shares(demo):
    shares = Counter(Person.objects.values_list("gender", flat=True))
    assert 0.40 * SIZE <= shares[Gender.WOMAN] <= 0.58 * SIZE
    assert 0.40 * SIZE <= shares[Gender.MAN] <= 0.58 * SIZE
    assert shares[Gender.OTHER] + shares[Gender.NOT_STATED] <= 0.06 * SIZE


def test_rows_fit_the_model_fields(demo):
    # SQLite ignores max_length; PostgreSQL does not. Validating here catches the difference.
    for person in Person.objects.all():
        person.full_clean(validate_unique=False)
    for guardian in Guardian.objects.all()[:100]:
        guardian.full_clean()
    for enrolment in Enrolment.objects.all()[:100]:
        enrolment.full_clean()


def test_most_live_here_and_the_rest_next_door(demo):
    codes = Counter(Person.objects.values_list("home_municipality_code", flat=True))
    assert set(codes) <= {DEMO_MUNICIPALITY_CODE, DEMO_NEIGHBOUR_MUNICIPALITY_CODE}
    assert codes[DEMO_MUNICIPALITY_CODE] >= 0.9 * SIZE


def test_minors_have_guardians_and_adults_do_not(demo):
    today = timezone.localdate()
    for person in Person.objects.prefetch_related("guardians"):
        count = len(person.guardians.all())
        if _age(person.date_of_birth, today) < 18:
            assert 1 <= count <= 2
        else:
            assert count == 0


def test_school_year_follows_the_birth_year(demo):
    today = timezone.localdate()
    academic_year = today.year if today.month >= 8 else today.year - 1
    current = Enrolment.objects.filter(end_date__isnull=True).select_related("person")
    for enrolment in current:
        grade = academic_year - enrolment.person.date_of_birth.year - 6
        if enrolment.school_type == SchoolType.GR:
            assert enrolment.school_year == grade
        else:
            assert enrolment.school_type == SchoolType.GY
            assert enrolment.school_year == min(grade - 9, 4)
            assert enrolment.programme in NATIONAL_PROGRAMMES | {"IM"}
    # Compulsory school is compulsory: every year group up to year 9 is in school.
    in_compulsory_school = Person.objects.filter(date_of_birth__year__gte=academic_year - 15)
    assert in_compulsory_school.exists()
    for person in in_compulsory_school:
        assert person.enrolments.filter(end_date__isnull=True, school_type=SchoolType.GR).exists()


def test_every_enrolment_has_ended_or_is_current_never_in_the_future(demo):
    today = timezone.localdate()
    assert not Enrolment.objects.filter(start_date__gt=today).exists()
    assert not Enrolment.objects.filter(end_date__gte=today).exists()
    assert Enrolment.objects.filter(school_type=SchoolType.GY, end_date__lt=today).exists()


def test_every_ended_enrolment_says_why(demo):
    reasons = Counter(
        Enrolment.objects.filter(end_date__isnull=False).values_list("end_reason", flat=True)
    )
    assert set(reasons) <= {
        END_REASON_YEAR_9,
        END_REASON_EXAMEN,
        END_REASON_STUDIEBEVIS,
        END_REASON_GYMNASIEINTYG,
        END_REASON_DROPPED_OUT,
    }
    assert reasons[END_REASON_EXAMEN] > reasons[END_REASON_STUDIEBEVIS]
    assert not Enrolment.objects.filter(end_date__isnull=True).exclude(end_reason="").exists()
    assert (
        not Enrolment.objects.filter(end_reason=END_REASON_GYMNASIEINTYG)
        .exclude(programme="IM")
        .exists()
    )


def test_summary_counts_the_activity_responsibility_cohort(db):
    summary = demo_build(size=1000, seed=11, batch_size=1000)
    today = timezone.localdate()
    in_school = Enrolment.objects.filter(end_date__isnull=True).values("person_id")
    with_examen = Enrolment.objects.filter(end_reason=END_REASON_EXAMEN).values("person_id")
    cohort = [
        person
        for person in Person.objects.filter(home_municipality_code=DEMO_MUNICIPALITY_CODE)
        .exclude(pk__in=in_school)
        .exclude(pk__in=with_examen)
        if 16 <= _age(person.date_of_birth, today) <= 19
    ]
    assert summary.kaa_cohort == len(cohort) > 0


def test_demo_users_have_their_roles_and_log_in_with_the_demo_password(db):
    demo_build(size=50, seed=1, batch_size=50)
    for username, role, organisation_name, description in DEMO_USERS:
        user = User.objects.get(username=username)
        assert user.first_name and user.last_name
        assert description
        # A login comes with its request: the lockout (django-axes) refuses one without.
        login_request = RequestFactory().post("/konto/logga-in/")
        assert (
            authenticate(login_request, username=username, password=settings.LOTSEN_DEMO_PASSWORD)
            == user
        )
        if role == Role.YOUNG_PERSON:
            assert not user.memberships.exists()
            assert user.person is not None
        else:
            membership = user.memberships.get()
            assert membership.role == role
            assert membership.organisation.name == organisation_name
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert not User.objects.filter(is_superuser=True).exclude(username="admin").exists()
    municipality = Organisation.objects.get(
        municipality_code=DEMO_MUNICIPALITY_CODE, kind="municipality"
    )
    assert municipality.name == DEMO_MUNICIPALITY_NAME


def test_young_person_is_17_at_exempelgymnasiet_and_seen_by_the_coach(demo):
    person = User.objects.get(username="ung").person
    today = timezone.localdate()
    assert _age(person.date_of_birth, today) == 17
    assert not person.is_protected
    assert person.enrolments.filter(
        school_unit__name="Exempelgymnasiet", school_type=SchoolType.GY, end_date__isnull=True
    ).exists()
    policy = PersonPolicy(_actor("coach"))
    assert policy.may_view(person, purpose=Purpose.SUPPORT)
    assert policy.may_view(person, purpose=Purpose.SUPPORT, category=Category.SUPPORT)
    assert policy.may_view(person, purpose=Purpose.SUPPORT, category=Category.SCHOOL)


def test_the_young_person_sees_only_themself(demo):
    user = User.objects.get(username="ung")
    visible = PersonPolicy(Actor.for_young_person(user)).persons(purpose=Purpose.SELF)
    assert list(visible) == [user.person]


def test_mentor_sees_exactly_the_current_pupils_of_bjorkskolan(demo):
    today = timezone.localdate()
    pupils = set(
        Enrolment.objects.filter(school_unit__name="Björkskolan", start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("person_id", flat=True)
    )
    assert pupils
    visible = PersonPolicy(_actor("mentor")).persons(purpose=Purpose.SCHOOL)
    assert set(visible.values_list("pk", flat=True)) == pupils
    # Former pupils (now in upper-secondary school) are no longer the school's to see.
    former = set(
        Enrolment.objects.filter(school_unit__name="Björkskolan", end_date__lt=today).values_list(
            "person_id", flat=True
        )
    )
    assert former
    assert not former & pupils


def test_coach_has_a_caseload_and_consents_show_every_state(demo):
    visible = PersonPolicy(_actor("coach")).persons(purpose=Purpose.SUPPORT)
    assert visible.count() >= 20
    consents = list(Consent.objects.prefetch_related("organisations", "categories"))
    states = Counter(
        "withdrawn" if c.withdrawn_at else "active" if c.is_active() else "expired"
        for c in consents
    )
    assert states["active"] >= 20
    assert states["expired"] >= 1
    assert states["withdrawn"] >= 1
    today = timezone.localdate()
    for consent in consents:
        assert consent.organisations.all()
        assert consent.categories.all()
        if consent.given_by == ConsentGiver.BOTH:
            assert consent.guardian_name
            assert _age(consent.person.date_of_birth, today) < 18


def test_kaa_coordinator_sees_the_municipality_including_a_protected_person(demo):
    visible = PersonPolicy(_actor("kaa")).persons(purpose=Purpose.KAA)
    assert visible.filter(protected_identity=True).exists()
    assert set(visible.values_list("home_municipality_code", flat=True)) == {DEMO_MUNICIPALITY_CODE}


def test_programme_mix_follows_the_national_pattern(db):
    demo_build(size=2000, seed=7, batch_size=1000)
    programmes = Counter(
        Enrolment.objects.filter(school_type=SchoolType.GY).values_list("programme", flat=True)
    )
    total = sum(programmes.values())
    introduction = programmes["IM"] / total
    preparatory = sum(programmes[p] for p in ("NA", "SA", "EK", "TE", "ES", "HU")) / total
    assert 0.06 <= introduction <= 0.16
    assert 0.52 <= preparatory <= 0.70
    assert set(programmes) <= NATIONAL_PROGRAMMES | {"IM"}


def test_same_seed_gives_the_same_people_and_another_seed_does_not(db):
    def numbers(seed: int) -> list[str]:
        with transaction.atomic():
            demo_build(size=100, seed=seed, batch_size=30)
            result = list(
                Person.objects.order_by("pk").values_list("personal_identity_number", flat=True)
            )
            transaction.set_rollback(True)
        return result

    first = numbers(2026)
    assert numbers(2026) == first
    assert numbers(2027) != first


def test_summary_matches_what_was_written(db):
    summary = demo_build(size=SIZE, seed=3, batch_size=70)
    assert summary.persons == Person.objects.count() == SIZE
    assert summary.guardians == Guardian.objects.count()
    assert summary.enrolments_current + summary.enrolments_ended == Enrolment.objects.count()
    consents = summary.consents_active + summary.consents_expired + summary.consents_withdrawn
    assert consents == Consent.objects.count()
    assert summary.users == User.objects.count() == len(DEMO_USERS)


def test_if_empty_twice_changes_nothing(db):
    out = StringIO()
    call_command("demo", size=SIZE, if_empty=True, stdout=out)
    assert f"Personer: {SIZE}/{SIZE}" in out.getvalue()
    before = _counts()
    out = StringIO()
    call_command("demo", size=SIZE, if_empty=True, stdout=out)
    assert _counts() == before
    assert "finns redan" in out.getvalue()


def test_without_if_empty_an_existing_demo_is_refused(demo):
    before = _counts()
    with pytest.raises(CommandError, match="finns redan"):
        call_command("demo", size=SIZE, stdout=StringIO())
    assert _counts() == before


def test_refuses_when_a_demo_username_is_taken_and_writes_nothing(db):
    User.objects.create_user(username="coach", password="something-else-123")
    with pytest.raises(DemoError, match="coach"):
        demo_build(size=10, seed=1, batch_size=10)
    assert not Organisation.objects.exists()
    assert not Person.objects.exists()


def test_many_small_batches_write_everyone(db):
    out = StringIO()
    call_command("demo", size=3000, batch_size=500, stdout=out)
    # The demo programme adds synthetic participants from other municipalities, who have
    # no school records: the municipality's own young people are the ones enrolled.
    assert Person.objects.filter(enrolments__isnull=False).distinct().count() == 3000
    assert out.getvalue().count("Personer: ") == 6
    assert "Personer: 3000/3000" in out.getvalue()
    assert Enrolment.objects.values("person").distinct().count() == 3000


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="planner statistics (ANALYZE): PostgreSQL"
)
@pytest.mark.parametrize("size", [137, 151])
def test_the_planner_knows_the_tables_the_demo_filled(db, size):
    # Two sizes no other test builds: the estimates must be of this build, not of a
    # build before it (ANALYZE writes them in place, so a rolled-back test leaves them).
    demo_build(size=size, seed=7, batch_size=50)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN (%s, %s)",
            [Person._meta.db_table, Enrolment._meta.db_table],
        )
        estimates = dict(cursor.fetchall())
    assert estimates == {
        Person._meta.db_table: Person.objects.count(),
        Enrolment._meta.db_table: Enrolment.objects.count(),
    }


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="planner statistics (ANALYZE): PostgreSQL"
)
def test_the_activity_responsibility_seed_refreshes_on_statistics_of_what_it_wrote(db):
    """The KAA seed writes every resident's registration and then refreshes the cohort in
    the same transaction: the refresh must be planned on the residences as written, not
    on the statistics the demo took while the table was empty (at 200,000 persons the
    refresh then ran for many minutes)."""
    from lotsen.demo.kaa import kaa_demo_seed
    from lotsen.kaa.models import ResidencePeriod

    demo_build(size=163, seed=7, batch_size=50)
    kaa_demo_seed()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE relname = %s",
            [ResidencePeriod._meta.db_table],
        )
        (estimate,) = cursor.fetchone()
    # The seed's later steps add a few moves; the estimate is of the residences written
    # before the first refresh.
    written = ResidencePeriod.objects.count()
    assert written > 100
    assert 0.9 * written <= estimate <= written


def test_a_small_municipality_has_the_five_named_schools():
    from lotsen.demo.generator import (
        DEFAULT_SIZE,
        DEMO_COMPULSORY_SCHOOLS,
        DEMO_UPPER_SECONDARY_SCHOOLS,
        demo_schools,
    )

    for size in (1, SIZE, DEFAULT_SIZE, 5_999):
        assert demo_schools(size) == (DEMO_COMPULSORY_SCHOOLS, DEMO_UPPER_SECONDARY_SCHOOLS)


def test_a_larger_municipality_has_more_schools_each_with_pupils(db, monkeypatch):
    """A large demo spreads its pupils over more school units instead of making five
    schools ever larger (a school's pages would grow with the municipality). The
    thresholds are lowered here so that a small demo shows it."""
    from lotsen.demo import generator
    from lotsen.demo.ss12000server import DemoSchoolData

    monkeypatch.setattr(generator, "DEMO_PERSONS_PER_COMPULSORY_SCHOOL", 150)
    monkeypatch.setattr(generator, "DEMO_PERSONS_PER_UPPER_SECONDARY_SCHOOL", 300)
    size = 900
    compulsory, upper_secondary = generator.demo_schools(size)
    assert (len(compulsory), len(upper_secondary)) == (6, 3)
    assert compulsory[:3] == generator.DEMO_COMPULSORY_SCHOOLS

    summary = demo_build(size=size, seed=5, batch_size=300)
    today = timezone.localdate()
    units = Organisation.objects.filter(kind="school_unit")
    assert sorted(units.values_list("name", flat=True)) == sorted(compulsory + upper_secondary)
    assert summary.organisations == Organisation.objects.count()
    current = Counter(
        Enrolment.objects.filter(start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("school_unit__name", flat=True)
    )
    # Every school unit, named or numbered, has current pupils of its own school form.
    assert set(current) == set(compulsory + upper_secondary)
    for name in compulsory:
        assert Enrolment.objects.filter(school_unit__name=name, school_type=SchoolType.GR).exists()
    for name in upper_secondary:
        assert Enrolment.objects.filter(school_unit__name=name, school_type=SchoolType.GY).exists()
    # The mentor still sees exactly Björkskolan's pupils, now a share of the municipality's.
    visible = set(
        PersonPolicy(_actor("mentor")).persons(purpose=Purpose.SCHOOL).values_list("pk", flat=True)
    )
    assert len(visible) == current["Björkskolan"]
    assert len(visible) < sum(current[name] for name in compulsory) / 3

    # The SS 12000 test server of the same size serves the same school units.
    served = DemoSchoolData(seed=5, size=size, today=today).organisations
    codes = {r["schoolUnitCode"]: r["displayName"] for r in served if "schoolUnitCode" in r}
    assert codes == dict(units.values_list("school_unit_code", "name"))
