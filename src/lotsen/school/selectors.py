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

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Organisation, OrganisationKind
from lotsen.people.models import Person
from lotsen.privacy.door import persons_read
from lotsen.privacy.models import Category, Purpose
from lotsen.privacy.policy import PersonPolicy
from lotsen.school.models import (
    AttendancePeriod,
    Enrolment,
    Grade,
    Group,
    GroupMembership,
    GroupType,
)

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


def school_units_for(actor: Actor) -> QuerySet[Organisation]:
    """The school units whose groups the actor works with: their own unit, or every unit
    of their school organiser. Other organisations have no classes."""
    org = actor.organisation
    if org is None:
        return Organisation.objects.none()
    if org.kind == OrganisationKind.SCHOOL_UNIT:
        return Organisation.objects.filter(pk=org.pk)
    if org.kind == OrganisationKind.SCHOOL_ORGANISER:
        return Organisation.objects.filter(parent=org, kind=OrganisationKind.SCHOOL_UNIT)
    return Organisation.objects.none()


def _current(prefix: str, today: dt.date) -> Q:
    """Valid on ``today``; an open date is "from the start" or "still"."""
    return (
        Q(**{f"{prefix}start_date__isnull": True}) | Q(**{f"{prefix}start_date__lte": today})
    ) & (Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": today}))


def groups_for(
    *,
    actor: Actor,
    today: dt.date | None = None,
    group_types: tuple[str, ...] = (GroupType.CLASS, GroupType.MENTOR),
) -> QuerySet[Group]:
    """The groups of the units the actor may see that are valid on ``today``, classes and
    mentor groups by default (what a filter by "class or group" offers), by unit, type and
    name. A group's name and type name nobody, so this is not a read through the door;
    who is in a group is (``persons_in_group``)."""
    today = today or timezone.localdate()
    groups = Group.objects.filter(school_unit__in=school_units_for(actor)).filter(
        _current("", today)
    )
    if group_types:
        groups = groups.filter(group_type__in=group_types)
    return groups.select_related("school_unit").order_by(
        "school_unit__name", "group_type", "name", "id"
    )


def group_get_for(*, actor: Actor, group_id: int | str, today: dt.date | None = None) -> Group:
    """One of the actor's groups; Http404 for a missing group and another unit's alike."""
    try:
        pk = int(group_id)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    group = groups_for(actor=actor, today=today, group_types=()).filter(pk=pk).first()
    if group is None:
        raise Http404
    return group


def in_group_q(*, group_id: int, today: dt.date, person_ref: str = "pk") -> Q:
    """A filter on a queryset for the persons who are members of the group on ``today``
    (``person_ref`` names the person's id in that queryset: "pk" for persons,
    "person_id" for rows about a person). An Exists, so it adds no join and no duplicates.
    It filters; it does not authorise: use it inside a read through the door, together
    with ``group_get_for`` so that the group is one the actor may see."""
    members = GroupMembership.objects.filter(
        group_id=group_id, person_id=OuterRef(person_ref)
    ).filter(_current("", today))
    return Q(Exists(members))


def persons_in_group(
    *,
    actor: Actor,
    group_id: int | str,
    purpose: str = Purpose.SCHOOL,
    today: dt.date | None = None,
) -> list[Person]:
    """The members of one of the actor's groups on ``today`` that the actor may see, by
    name; read through the door, so each is logged."""
    today = today or timezone.localdate()
    group = group_get_for(actor=actor, group_id=group_id, today=today)
    return persons_read(
        actor=actor,
        purpose=purpose,
        category=Category.IDENTITY,
        queryset=Person.objects.filter(in_group_q(group_id=group.pk, today=today)).order_by(
            "family_name", "given_name", "pk"
        ),
        object_type="school_group",
        today=today,
    )
