"""Writes: sending notifications, marking them read, the user's e-mail choices, the
immediate e-mail and the daily digest.

``notify`` is what other apps call, inside the transaction of the change it is about: the
rows are written with the change (and rolled back with it), and the immediate e-mails are
sent only once that transaction has committed (``transaction.on_commit``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from lotsen.accounts.models import User
from lotsen.notifications.kinds import kind_get
from lotsen.notifications.mail import digest_message, immediate_message
from lotsen.notifications.models import (
    Delivery,
    DigestSent,
    Notification,
    NotificationPreference,
)
from lotsen.notifications.selectors import (
    deliveries_for,
    delivery_of,
    notifications_visible_to_user,
)

ERROR_URL = "Länken i en notis ska vara en sökväg i Lotsen, till exempel /arenden/remiss/12/."
ERROR_DELIVERY = "Välj hur du vill få notiser: {value!r} finns inte."


def _local_url(url: str) -> str:
    # A path on this site only: an e-mail must never carry a link elsewhere, and a path
    # (never a query with data) is all a thing's page needs.
    if not url.startswith("/") or url.startswith("//") or "?" in url:
        raise ValueError(ERROR_URL)
    return url


def notify(*, users: Iterable[User], kind: str, url: str, object_id: int) -> list[Notification]:
    """Tell ``users`` that something of ``kind`` happened to the thing ``object_id``.

    Call it inside the transaction of the change. Users who chose immediate e-mail for
    the kind get one after the commit, if they may still see the thing then."""
    kind_get(kind)  # an unknown kind is a programming error, found at once
    url = _local_url(url)
    recipients = {user.pk: user for user in users if user is not None and user.is_active}
    if not recipients:
        return []
    now = timezone.now()
    created = Notification.objects.bulk_create(
        Notification(user_id=user_id, kind=kind, object_id=object_id, url=url, created_at=now)
        for user_id in sorted(recipients)
    )
    deliveries = deliveries_for(user_ids=recipients, kind=kind)
    immediate = [
        notification.pk
        for notification in created
        if delivery_of(deliveries, user_id=notification.user_id, kind=kind) == Delivery.IMMEDIATE
    ]
    if immediate:
        # robust: a mail server that is down must not turn a saved referral into an
        # error page; what did not go out goes with the next digest.
        transaction.on_commit(
            partial(notifications_email_immediate, notification_ids=immediate), robust=True
        )
    return created


def notify_each(*, kind: str, targets: Iterable[tuple[int, str, Iterable[int]]]) -> int:
    """``notify`` for many things at once, in a constant number of queries: ``targets``
    are (object id, url, user ids). For jobs that raise or find many things in one go
    (signals computed, follow-ups falling due), inside their transaction like ``notify``.
    Returns the number of notifications written."""
    kind_get(kind)
    wanted = [(object_id, _local_url(url), set(user_ids)) for object_id, url, user_ids in targets]
    all_ids = set().union(*(ids for _, _, ids in wanted)) if wanted else set()
    active = set(User.objects.filter(pk__in=all_ids, is_active=True).values_list("pk", flat=True))
    if not active:
        return 0
    now = timezone.now()
    created = Notification.objects.bulk_create(
        Notification(user_id=user_id, kind=kind, object_id=object_id, url=url, created_at=now)
        for object_id, url, user_ids in wanted
        for user_id in sorted(user_ids & active)
    )
    deliveries = deliveries_for(user_ids=active, kind=kind)
    immediate = [
        n.pk
        for n in created
        if delivery_of(deliveries, user_id=n.user_id, kind=kind) == Delivery.IMMEDIATE
    ]
    if immediate:
        transaction.on_commit(
            partial(notifications_email_immediate, notification_ids=immediate), robust=True
        )
    return len(created)


def notified_object_ids(*, kind: str, object_ids: Iterable[int]) -> set[int]:
    """Which of ``object_ids`` have had a notification of ``kind``: what makes a nightly
    reminder job send each reminder once however often it runs."""
    return set(
        Notification.objects.filter(kind=kind, object_id__in=list(object_ids)).values_list(
            "object_id", flat=True
        )
    )


def notifications_email_immediate(*, notification_ids: Iterable[int]) -> int:
    """E-mail each notification that has not gone out, to a user with an address who may
    still see its thing. Each is claimed before it is sent, so it goes out once."""
    sent = 0
    pending = Notification.objects.filter(
        pk__in=list(notification_ids), emailed_at__isnull=True
    ).select_related("user")
    for notification in pending:
        user = notification.user
        if not user.email:
            continue
        visible = notifications_visible_to_user(
            user=user, queryset=Notification.objects.filter(pk=notification.pk)
        )
        if not visible.exists():
            continue
        with transaction.atomic():
            claimed = Notification.objects.filter(
                pk=notification.pk, emailed_at__isnull=True
            ).update(emailed_at=timezone.now())
            if claimed:
                # Sent inside the claim's transaction: if sending fails the claim is undone
                # and the digest takes the notification.
                immediate_message(notification).send()
                sent += 1
    return sent


def send_digests(*, now: dt.datetime | None = None) -> int:
    """The daily digest, for the scheduler: to each user, one e-mail with every
    notification not yet e-mailed or read that they may still see and want e-mailed.

    Idempotent: a digest goes to a user at most once per day (``DigestSent``), however
    often this runs; a notification goes out once. Returns the number of digests sent."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    pending = Notification.objects.filter(
        emailed_at__isnull=True, read_at__isnull=True, created_at__lte=now
    )
    already = DigestSent.objects.filter(day=day).values("user_id")
    user_ids = list(
        pending.exclude(user_id__in=already)
        .filter(user__is_active=True)
        .exclude(user__email="")
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")
    )
    deliveries = deliveries_for(user_ids=user_ids)
    sent = 0
    for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
        items = [
            notification
            for notification in notifications_visible_to_user(user=user, queryset=pending)
            if delivery_of(deliveries, user_id=user.pk, kind=notification.kind) != Delivery.NONE
        ]
        if items and _digest_send(user=user, day=day, items=items, now=now):
            sent += 1
    return sent


def _digest_send(*, user: User, day: dt.date, items: list[Notification], now) -> bool:
    try:
        with transaction.atomic():
            # The unique row is the lock: a second run the same day (or one running at the
            # same time) fails here and sends nothing.
            DigestSent.objects.create(user=user, day=day, sent_at=now, items=len(items))
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
            digest_message(email=user.email, notifications=items).send()
    except IntegrityError:
        return False
    return True


def notification_mark_read(*, user: User, notification_id: int | str) -> Notification:
    """Mark one of the user's own notifications read; 404 for anyone else's."""
    try:
        pk = int(notification_id)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    notification = Notification.objects.filter(user=user, pk=pk).first()
    if notification is None:
        raise Http404
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notification_preferences_set(*, user: User, choices: Mapping[str, str]) -> None:
    """Save the user's delivery per kind; every value is checked before anything is saved."""
    errors = {}
    for kind, delivery in choices.items():
        kind_get(kind)
        if delivery not in Delivery.values:
            errors[kind] = ERROR_DELIVERY.format(value=delivery)
    if errors:
        raise ValidationError(errors)
    for kind, delivery in choices.items():
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"delivery": delivery}
        )
