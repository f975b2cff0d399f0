"""The request's collector: reads merge into one entry per person and purpose, written
before the response leaves; writes are logged at once, in their own transaction; a
streamed response logs each person before the chunk that shows them."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory

from lotsen.privacy.accesslog import access_log_record, access_log_verify
from lotsen.privacy.middleware import AccessLogMiddleware
from lotsen.privacy.models import AccessLogEntry, Action, Purpose
from tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(make_actor):
    return make_actor(organisation=MunicipalityFactory(), role="kaa_coordinator")


def _read(actor, person_ids, object_type="person", action=Action.VIEW, purpose=Purpose.KAA):
    access_log_record(
        actor=actor, action=action, purpose=purpose, person_ids=person_ids, object_type=object_type
    )


def _call(view):
    return AccessLogMiddleware(view)(RequestFactory().get("/"))


def test_reads_in_one_request_become_one_entry_per_person_and_purpose(actor):
    def view(request):
        _read(actor, [5])
        _read(actor, [5], "school_overview")
        _read(actor, [5, 6], "case_list")
        _read(actor, [5], "person", purpose=Purpose.EMERGENCY, action=Action.EMERGENCY)
        assert not AccessLogEntry.objects.exists()  # nothing is written while the view runs
        return HttpResponse("ok")

    _call(view)
    rows = sorted(AccessLogEntry.objects.values_list("person_id", "purpose", "shown"))
    assert rows == [
        (5, Purpose.EMERGENCY, ["emergency:person:5"]),
        (5, Purpose.KAA, ["person:5", "school_overview:5", "case_list:5"]),
        (6, Purpose.KAA, ["case_list:6"]),
    ]
    assert access_log_verify().ok


def test_the_weightiest_read_names_the_entry(actor):
    def view(request):
        _read(actor, [5], "kaa_register")
        _read(actor, [5], "kaa_national_report", action=Action.EXPORT)
        return HttpResponse("ok")

    _call(view)
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.object_type) == (Action.EXPORT, "kaa_national_report")
    assert entry.shown == ["kaa_register:5", "export:kaa_national_report:5"]


def test_shown_is_bounded(actor):
    def view(request):
        for n in range(80):
            _read(actor, [5], "case", action=Action.VIEW)
            access_log_record(
                actor=actor,
                action=Action.VIEW,
                purpose=Purpose.KAA,
                person_ids=[5],
                object_type="note",
                object_id=str(n),
            )
        return HttpResponse("ok")

    _call(view)
    shown = AccessLogEntry.objects.get().shown
    # case:5 and 80 notes: 50 listed, the other 31 counted.
    assert len(shown) == 51 and shown[:2] == ["case:5", "note:0"] and shown[-1] == "+31"


def test_a_write_is_logged_at_once_and_rolls_back_with_its_change(actor):
    def view(request):
        _read(actor, [5])
        with transaction.atomic():
            _read(actor, [5], "kaa_contact", action=Action.CREATE)
        assert AccessLogEntry.objects.filter(action=Action.CREATE).count() == 1
        try:
            with transaction.atomic():
                _read(actor, [7], "kaa_contact", action=Action.CREATE)
                raise ValueError("the change failed")
        except ValueError:
            pass
        return HttpResponse("ok")

    _call(view)
    assert set(AccessLogEntry.objects.values_list("person_id", "action")) == {
        (5, Action.VIEW),
        (5, Action.CREATE),
    }
    assert AccessLogEntry.objects.count() == 2


def test_outside_a_request_every_call_is_written_at_once(actor):
    _read(actor, [5])
    _read(actor, [5], "school_overview")
    assert AccessLogEntry.objects.count() == 2


def test_a_streamed_response_logs_each_person_before_the_chunk_that_shows_them(actor):
    def rows():
        _read(actor, [1, 2], "person_list")
        yield b"1,2\n"
        _read(actor, [2, 3], "person_list")
        yield b"2,3\n"

    response = _call(lambda request: StreamingHttpResponse(rows()))
    assert not AccessLogEntry.objects.exists()
    chunks = iter(response.streaming_content)
    assert next(chunks) == b"1,2\n"
    assert sorted(AccessLogEntry.objects.values_list("person_id", flat=True)) == [1, 2]
    assert next(chunks) == b"2,3\n"
    assert sorted(AccessLogEntry.objects.values_list("person_id", flat=True)) == [1, 2, 3]
    assert list(chunks) == []


def test_a_streamed_response_stops_when_the_log_cannot_be_written(actor):
    def rows():
        _read(actor, [1], "person_list")
        yield b"1\n"
        _read(actor, [2], "person_list")
        yield b"2\n"

    response = _call(lambda request: StreamingHttpResponse(rows()))
    chunks = iter(response.streaming_content)
    assert next(chunks) == b"1\n"
    table = AccessLogEntry._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute(
                f"CREATE TRIGGER test_log_down BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'log down'); END;"
            )
        else:
            cur.execute(
                "CREATE FUNCTION test_log_down() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'log down'; END; $$ LANGUAGE plpgsql;"
            )
            cur.execute(
                f"CREATE TRIGGER test_log_down BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION test_log_down();"
            )
    with pytest.raises(DatabaseError, match="log down"):
        next(chunks)
