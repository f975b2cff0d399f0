"""The registry of notification kinds, filled by the apps that send them.

A kind has a Swedish title that is all an e-mail says about the thing ("Du har en ny remiss
i Lotsen"), and ``visible_ids(actor)``: the ids of the things of this kind the actor may
see now, as a queryset of ids (``values("pk")``) or any iterable of ids. It is asked
whenever notifications are listed, counted or e-mailed, so a notification about something
the user can no longer reach is neither shown nor sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from lotsen.accounts.actor import Actor

KIND_ALREADY_REGISTERED = "En annan notistyp är redan registrerad med namnet {name!r}."
KIND_UNKNOWN = "Okänd notistyp: {name!r}."


@dataclass(frozen=True)
class NotificationKind:
    name: str
    # Swedish, shown in the centre and as the e-mail's subject: never anything about a
    # young person, since an e-mail leaves the system unencrypted.
    title: str
    visible_ids: Callable[[Actor], QuerySet | Iterable[int]]
    # The roles that receive this kind, so that the preferences page offers only what a
    # user can get; empty means everyone.
    for_roles: frozenset[str] = frozenset()


# Name -> kind, keyed by name so that a ready() run twice registers a kind once.
_KINDS: dict[str, NotificationKind] = {}


def register_kind(kind: NotificationKind) -> NotificationKind:
    existing = _KINDS.get(kind.name)
    if existing is not None and existing != kind:
        raise ValueError(KIND_ALREADY_REGISTERED.format(name=kind.name))
    _KINDS[kind.name] = kind
    return kind


def kind_get(name: str) -> NotificationKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise ValueError(KIND_UNKNOWN.format(name=name)) from None


def registered_kinds() -> tuple[NotificationKind, ...]:
    return tuple(sorted(_KINDS.values(), key=lambda kind: kind.name))


# What a notification of a kind no longer registered (an app taken out) is called.
UNKNOWN_KIND_TITLE = "Något har hänt i Lotsen"


def kind_title(name: str) -> str:
    kind = _KINDS.get(name)
    return str(kind.title) if kind is not None else UNKNOWN_KIND_TITLE
