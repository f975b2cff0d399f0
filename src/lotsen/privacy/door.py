"""The door: every read of personal data is filtered by the policy and logged in one call.

A selector never filters persons and then remembers to log them: it hands the door a
queryset, the door applies the actor's legal bases (``PersonPolicy``, or the domain
policy's filter for rows such as cases), evaluates it, and writes one access-log entry per
person among the rows it returns, before anyone can show them. Inside a request the
entries join the request's one entry per person and purpose (``accesslog``).

- ``persons_read`` / ``person_read``: persons, or one person (404 when not visible).
- ``records_read`` / ``record_read``: rows of another model about persons (a membership
  in the KAA register, a case, a referral); ``person_field`` says which field names the
  person, and ``visible`` is the domain policy's filter when it is not the person policy.
- ``persons_written``: a write about persons, logged in the caller's transaction.
- ``persons_shown``: for what a page shows that was not read as rows here (a form that
  names the person it writes about, an export of figures computed from rows): the caller
  has already passed the policy for these persons, and says so by its argument.

This module imports no domain app: it knows models only as querysets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TypeVar

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from lotsen.accounts.actor import Actor
from lotsen.people.models import Person
from lotsen.privacy.accesslog import WRITE_ACTIONS, access_log_record
from lotsen.privacy.models import Action, Category
from lotsen.privacy.policy import PersonPolicy

RowT = TypeVar("RowT", bound=Model)

ERROR_NOT_A_WRITE = "persons_written logs writes (create, update), not '{action}'."


def _visible_persons(
    actor: Actor, *, purpose: str, category: str, today: dt.date | None
) -> QuerySet[Person]:
    return PersonPolicy(actor, today=today).persons(purpose=purpose, category=category)


def _person_id(row: Model, person_field: str) -> int | None:
    # "case__person" names the person through a relation: the id is row.case.person_id.
    # A relation left empty on the way (a handover without a case) names nobody.
    *relations, last = person_field.split("__")
    for name in relations:
        row = getattr(row, name)
        if row is None:
            return None
    return getattr(row, f"{last}_id")


def _person_ids(rows: Iterable[Model], person_field: str) -> list[int]:
    return sorted(
        {person_id for row in rows if (person_id := _person_id(row, person_field)) is not None}
    )


def _with_person_relations(queryset: QuerySet[RowT], person_field: str) -> QuerySet[RowT]:
    """Fetch the relations that lead to the person with the rows, so that finding each
    row's person for the log costs no query per row."""
    relations = person_field.rpartition("__")[0]
    return queryset.select_related(relations) if relations else queryset


def _pk(value: object) -> int:
    # An id from a URL or a form may be anything: what is not an id is missing.
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def persons_read(
    *,
    actor: Actor,
    purpose: str,
    category: str = Category.IDENTITY,
    queryset: QuerySet[Person] | None = None,
    window: slice | None = None,
    action: str = Action.VIEW,
    object_type: str = "person",
    today: dt.date | None = None,
) -> list[Person]:
    """The persons of ``queryset`` (all persons by default) that the actor may see for
    ``purpose`` in ``category``, in the queryset's order and ``window``; each is logged."""
    persons = (queryset if queryset is not None else Person.objects.all()).filter(
        PersonPolicy(actor, today=today).visible_q(purpose=purpose, category=category)
    )
    result = list(persons[window] if window is not None else persons)
    access_log_record(
        actor=actor,
        action=action,
        purpose=purpose,
        person_ids=[person.pk for person in result],
        object_type=object_type,
    )
    return result


def person_read(
    *,
    actor: Actor,
    person_id: int | str,
    purpose: str,
    category: str = Category.IDENTITY,
    queryset: QuerySet[Person] | None = None,
    action: str = Action.VIEW,
    object_type: str = "person",
    today: dt.date | None = None,
) -> Person:
    """One person the actor may see, logged; ``Http404`` for a person who is missing and
    for one who is not visible alike, so the answer tells an attacker nothing. An id that
    is not a number is missing too."""
    found = persons_read(
        actor=actor,
        purpose=purpose,
        category=category,
        queryset=(queryset if queryset is not None else Person.objects.all()).filter(
            pk=_pk(person_id)
        ),
        action=action,
        object_type=object_type,
        today=today,
    )
    if not found:
        raise Http404
    return found[0]


def _rows_visible(
    queryset: QuerySet[RowT],
    *,
    actor: Actor,
    purpose: str,
    category: str,
    person_field: str,
    visible: Q | None,
    today: dt.date | None,
) -> QuerySet[RowT]:
    if visible is None:
        persons = _visible_persons(actor, purpose=purpose, category=category, today=today)
        # EXISTS for the row's person rather than "person IN (every visible person)": the
        # database checks the persons of the rows asked for, not the whole scope.
        visible = Q(Exists(persons.filter(pk=OuterRef(person_field))))
    return _with_person_relations(queryset.filter(visible), person_field)


def records_read(
    queryset: QuerySet[RowT],
    *,
    actor: Actor,
    purpose: str,
    category: str = Category.IDENTITY,
    person_field: str = "person",
    visible: Q | None = None,
    window: slice | None = None,
    action: str = Action.VIEW,
    object_type: str,
    today: dt.date | None = None,
) -> list[RowT]:
    """The rows of ``queryset`` about persons the actor may reach, logged per person.

    ``visible`` is the domain policy's filter on the rows (``CasePolicy`` for cases, say);
    without it the row's person must be visible under the person policy for ``purpose``
    and ``category``. Rows whose person field is empty name nobody and are not logged.
    """
    rows = _rows_visible(
        queryset, actor=actor, purpose=purpose, category=category,
        person_field=person_field, visible=visible, today=today,
    )  # fmt: skip
    result = list(rows[window] if window is not None else rows)
    access_log_record(
        actor=actor,
        action=action,
        purpose=purpose,
        person_ids=_person_ids(result, person_field),
        object_type=object_type,
    )
    return result


def record_read(
    queryset: QuerySet[RowT],
    *,
    actor: Actor,
    purpose: str,
    category: str = Category.IDENTITY,
    person_field: str = "person",
    visible: Q | None = None,
    action: str = Action.VIEW,
    object_type: str,
    today: dt.date | None = None,
) -> RowT:
    """The one row of ``queryset`` (filter it by id first) the actor may reach, logged
    with its id; ``Http404`` when it is missing or out of reach alike."""
    rows = list(
        _rows_visible(
            queryset, actor=actor, purpose=purpose, category=category,
            person_field=person_field, visible=visible, today=today,
        )[:2]
    )  # fmt: skip
    if len(rows) != 1:
        raise Http404
    access_log_record(
        actor=actor,
        action=action,
        purpose=purpose,
        person_ids=_person_ids(rows, person_field),
        object_type=object_type,
        object_id=str(rows[0].pk),
    )
    return rows[0]


def persons_written(
    *,
    actor: Actor,
    action: str,
    purpose: str,
    person_ids: Iterable[int],
    object_type: str = "person",
    object_id: str = "",
) -> None:
    """A write about these persons (a contact recorded, a case opened, rows imported),
    logged at once in the caller's transaction: if the write rolls back, so does this.

    Only a write action (create, update) is accepted: a read inside a request would be
    held back until the request's flush, outside the caller's transaction."""
    if action not in WRITE_ACTIONS:
        raise ValueError(ERROR_NOT_A_WRITE.format(action=str(action)))
    access_log_record(
        actor=actor,
        action=action,
        purpose=purpose,
        person_ids=person_ids,
        object_type=object_type,
        object_id=object_id,
    )


def persons_shown(
    *,
    actor: Actor,
    purpose: str,
    person_ids: Iterable[int],
    action: str = Action.VIEW,
    object_type: str = "person",
    object_id: str = "",
) -> None:
    """Log what a page shows about persons the caller already passed the policy for (the
    person a form writes about, the rows behind an export). Not a way around the policy:
    the caller must have the persons from a door call or a policy check in hand."""
    access_log_record(
        actor=actor,
        action=action,
        purpose=purpose,
        person_ids=person_ids,
        object_type=object_type,
        object_id=object_id,
    )
