"""The level of assurance on access-log entries: written from the actor's login, covered
by the hash when there is one, and left out of the hash when empty so that entries from
before the level was kept still verify."""

import dataclasses
import datetime as dt
import hashlib
import json

import pytest
from django.db import connection
from django.utils import timezone

from lotsen.privacy.accesslog import (
    CHAIN_VERSION,
    access_log_collect,
    access_log_record,
    access_log_verify,
    entry_canonical,
    entry_digest,
)
from lotsen.privacy.models import AccessLogEntry, Action, Purpose
from tests.factories import MunicipalityFactory

TABLE = AccessLogEntry._meta.db_table


@pytest.fixture
def actor(make_actor):
    return make_actor(organisation=MunicipalityFactory(), role="kaa_coordinator")


def _canonical_before_levels(entry: AccessLogEntry) -> bytes:
    # The canonical form as it was before levels were kept (CHAIN_VERSION 1).
    fields = [
        CHAIN_VERSION,
        entry.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        entry.actor_user_id,
        entry.organisation_id,
        entry.person_id,
        entry.action,
        entry.purpose,
        entry.object_type,
        str(entry.object_id),
        list(entry.shown or []),
        entry.prev_hash,
    ]
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.mark.django_db
def test_entry_without_a_level_hashes_as_before(actor):
    access_log_record(actor=actor, action=Action.VIEW, purpose=Purpose.KAA, person_ids=[7])
    entry = AccessLogEntry.objects.get()

    assert entry.assurance_level == ""
    assert entry_canonical(entry) == _canonical_before_levels(entry)


@pytest.mark.django_db
def test_actors_level_is_written_and_covered_by_the_hash(actor):
    at_loa3 = dataclasses.replace(actor, assurance_level="loa3")
    access_log_record(actor=at_loa3, action=Action.UPDATE, purpose=Purpose.KAA, person_ids=[8])
    entry = AccessLogEntry.objects.get()

    assert entry.assurance_level == "loa3"
    assert entry.entry_hash == entry_digest(entry)
    entry.assurance_level = "loa1"
    assert entry_digest(entry) != entry.entry_hash


@pytest.mark.django_db
def test_reads_collected_in_a_request_carry_the_level(actor):
    at_loa2 = dataclasses.replace(actor, assurance_level="loa2")
    with access_log_collect() as collector:
        access_log_record(actor=at_loa2, action=Action.VIEW, purpose=Purpose.KAA, person_ids=[9])
        access_log_record(actor=at_loa2, action=Action.SEARCH, purpose=Purpose.KAA, person_ids=[9])
    collector.flush()

    assert list(AccessLogEntry.objects.values_list("person_id", "assurance_level")) == [(9, "loa2")]


@pytest.mark.django_db
def test_chain_of_old_and_new_entries_verifies(actor):
    # An entry as an older Lotsen wrote it: no level column in the insert (the database
    # default fills it in), hashed with the form from before levels.
    old = AccessLogEntry(
        at=timezone.now(),
        actor_user_id=actor.user.pk,
        person_id=5,
        action=Action.VIEW,
        purpose=Purpose.KAA,
        object_type="person",
        object_id="5",
        shown=["person:5"],
        prev_hash="0" * 64,
    )
    old_hash = hashlib.sha256(_canonical_before_levels(old)).hexdigest()
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {TABLE} (at, actor_user_id, person_id, action, purpose, "  # noqa: S608
            "object_type, object_id, shown, prev_hash, entry_hash) VALUES "
            "(%s, %s, 5, 'view', 'kaa', 'person', '5', %s, %s, %s)",
            [old.at, actor.user.pk, json.dumps(["person:5"]), "0" * 64, old_hash],
        )
    access_log_record(
        actor=dataclasses.replace(actor, assurance_level="loa3"),
        action=Action.UPDATE,
        purpose=Purpose.KAA,
        person_ids=[6],
    )

    report = access_log_verify()

    assert report.ok, report.first_break
    assert report.count == 2
    assert list(
        AccessLogEntry.objects.order_by("id").values_list("assurance_level", flat=True)
    ) == [
        "",
        "loa3",
    ]
