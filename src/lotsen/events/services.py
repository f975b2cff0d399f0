"""Writes for events: an event saved by its organiser's project leader, a registration
from the public page, and attendance marked afterwards.

Registrations name professionals, not young people, so nothing here goes through the
person policy; who may change what is decided by ``programmes.policy.ProgrammePolicy``:
project leaders create events for their organisation and change the ones it organises.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Organisation
from lotsen.events.mail import registration_confirmation_send
from lotsen.events.models import RESERVED_SLUGS, Audience, Event, Registration
from lotsen.events.selectors import programmes_for
from lotsen.programmes.models import Programme
from lotsen.programmes.policy import ProgrammePolicy

ERROR_NOT_PROJECT_LEADER = "Bara projektledare i den arrangerande organisationen kan göra detta."
ERROR_PROGRAMME = "Välj ett program som din organisation deltar i."
ERROR_REGISTRATION_CLOSED = "Anmälan till evenemanget är stängd."
ERROR_NOT_FOR_PROFESSIONALS = "Evenemanget är inte öppet för anmälan av yrkesverksamma."
ERROR_EVENT_PAST = "Evenemanget har redan ägt rum."
ERROR_EVENT_FULL = "Evenemanget är fullbokat. Det finns inga platser kvar."
ERROR_DUPLICATE_EMAIL = "Den e-postadressen är redan anmäld till evenemanget."
ERROR_CAPACITY_BELOW_REGISTERED = (
    "Det finns redan {count} anmälda. Antalet platser kan inte vara färre än så."
)
ERROR_ATTENDANCE_BEFORE_START = "Närvaro kan markeras först när evenemanget har börjat."

SLUG_LENGTH = 60


def event_slug_for(title: str, *, starts_at: dt.datetime, exclude_pk: int | None) -> str:
    """A readable, unique address: the title, then the date when the title is taken."""
    base = slugify(title)[:SLUG_LENGTH].strip("-") or "evenemang"
    day = timezone.localtime(starts_at).date().isoformat()
    taken = Event.objects.exclude(pk=exclude_pk)
    candidates = [base, f"{base}-{day}", *(f"{base}-{day}-{n}" for n in range(2, 1000))]
    for candidate in candidates:
        if candidate not in RESERVED_SLUGS and not taken.filter(slug=candidate).exists():
            return candidate
    raise ValidationError({"title": "Välj en annan rubrik."})


@transaction.atomic
def event_save(
    *,
    actor: Actor,
    event: Event | None = None,
    title: str,
    programme: Programme | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    format: str,  # noqa: A002 - the model's field name
    audience: str,
    location: str = "",
    link: str = "",
    description: str = "",
    capacity: int | None = None,
    registration_open: bool = False,
) -> Event:
    """Create an event organised by the actor's organisation, or change one of its own."""
    policy = ProgrammePolicy(actor)
    if event is None:
        if not policy.may_create():
            raise PermissionDenied(ERROR_NOT_PROJECT_LEADER)
        event = Event(organiser=actor.organisation)
    elif not policy.acts_for(event.organiser_id):
        raise PermissionDenied(ERROR_NOT_PROJECT_LEADER)
    if programme is not None and not programmes_for(actor).filter(pk=programme.pk).exists():
        raise ValidationError({"programme": ERROR_PROGRAMME})
    if event.pk and capacity is not None:
        registered = event.registrations.count()
        if capacity < registered:
            raise ValidationError(
                {"capacity": ERROR_CAPACITY_BELOW_REGISTERED.format(count=registered)}
            )
    title = " ".join(title.split())
    if not event.slug or event.title != title:
        event.slug = event_slug_for(title, starts_at=starts_at, exclude_pk=event.pk)
    event.title = title
    event.programme = programme
    event.starts_at = starts_at
    event.ends_at = ends_at
    event.format = format
    event.audience = audience
    event.location = location.strip()
    event.link = link.strip()
    event.description = description.strip()
    event.capacity = capacity
    event.registration_open = registration_open
    event.full_clean()
    event.save()
    return event


def _organisation_named(name: str) -> Organisation | None:
    """The organisation with exactly this name, when there is exactly one."""
    matches = list(Organisation.objects.filter(name__iexact=name.strip())[:2])
    return matches[0] if len(matches) == 1 else None


@transaction.atomic
def registration_create(
    *, event: Event, name: str, email: str, organisation_name: str, role: str
) -> Registration:
    """A professional registers on the public page. Checked under a lock on the event, so
    two people cannot both take the last place."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.audience != Audience.PROFESSIONALS:
        raise ValidationError(ERROR_NOT_FOR_PROFESSIONALS)
    if not event.registration_open:
        raise ValidationError(ERROR_REGISTRATION_CLOSED)
    if event.starts_at <= timezone.now():
        raise ValidationError(ERROR_EVENT_PAST)
    if event.capacity is not None and event.registrations.count() >= event.capacity:
        raise ValidationError(ERROR_EVENT_FULL)
    email = email.strip().lower()
    if event.registrations.filter(email=email).exists():
        raise ValidationError({"email": ERROR_DUPLICATE_EMAIL})
    organisation_name = " ".join(organisation_name.split())
    registration = Registration(
        event=event,
        name=" ".join(name.split()),
        email=email,
        organisation=_organisation_named(organisation_name) if organisation_name else None,
        organisation_name=organisation_name,
        role=" ".join(role.split()),
    )
    registration.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as exc:
        raise ValidationError({"email": ERROR_DUPLICATE_EMAIL}) from exc
    # After the commit, and robust: a mail server that is down must not undo a place taken.
    transaction.on_commit(partial(registration_confirmation_send, registration.pk), robust=True)
    return registration


@transaction.atomic
def attendance_mark(*, actor: Actor, event: Event, attended_ids: set[int]) -> int:
    """Mark who came: the registrations named attended, every other one did not. Returns
    the number who attended."""
    if not ProgrammePolicy(actor).acts_for(event.organiser_id):
        raise PermissionDenied(ERROR_NOT_PROJECT_LEADER)
    if event.starts_at > timezone.now():
        raise ValidationError(ERROR_ATTENDANCE_BEFORE_START)
    registrations = event.registrations.all()
    came = registrations.filter(pk__in=attended_ids).update(attended=True)
    registrations.filter(~Q(pk__in=attended_ids)).update(attended=False)
    return came
