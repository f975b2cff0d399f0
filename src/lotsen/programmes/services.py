"""Writes for programmes: participations (entry, exit, six-month follow-up).

Only the sub-project's team writes (``programmes.policy``: a project leader whose
organisation leads the programme, leads the sub-project or takes part in it). Every write
records an access-log entry through the door in the same transaction, naming the person
by id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from lotsen.accounts.actor import Actor
from lotsen.people.models import Gender, Person
from lotsen.privacy.door import persons_written
from lotsen.privacy.models import Action, Purpose
from lotsen.programmes.models import Participation, ParticipationGender, SubProject
from lotsen.programmes.policy import ProgrammePolicy

ERROR_NOT_TEAM = "Bara projektledare i delprojektets organisationer kan registrera deltagare."
ERROR_GENDER = "Ange kön: kvinna, man eller icke-binär."
ERROR_NAME = "Ange deltagarens förnamn och efternamn."
ERROR_ENTRY_OUTSIDE = "Startdatumet ska ligga inom delprojektets period ({start} – {end})."
ERROR_ENTRY_FUTURE = "Startdatumet kan inte ligga i framtiden."
ERROR_EXIT_FUTURE = "Slutdatumet kan inte ligga i framtiden."
ERROR_EXIT_REQUIRED = "Ange slutdatum."
ERROR_EXIT_STATUS_REQUIRED = "Ange situationen vid avslut."
ERROR_FOLLOWUP_NOT_EXITED = "Deltagaren har inte avslutat sitt deltagande."
ERROR_FOLLOWUP_TOO_EARLY = "Uppföljningen kan göras tidigast {date}, sex månader efter avslut."
ERROR_FOLLOWUP_REQUIRED = "Ange situationen sex månader efter avslut."
ERROR_OPEN_PARTICIPATION = (
    "Personen deltar redan i delprojektet sedan {date}. Avsluta det deltagandet först."
)

# A person's self-described gender mapped to the three groups ESF+ reports; "not stated"
# has no group and must be asked at entry.
PERSON_GENDER_TO_PARTICIPATION = {
    Gender.WOMAN: ParticipationGender.WOMAN,
    Gender.MAN: ParticipationGender.MAN,
    Gender.OTHER: ParticipationGender.NONBINARY,
}
PARTICIPATION_GENDER_TO_PERSON = {v: k for k, v in PERSON_GENDER_TO_PARTICIPATION.items()}


def _require_team(actor: Actor | None, subproject: SubProject) -> None:
    # ``actor`` is None only for imports and the demo, which record their own runs.
    if actor is not None and not ProgrammePolicy(actor).is_team_for_subproject(subproject):
        raise PermissionDenied(ERROR_NOT_TEAM)


def _log(actor: Actor | None, action: str, participation: Participation) -> None:
    if actor is not None:
        persons_written(
            actor=actor,
            action=action,
            purpose=Purpose.PROGRAMME,
            person_ids=[participation.person_id],
            object_type="participation",
            object_id=str(participation.pk),
        )


@transaction.atomic
def participation_create(
    *,
    actor: Actor | None,
    subproject: SubProject,
    person: Person,
    given_name: str,
    family_name: str,
    entry_date: dt.date,
    entry_status: str,
    gender: str = "",
    education_level: str = "",
    disability: str = "",
    foreign_background: str = "",
    methods: Iterable = (),
    today: dt.date | None = None,
) -> Participation:
    """A person enters a sub-project (or re-enters: a new row, counted once). The row keeps
    the name the project gives (``given_name``, ``family_name``), never the person's."""
    _require_team(actor, subproject)
    today = today or dt.date.today()
    given_name, family_name = given_name.strip(), family_name.strip()
    errors: dict[str, str] = {}
    if not given_name or not family_name:
        errors["given_name"] = ERROR_NAME
    # No fallback to the person's gender: the answer must not depend on what Lotsen holds.
    if not gender:
        errors["gender"] = ERROR_GENDER
    if entry_date and entry_date > today:
        errors["entry_date"] = ERROR_ENTRY_FUTURE
    elif entry_date and not (subproject.start <= entry_date <= subproject.end):
        errors["entry_date"] = ERROR_ENTRY_OUTSIDE.format(
            start=subproject.start.isoformat(), end=subproject.end.isoformat()
        )
    open_row = Participation.objects.filter(
        person=person, subproject=subproject, exit_date__isnull=True
    ).first()
    if open_row is not None:
        errors["entry_date"] = ERROR_OPEN_PARTICIPATION.format(date=open_row.entry_date.isoformat())
    if errors:
        raise ValidationError(errors)
    participation = Participation(
        person=person,
        subproject=subproject,
        given_name=given_name,
        family_name=family_name,
        gender=gender,
        entry_date=entry_date,
        entry_status=entry_status,
        education_level=education_level or "",
        disability=disability or "",
        foreign_background=foreign_background or "",
    )
    participation.full_clean()
    participation.save()
    if methods:
        participation.methods.set(methods)
    _log(actor, Action.CREATE, participation)
    return participation


@transaction.atomic
def participation_update(
    *,
    actor: Actor | None,
    participation: Participation,
    given_name: str,
    family_name: str,
    gender: str,
    entry_date: dt.date,
    entry_status: str,
    education_level: str = "",
    disability: str = "",
    foreign_background: str = "",
    methods: Iterable | None = None,
) -> Participation:
    """Correct or complete the entry data, the project's name for the participant
    included. The name is the participation's own: the person's is never touched."""
    _require_team(actor, participation.subproject)
    given_name, family_name = given_name.strip(), family_name.strip()
    errors: dict[str, str] = {}
    if not given_name:
        errors["given_name"] = ERROR_NAME
    if not family_name:
        errors["family_name"] = ERROR_NAME
    if not gender:
        errors["gender"] = ERROR_GENDER
    subproject = participation.subproject
    if entry_date and not (subproject.start <= entry_date <= subproject.end):
        errors["entry_date"] = ERROR_ENTRY_OUTSIDE.format(
            start=subproject.start.isoformat(), end=subproject.end.isoformat()
        )
    if errors:
        raise ValidationError(errors)
    participation.given_name = given_name
    participation.family_name = family_name
    participation.gender = gender
    participation.entry_date = entry_date
    participation.entry_status = entry_status
    participation.education_level = education_level or ""
    participation.disability = disability or ""
    participation.foreign_background = foreign_background or ""
    participation.full_clean()
    participation.save()
    if methods is not None:
        participation.methods.set(methods)
    _log(actor, Action.UPDATE, participation)
    return participation


@transaction.atomic
def participation_exit(
    *,
    actor: Actor | None,
    participation: Participation,
    exit_date: dt.date | None,
    exit_status: str,
    today: dt.date | None = None,
) -> Participation:
    """The participant leaves, with the situation upon leaving (within four weeks)."""
    _require_team(actor, participation.subproject)
    today = today or dt.date.today()
    errors: dict[str, str] = {}
    if not exit_date:
        errors["exit_date"] = ERROR_EXIT_REQUIRED
    elif exit_date > today:
        errors["exit_date"] = ERROR_EXIT_FUTURE
    if not exit_status:
        errors["exit_status"] = ERROR_EXIT_STATUS_REQUIRED
    if errors:
        raise ValidationError(errors)
    participation.exit_date = exit_date
    participation.exit_status = exit_status
    participation.full_clean()
    participation.save()
    _log(actor, Action.UPDATE, participation)
    return participation


@transaction.atomic
def participation_followup(
    *,
    actor: Actor | None,
    participation: Participation,
    followup_6m_status: str,
    today: dt.date | None = None,
) -> Participation:
    """Record the situation six months after leaving."""
    from lotsen.programmes.indicators import add_months

    _require_team(actor, participation.subproject)
    today = today or dt.date.today()
    if participation.exit_date is None:
        raise ValidationError({"followup_6m_status": ERROR_FOLLOWUP_NOT_EXITED})
    due = add_months(participation.exit_date, 6)
    # A little early is fine (the task falls due two weeks before), not months early.
    if due - dt.timedelta(days=14) > today:
        raise ValidationError(
            {"followup_6m_status": ERROR_FOLLOWUP_TOO_EARLY.format(date=due.isoformat())}
        )
    if not followup_6m_status:
        raise ValidationError({"followup_6m_status": ERROR_FOLLOWUP_REQUIRED})
    participation.followup_6m_status = followup_6m_status
    participation.full_clean()
    participation.save()
    _log(actor, Action.UPDATE, participation)
    return participation


ERROR_HOME_MUNICIPALITY = "Ange folkbokföringskommun (fyra siffror)."


@transaction.atomic
def participant_enrol(
    *,
    actor: Actor,
    subproject: SubProject,
    personal_identity_number: str,
    given_name: str,
    family_name: str,
    home_municipality_code: str,
    gender: str,
    entry_date: dt.date,
    entry_status: str,
    education_level: str = "",
    disability: str = "",
    foreign_background: str = "",
    methods: Iterable = (),
    today: dt.date | None = None,
) -> Participation:
    """A young person starts in a sub-project, under the name the project gives.

    The person is linked by personnummer (so they are counted once per sub-project and
    across sub-projects), or created when Lotsen does not know them yet. Both ways ask for
    the same fields and give the same answers: the form must not tell a project leader
    whether Lotsen knows a personnummer, nor the name it holds (issue 10). The number is
    never echoed in an error."""
    from lotsen.accounts.codes import is_municipality_code
    from lotsen.people.identity import InvalidIdentityNumber, parse_identity_number
    from lotsen.people.services import person_create

    _require_team(actor, subproject)
    errors: dict[str, str] = {}
    number = None
    try:
        number = parse_identity_number(personal_identity_number)
    except InvalidIdentityNumber as exc:
        errors["personal_identity_number"] = str(exc)
    if not given_name.strip() or not family_name.strip():
        errors["given_name"] = ERROR_NAME
    if not is_municipality_code(home_municipality_code):
        errors["home_municipality_code"] = ERROR_HOME_MUNICIPALITY
    if errors:
        raise ValidationError(errors)
    person = Person.objects.filter(personal_identity_number=number.normalized).first()
    if person is None:
        # Whatever the outcome below, the person row is rolled back with the transaction:
        # a rejected enrolment leaves nothing behind for either kind of number.
        person = person_create(
            actor=actor,
            purpose=Purpose.PROGRAMME,
            personal_identity_number=number.normalized,
            given_name=given_name.strip(),
            family_name=family_name.strip(),
            home_municipality_code=home_municipality_code,
            gender=PARTICIPATION_GENDER_TO_PERSON.get(gender, Gender.NOT_STATED),
        )
    return participation_create(
        actor=actor,
        subproject=subproject,
        person=person,
        given_name=given_name,
        family_name=family_name,
        gender=gender,
        entry_date=entry_date,
        entry_status=entry_status,
        education_level=education_level,
        disability=disability,
        foreign_background=foreign_background,
        methods=methods,
        today=today,
    )
