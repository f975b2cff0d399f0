"""persons_by_personnummer: the one lookup every import makes before it writes."""

from __future__ import annotations

import pytest

from lotsen.ingest import persons as ingest_persons
from lotsen.ingest.persons import persons_by_personnummer
from tests.factories import PersonFactory, fresh_identity_number

pytestmark = pytest.mark.django_db


def test_known_numbers_map_to_their_persons_and_unknown_ones_are_absent():
    anna, bo = PersonFactory(), PersonFactory()
    unknown = fresh_identity_number()
    found = persons_by_personnummer(
        [anna.personal_identity_number, bo.personal_identity_number, unknown]
    )
    assert found == {anna.personal_identity_number: anna, bo.personal_identity_number: bo}


def test_numbers_are_looked_up_in_batches_one_query_each(monkeypatch, django_assert_num_queries):
    people = [PersonFactory() for _ in range(5)]
    numbers = [person.personal_identity_number for person in people]
    monkeypatch.setattr(ingest_persons, "LOOKUP_BATCH", 2)
    with django_assert_num_queries(3):
        found = persons_by_personnummer(numbers + numbers)  # repeats are looked up once
    assert set(found) == set(numbers)


def test_no_numbers_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert persons_by_personnummer([]) == {}
