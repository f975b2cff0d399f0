"""'Who read this person' on the access log partitioned by month (PostgreSQL, issue 16).

Fills the log with BENCH_ACCESSLOG_SMALL generated entries (default 1,000,000) over 12
monthly partitions and times the real selector (``access_log_for_person``: the newest 100
entries of a person, as the young person and as staff of one organisation) for 50 random
persons of BENCH_ACCESSLOG_PERSONS (default 5,000, who share all entries). Then adds
entries up to BENCH_ACCESSLOG_LARGE (default 20,000,000) over the same 12 months and
times the same persons again. Prints the ratio large/small and EXPLAIN (ANALYZE) of the
selector and of one month of it (partition pruning).

Entries are generated in SQL (INSERT ... SELECT generate_series), not through the hash
chain: their hashes are made up, and the insert trigger that keeps ids unique is off
while filling. The benchmark empties the table before and after (as superuser, triggers
off for its own session: BENCH_DATABASE_URL is a database the benchmark may fill and
empty). On SQLite there are no partitions: it says so and stops.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import best_of, django_setup  # noqa: E402

MONTHS = 12
# 5,000 persons: at both sizes a person has more entries than the page of 100 shows (200
# and 4,000), so the two sizes do the same work and the ratio shows what the table's size
# costs. With more persons the small run returns fewer rows than the large one.
PERSONS = int(os.environ.get("BENCH_ACCESSLOG_PERSONS", "5000"))
USERS = 200
ORGANISATIONS = 4
SAMPLE = 50
CHUNK = 1_000_000


def _empty(cursor, table: str) -> None:
    cursor.execute("SET session_replication_role = replica")
    cursor.execute(f"TRUNCATE {table}")
    cursor.execute("SET session_replication_role = DEFAULT")


def _fill(cursor, table: str, first: int, last: int, start: dt.datetime, span: int) -> None:
    """Entries first..last (a row number each), spread over ``span`` seconds from ``start``
    and over the persons, users and organisations by multiplicative hashing."""
    # Generated rows are not on the chain, and the insert trigger that keeps ids unique
    # costs a probe per partition and row: off for this session while filling.
    cursor.execute("SET session_replication_role = replica")
    for low in range(first, last + 1, CHUNK):
        high = min(low + CHUNK - 1, last)
        cursor.execute(
            f"""INSERT INTO {table} (at, action, purpose, object_type, object_id,
                actor_user_id, organisation_id, person_id, entry_hash, prev_hash, shown,
                assurance_level)
            SELECT %(start)s::timestamptz + make_interval(secs => (g * 2654435761) %% %(span)s),
                'view', 'kaa', 'person', (1 + (g * 7919) %% %(persons)s)::text,
                u.ids[1 + g %% %(users)s], o.ids[1 + g %% %(orgs)s],
                1 + (g * 7919) %% %(persons)s,
                md5(g::text) || md5((g + 1)::text), md5((g - 1)::text) || md5(g::text),
                '[]'::jsonb, ''
            FROM generate_series(%(low)s::bigint, %(high)s::bigint) g,
                (SELECT array_agg(id) AS ids FROM lotsen_bench_users) u,
                (SELECT array_agg(id) AS ids FROM lotsen_bench_orgs) o""",  # noqa: S608
            {
                "start": start,
                "span": span,
                "persons": PERSONS,
                "users": USERS,
                "orgs": ORGANISATIONS,
                "low": low,
                "high": high,
            },
        )
        print(f"  {high:>11,} entries", flush=True)
    cursor.execute("SET session_replication_role = DEFAULT")
    cursor.execute(f"VACUUM ANALYZE {table}")


def main() -> int:
    django_setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("skipped: the access log is partitioned on PostgreSQL only (BENCH_DATABASE_URL)")
        return 0
    from lotsen.accounts.actor import Actor
    from lotsen.accounts.models import Membership, Organisation, OrganisationKind, Role, User
    from lotsen.people.models import Person
    from lotsen.privacy.accesslog import access_log_ensure_months, month_start
    from lotsen.privacy.models import AccessLogEntry
    from lotsen.privacy.selectors import access_log_entries_for_person, access_log_for_person

    small = int(os.environ.get("BENCH_ACCESSLOG_SMALL", "1000000"))
    large = int(os.environ.get("BENCH_ACCESSLOG_LARGE", "20000000"))
    table = AccessLogEntry._meta.db_table

    first_month = month_start(dt.datetime.now(dt.UTC).date())
    access_log_ensure_months(months_ahead=MONTHS)
    start = dt.datetime(first_month.year, first_month.month, 1, tzinfo=dt.UTC)
    end_month = month_start(first_month, MONTHS)
    span = int(
        (dt.datetime(end_month.year, end_month.month, 1, tzinfo=dt.UTC) - start).total_seconds()
    )

    User.objects.filter(username__startswith="bench-log-").delete()
    Organisation.objects.filter(name__startswith="Bench log ").delete()
    users = User.objects.bulk_create(User(username=f"bench-log-{n}") for n in range(USERS))
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Bench log {n}", kind=OrganisationKind.SOCIAL_SERVICES)
        for n in range(ORGANISATIONS)
    )
    with connection.cursor() as cursor:
        _empty(cursor, table)
        cursor.execute("CREATE TEMP TABLE lotsen_bench_users (id bigint)")
        cursor.execute("CREATE TEMP TABLE lotsen_bench_orgs (id bigint)")
        cursor.executemany("INSERT INTO lotsen_bench_users VALUES (%s)", [[u.pk] for u in users])
        cursor.executemany("INSERT INTO lotsen_bench_orgs VALUES (%s)", [[o.pk] for o in orgs])

    staff = Actor(
        user=users[0],
        membership=Membership(user=users[0], organisation=orgs[0], role=Role.KAA_COORDINATOR),
    )
    persons = random.Random(1).sample(range(1, PERSONS + 1), SAMPLE)

    def who_read(as_staff: bool):
        def run():
            for pid in persons:
                person = Person(pk=pid)
                actor = staff if as_staff else Actor.for_young_person(User(pk=-1, person_id=pid))
                access_log_for_person(actor=actor, person=person)

        return run

    results = {}
    for label, first, last in (("small", 1, small), ("large", small + 1, large)):
        print(f"filling up to {last:,} entries over {MONTHS} monthly partitions", flush=True)
        began = time.perf_counter()
        with connection.cursor() as cursor:
            _fill(cursor, table, first, last, start, span)
        print(f"  in {time.perf_counter() - began:.0f} s", flush=True)
        results[label] = (best_of(who_read(False), repeat=5), best_of(who_read(True), repeat=5))

    print(f"\n'who read this person', newest 100, {SAMPLE} random persons, best of 5")
    print(f"{'':24} {small:>12,} {large:>12,} {'ratio':>7}")
    for n, name in enumerate(("the young person", "staff of one org")):
        t_small, t_large = results["small"][n], results["large"][n]
        print(
            f"{name:24} {t_small * 1000 / SAMPLE:9.2f} ms {t_large * 1000 / SAMPLE:9.2f} ms"
            f" {t_large / t_small:6.2f}x"
        )

    young = Actor.for_young_person(User(pk=-1, person_id=persons[0]))
    query = access_log_entries_for_person(actor=young, person=Person(pk=persons[0]))
    print("\nEXPLAIN (ANALYZE) the young person's 'who read my data' (newest 100):")
    print(query[:100].explain(analyze=True, buffers=True))
    month = month_start(first_month, 5)
    month_at = dt.datetime(month.year, month.month, 1, tzinfo=dt.UTC)
    next_at = dt.datetime(month_start(month, 1).year, month_start(month, 1).month, 1, tzinfo=dt.UTC)
    print(f"\nEXPLAIN (ANALYZE) the same, one month ({month:%Y-%m}): partition pruning")
    print(query.filter(at__gte=month_at, at__lt=next_at)[:100].explain(analyze=True, buffers=True))

    with connection.cursor() as cursor:
        _empty(cursor, table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
