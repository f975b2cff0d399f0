"""Person selectors: what comes back, what is logged, and the same 404 for missing and foreign."""

import pytest
from django.http import Http404

from lotsen.accounts.models import Role
from lotsen.people.selectors import person_count, person_get_for, person_list
from lotsen.privacy.models import AccessLogEntry, Action, Purpose
from lotsen.privacy.services import emergency_access_open
from tests.factories import MunicipalityFactory, PersonFactory, SchoolUnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def municipality():
    return MunicipalityFactory(municipality_code="0180")


@pytest.fixture
def kaa(make_actor, municipality):
    return make_actor(organisation=municipality, role=Role.KAA_COORDINATOR)


def test_list_returns_only_visible_persons_and_logs_each_once(kaa):
    mine = [PersonFactory(home_municipality_code="0180") for _ in range(3)]
    PersonFactory(home_municipality_code="1480")
    result = person_list(actor=kaa)
    assert set(result) == set(mine)
    log = AccessLogEntry.objects.filter(actor_user=kaa.user)
    assert sorted(log.values_list("person_id", flat=True)) == sorted(p.pk for p in mine)
    assert set(log.values_list("action", "purpose", "organisation_id")) == {
        (Action.VIEW, Purpose.KAA, kaa.organisation.pk)
    }


def test_search_by_name_words_and_by_full_personnummer(kaa):
    anna = PersonFactory(home_municipality_code="0180", given_name="Anna", family_name="Lind")
    PersonFactory(home_municipality_code="0180", given_name="Anna", family_name="Berg")
    hidden = PersonFactory(home_municipality_code="1480", given_name="Anna", family_name="Lind")

    assert person_list(actor=kaa, query="anna lind") == [anna]
    number = anna.identity_number_display
    assert person_list(actor=kaa, query=number) == [anna]
    assert person_list(actor=kaa, query=number[2:]) == [anna]
    # A full number of somebody outside the actor's scope finds nothing.
    assert person_list(actor=kaa, query=hidden.personal_identity_number) == []
    assert set(
        AccessLogEntry.objects.filter(action=Action.SEARCH).values_list("person_id", flat=True)
    ) == {anna.pk}


def test_detail_logs_one_view(kaa):
    person = PersonFactory(home_municipality_code="0180")
    access = person_get_for(actor=kaa, person_id=person.pk)
    assert access.person == person and access.purpose == Purpose.KAA
    assert list(AccessLogEntry.objects.values_list("person_id", "action")) == [
        (person.pk, Action.VIEW)
    ]


@pytest.mark.parametrize("person_id", ["missing", "foreign", "garbage", "negative"])
def test_missing_foreign_and_forged_ids_look_the_same(kaa, person_id):
    foreign = PersonFactory(home_municipality_code="1480")
    ids = {
        "missing": foreign.pk + 1000,
        "foreign": foreign.pk,
        "garbage": "1 OR 1=1",
        "negative": -1,
    }
    with pytest.raises(Http404):
        person_get_for(actor=kaa, person_id=ids[person_id])
    assert not AccessLogEntry.objects.exists()


def test_emergency_access_reads_are_logged_as_emergency(make_actor):
    school = SchoolUnitFactory()
    mentor = make_actor(organisation=school, role=Role.MENTOR)
    person = PersonFactory()
    with pytest.raises(Http404):
        person_get_for(actor=mentor, person_id=person.pk)
    emergency_access_open(
        actor=mentor, person=person, reason="Eleven har hört av sig i kris i kväll."
    )
    access = person_get_for(actor=mentor, person_id=person.pk)
    assert access.is_emergency
    assert list(AccessLogEntry.objects.order_by("id").values_list("action", "purpose")) == [
        (Action.EMERGENCY, Purpose.EMERGENCY),  # opening it
        (Action.EMERGENCY, Purpose.EMERGENCY),  # reading
    ]


def test_count_is_not_logged(kaa):
    PersonFactory(home_municipality_code="0180")
    assert person_count(actor=kaa) == 1
    assert not AccessLogEntry.objects.exists()


def test_list_query_count_does_not_grow_with_results(kaa, django_assert_max_num_queries):
    for _ in range(30):
        PersonFactory(home_municipality_code="0180")
    # One read plus one bulk insert of log rows (and savepoint bookkeeping), whatever the
    # size; the insert reads the hash chain's head first (and on PostgreSQL takes its lock).
    with django_assert_max_num_queries(6):
        assert len(person_list(actor=kaa)) == 30
