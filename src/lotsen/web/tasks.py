"""The start page's "to do" list: a composite of support, early warning and programmes.

Support owns its own tasks (follow-ups due, referrals waiting for an answer, consents
about to expire) and lists them in ``case_tasks_for``. The signals assigned to the actor
and participants' six-month follow-ups belong to other apps, and support may not import
them, so the list that shows all three together is put together here, on the top floor.
Each part reads through the door (``lotsen.privacy.door``) and logs the persons it shows.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.earlywarning.models import SignalStatus
from lotsen.earlywarning.selectors import objections_waiting_for, signals_visible_to
from lotsen.earlywarning.services import SCHOOL_ROLES
from lotsen.privacy.door import records_read
from lotsen.privacy.models import Category, Purpose
from lotsen.programmes.indicators import FOLLOWUP_MONTHS, add_months
from lotsen.programmes.selectors import followups_due_for
from lotsen.support.selectors import Task, case_tasks_for


def tasks_for(*, actor: Actor, today: dt.date | None = None) -> list[Task]:
    """The actor's "to do" list: follow-ups due, referrals waiting for an answer, signals
    assigned, consents about to expire on the organisation's cases, and (for project
    leaders) participants' six-month follow-ups, earliest due first. Shows only what the
    actor may see."""
    today = today or timezone.localdate()
    # A young person's own pages have no task list, and without an organisation nothing
    # is the actor's to do.
    if actor.organisation is None or actor.role == Role.YOUNG_PERSON:
        return []
    tasks = [
        *case_tasks_for(actor=actor, today=today),
        *_signal_tasks(actor=actor),
        *_objection_tasks(actor=actor),
        *_programme_tasks(actor=actor, today=today),
    ]
    return sorted(tasks, key=lambda task: (task.due or today, task.kind))


def _signal_tasks(*, actor: Actor) -> list[Task]:
    # The signals of the actor's own school units, and the door adds the person policy
    # for school data (as signals_visible_to does) as it reads and logs them.
    signals = records_read(
        signals_visible_to(actor)
        .filter(assigned_to=actor.user)
        .exclude(status=SignalStatus.CLOSED)
        .select_related("person"),
        actor=actor,
        purpose=Purpose.SCHOOL,
        category=Category.SCHOOL,
        object_type="task_list",
    )
    return [
        Task(
            kind="signal",
            title=_("Signal: %(reason)s") % {"reason": signal.get_rule_id_display()},
            detail=signal.person.full_name,
            due=signal.due_on,
            url=reverse("signals:detail", args=[signal.pk]),
        )
        for signal in signals
    ]


def _objection_tasks(*, actor: Actor) -> list[Task]:
    """A young person said the model's assessment of them is wrong: staff at the school
    that sees the score answer (EU AI Act Art. 86). Only school roles see scores."""
    if actor.role not in SCHOOL_ROLES:
        return []
    objections = records_read(
        objections_waiting_for(actor).select_related("score__person"),
        actor=actor,
        purpose=Purpose.SCHOOL,
        category=Category.SCHOOL,
        object_type="task_list",
        person_field="score__person",
    )
    return [
        Task(
            kind="score_objection",
            title=_("Eleven säger att modellens bedömning inte stämmer"),
            detail=objection.score.person.full_name,
            due=timezone.localtime(objection.created_at).date(),
            url=reverse("web:person_detail", args=[objection.score.person_id])
            + "#modellens-bedomning",
        )
        for objection in objections
    ]


def _programme_tasks(*, actor: Actor, today: dt.date) -> list[Task]:
    """Participants' six-month follow-ups (ESF longer-term results) fall due as tasks."""
    if actor.role != Role.PROJECT_LEADER:
        return []
    return [
        Task(
            kind="participant_follow_up",
            title=_("Sexmånadersuppföljning av deltagare"),
            detail=f"{record.name}, {record.subproject_name}",
            due=add_months(record.exit_date, FOLLOWUP_MONTHS),
            url=reverse("programmes:participation_followup", args=[record.participation_id]),
        )
        for record in followups_due_for(actor=actor, today=today)
    ]
