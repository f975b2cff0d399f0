"""Reads of school data (enrolments, grades, attendance), through the policy.

School data is the SCHOOL category: an actor whose basis does not cover it (a KAA
coordinator without a consent naming school data, say) gets nothing, not even the fact
that there is something. What these rows mean together with early warning (merit value,
eligibility, signals) is composed on the top floor, in ``lotsen.web.person_page``, which
logs the read once per person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lotsen.accounts.actor import Actor
from lotsen.people.models import Person
from lotsen.privacy.models import Category
from lotsen.privacy.policy import PersonPolicy
from lotsen.school.models import AttendancePeriod, Enrolment, Grade

# Enough periods for a term of weekly aggregates or a year of monthly ones.
ATTENDANCE_PERIODS_SHOWN = 20


@dataclass(frozen=True, kw_only=True)
class SchoolRecords:
    """One person's school rows as known on a day: enrolments newest first, the grades
    registered by then, and the latest attendance periods that had ended, newest first."""

    enrolments: list[Enrolment]
    grades: list[Grade]
    attendance: list[AttendancePeriod]

    def __bool__(self) -> bool:
        return bool(self.enrolments or self.grades or self.attendance)


def school_records_for_person(
    *, actor: Actor, person: Person, purpose: str, today: dt.date
) -> SchoolRecords | None:
    """The person's school rows, or None when the actor's basis for ``purpose`` does not
    cover school data about them. Not logged here: the caller shows them together with
    what early warning knows and logs that read once (``persons_shown``)."""
    policy = PersonPolicy(actor, today=today)
    if not policy.may_view(person, purpose=purpose, category=Category.SCHOOL):
        return None
    return SchoolRecords(
        enrolments=list(
            Enrolment.objects.filter(person=person)
            .select_related("school_unit")
            .order_by("-start_date", "-id")
        ),
        grades=list(Grade.objects.filter(person=person, registered_on__lte=today)),
        attendance=list(
            AttendancePeriod.objects.filter(person=person, end_date__lte=today).order_by(
                "-end_date", "-id"
            )[:ATTENDANCE_PERIODS_SHOWN]
        ),
    )
