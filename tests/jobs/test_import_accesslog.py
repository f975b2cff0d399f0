"""An import's access-log entries at COPY speed (lotsen.ingest.accesslog): the same entries
the door writes, on the same hash chain, which ``lotsen accesslog verify`` walks unbroken
before, between and after them; rolled back with the import. SQLite and PostgreSQL."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from lotsen.ingest.accesslog import BULK_FROM, import_persons_written
from lotsen.ingest.runs import import_actor
from lotsen.privacy.accesslog import access_log_verify
from lotsen.privacy.door import persons_written
from lotsen.privacy.models import AccessLogEntry, Action, Purpose
from tests.factories import MunicipalityFactory, PersonFactory
from tests.web.test_uploads import population

# Not a transactional test: the append-only table cannot be flushed after one.
pytestmark = pytest.mark.django_db

# What an entry says, without its time and place on the chain.
FIELDS = (
    "actor_user_id",
    "organisation_id",
    "person_id",
    "action",
    "purpose",
    "object_type",
    "object_id",
    "shown",
    "assurance_level",
    "api_client_id",
)


def _said(entries) -> list[tuple]:
    return sorted(entries.values_list(*FIELDS))


def _verify_command() -> str:
    out = StringIO()
    call_command("accesslog", "verify", stdout=out)
    return out.getvalue()


def test_bulk_entries_are_the_doors_entries_on_an_unbroken_chain():
    persons = [PersonFactory().pk for _ in range(BULK_FROM)]
    actor = import_actor()
    # Something on the chain before, the bulk in the middle, something after.
    persons_written(actor=actor, action=Action.UPDATE, purpose=Purpose.KAA, person_ids=persons[:3])
    with transaction.atomic():
        written = import_persons_written(
            actor=actor,
            action=Action.CREATE,
            purpose=Purpose.KAA,
            person_ids=persons,
            object_type="kaa_population_import",
        )
    bulk = list(AccessLogEntry.objects.filter(action=Action.CREATE).order_by("id"))
    persons_written(actor=actor, action=Action.UPDATE, purpose=Purpose.KAA, person_ids=persons[-3:])
    # The same persons through the door, for comparison.
    with transaction.atomic():
        persons_written(
            actor=actor,
            action=Action.CREATE,
            purpose=Purpose.SCHOOL,
            person_ids=persons,
            object_type="kaa_population_import",
        )

    assert written == BULK_FROM == len(bulk)
    assert [entry.person_id for entry in bulk] == persons  # chained in the order given
    by_door = AccessLogEntry.objects.filter(action=Action.CREATE, purpose=Purpose.SCHOOL)
    assert [row[:4] + row[5:] for row in _said(by_door)] == [
        row[:4] + row[5:]
        for row in _said(AccessLogEntry.objects.filter(pk__in=[entry.pk for entry in bulk]))
    ]
    report = access_log_verify()
    assert report.ok, report.first_break
    assert report.count == AccessLogEntry.objects.count() == 3 + BULK_FROM + 3 + BULK_FROM
    assert str(report.count) in _verify_command()  # raises CommandError on a break


def test_bulk_entries_roll_back_with_the_import():
    persons = [PersonFactory().pk for _ in range(BULK_FROM)]

    with pytest.raises(RuntimeError), transaction.atomic():
        import_persons_written(
            actor=import_actor(),
            action=Action.CREATE,
            purpose=Purpose.KAA,
            person_ids=persons,
            object_type="kaa_population_import",
        )
        raise RuntimeError("the import failed after logging")

    assert not AccessLogEntry.objects.exists()


def test_only_writes_go_this_way():
    with pytest.raises(ValueError, match="skrivningar"):
        import_persons_written(
            actor=import_actor(),
            action=Action.VIEW,
            purpose=Purpose.KAA,
            person_ids=[1],
            object_type="kaa_population_import",
        )


def test_a_population_import_logs_every_person_once_and_the_chain_verifies(tmp_path):
    from lotsen.kaa.imports import population_import

    MunicipalityFactory(municipality_code="2480")
    rows = BULK_FROM + 100
    population_import(file=population(rows))
    population_import(file=population(10))  # a second, small import continues the chain

    created = AccessLogEntry.objects.filter(
        action=Action.CREATE, object_type="kaa_population_import"
    )
    assert created.count() == rows + 10
    assert created.values("person_id").distinct().count() == rows + 10
    report = access_log_verify()
    assert report.ok, report.first_break
