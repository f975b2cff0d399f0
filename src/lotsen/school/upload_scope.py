"""The area of a school CSV uploaded in the browser: the uploader's own school units.

An organisation administrator uploads the data of the school units their organisation
holds (the organisation itself when it is a school unit, and every school unit below it: a
school organiser's units, a municipality's through its organiser). A row may name only
those units in ``school_unit_code``; a grade or attendance row without a unit is about a
pupil, who must be enrolled (now or earlier) at one of them. Any other row is refused with
its line and column and nothing is written.

The command line (``lotsen import school-csv``) is run by operators and keeps its national
reach: this applies to browser uploads only.
"""

from __future__ import annotations

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Organisation, OrganisationKind, Role
from lotsen.accounts.selectors import organisation_ids_overseen_by
from lotsen.ingest.csvfile import CsvFileError, csv_file_read
from lotsen.ingest.persons import LOOKUP_BATCH, persons_by_personnummer
from lotsen.ingest.registry import ERROR_OUT_OF_SCOPE
from lotsen.people.identity import InvalidIdentityNumber, parse_identity_number
from lotsen.school.models import Enrolment

ERROR_OTHER_UNIT = ERROR_OUT_OF_SCOPE.format(what="skolenheten hör inte till din organisation")
ERROR_PUPIL_ELSEWHERE = ERROR_OUT_OF_SCOPE.format(
    what="eleven är inte inskriven vid någon av era skolenheter (ange school_unit_code)"
)


def school_unit_codes_of(actor: Actor) -> frozenset[str]:
    """The codes of the school units an organisation administrator's organisation holds;
    none for any other role or an organisation without school units."""
    if actor.role != Role.ORGANISATION_ADMIN or actor.organisation is None:
        return frozenset()
    codes = (
        Organisation.objects.filter(
            pk__in=organisation_ids_overseen_by(actor=actor), kind=OrganisationKind.SCHOOL_UNIT
        )
        .exclude(school_unit_code="")
        .values_list("school_unit_code", flat=True)
    )
    return frozenset(codes)


def school_csv_out_of_scope(data: bytes, unit_codes: frozenset[str]) -> list[dict[str, object]]:
    """A reject (line, column, reason) for every row of the file outside ``unit_codes``.
    A file the reader cannot read, and values that are not codes or numbers at all, are
    left to the import, which names them with the rest of its checks."""
    try:
        rows = csv_file_read(data, optional=None, collect_row_problems=True).rows
    except CsvFileError:
        return []
    rejects: list[dict[str, object]] = []
    # Lines without a school unit, by personnummer: the pupil must be one of the units'.
    by_number: dict[str, list[int]] = {}
    for line, row in rows:
        code = row.get("school_unit_code", "")
        if code:
            if code not in unit_codes:
                rejects.append(
                    {"line": line, "column": "school_unit_code", "reason": ERROR_OTHER_UNIT}
                )
            continue
        try:
            number = parse_identity_number(row.get("personnummer", "")).normalized
        except InvalidIdentityNumber:
            continue
        by_number.setdefault(number, []).append(line)
    if by_number:
        persons = persons_by_personnummer(by_number)
        ids = sorted({person.pk for person in persons.values()})
        enrolled: set[int] = set()
        for start in range(0, len(ids), LOOKUP_BATCH):
            enrolled.update(
                Enrolment.objects.filter(
                    person_id__in=ids[start : start + LOOKUP_BATCH],
                    school_unit__school_unit_code__in=unit_codes,
                ).values_list("person_id", flat=True)
            )
        for number, lines in by_number.items():
            person = persons.get(number)
            if person is not None and person.pk not in enrolled:
                rejects.extend(
                    {"line": line, "column": "personnummer", "reason": ERROR_PUPIL_ELSEWHERE}
                    for line in lines
                )
    return sorted(rejects, key=lambda reject: reject["line"])
