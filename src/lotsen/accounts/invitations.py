"""Invitations by e-mail for people who have no account yet.

The organisation admin names an e-mail address and a role; the invitee gets a link, chooses
a username and a password, and the role then goes the way of every other grant
(lotsen.accounts.services): a data role waits for a second administrator when four eyes
are on, and the grant trail records the acceptance and the grant. What happens before the
account exists (invited, withdrawn, expired, accepted) is recorded in InvitationEvent, by
e-mail address, in the same transaction as the change.

The link's token is shown once, in the e-mail; only its SHA-256 is stored. A token that is
unknown, used, withdrawn or expired gets one and the same answer, so a link reveals
nothing about invitations that are not its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import (
    GrantEventKind,
    GrantStatus,
    InvitationEvent,
    InvitationEventKind,
    InvitationStatus,
    Organisation,
    Role,
    RoleGrant,
    User,
    UserInvitation,
)
from lotsen.accounts.selectors import actor_is_system_admin

# The grant rules and their trail have one home; an invitation follows them rather than
# copying them.
from lotsen.accounts.services import (
    ERROR_ROLE_NOT_GRANTABLE,
    ERROR_SELF_GRANT,
    GRANTABLE_ROLES,
    SYSTEM_GRANTABLE_ROLES,
    _event_record,
    _membership_create,
    _require_admin_of,
    data_roles,
)

ERROR_EMAIL_HAS_ACCOUNT = (
    "Det finns redan ett konto med den e-postadressen. "
    "Lägg till personen med sitt användarnamn i stället."
)
ERROR_ALREADY_INVITED = "Den e-postadressen har redan en inbjudan till den rollen här."
ERROR_NOT_OPEN = "Inbjudan går inte längre att återkalla."

INVITATION_SUBJECT = "Du är inbjuden till Lotsen"
INVITATION_BODY = (
    "Hej!\n\n"
    "Du har bjudits in att använda Lotsen i {organisation}, som {role}.\n\n"
    "Välj ett användarnamn och ett lösenord här:\n{link}\n\n"
    "Länken gäller till och med {day} och kan användas en gång. "
    "Om du inte väntade dig inbjudan kan du strunta i meddelandet.\n\n"
    "Svara inte på meddelandet.\n"
)

# What a token in a link can look like (secrets.token_urlsafe(32) gives 43 characters):
# anything else is not looked up at all.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")


def _new_token() -> str:
    # A run of digits in a link can read as a personnummer to a municipality's mail filter
    # (and to our own scan of every mail): such a token, rare as it is, is drawn again.
    while True:
        token = secrets.token_urlsafe(32)
        if not re.search(r"\d{6}", token):
            return token


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def _invitation_event(
    *, event: str, invitation: UserInvitation, actor_user: User | None, username: str = ""
) -> InvitationEvent:
    return InvitationEvent.objects.create(
        event=event,
        actor_user=actor_user,
        actor_username=actor_user.username if actor_user else "",
        email=invitation.email,
        username=username,
        organisation=invitation.organisation,
        organisation_name=invitation.organisation.name,
        role=invitation.role,
        invitation=invitation,
    )


def _normalise_email(email: str) -> str:
    # Addresses are compared without regard to case, as mail servers in practice do.
    return email.strip().lower()


def _expire_stale(*, now: dt.datetime, **lookup) -> int:
    """Mark open invitations whose time has run out as expired, each with its trail entry."""
    stale = (
        UserInvitation.objects.select_for_update()
        .filter(status=InvitationStatus.OPEN, expires_at__lte=now, **lookup)
        .select_related("organisation")
    )
    count = 0
    for invitation in stale:
        invitation.status = InvitationStatus.EXPIRED
        invitation.answered_at = now
        invitation.save(update_fields=["status", "answered_at"])
        _invitation_event(event=InvitationEventKind.EXPIRED, invitation=invitation, actor_user=None)
        count += 1
    return count


def invitation_message(*, invitation: UserInvitation, token: str) -> EmailMessage:
    """The invitation e-mail: the organisation, the role and the link, nothing else."""
    link = settings.LOTSEN_BASE_URL.rstrip("/") + reverse(
        "accounts:user_invitation_open", args=[token]
    )
    body = INVITATION_BODY.format(
        organisation=invitation.organisation.name,
        role=invitation.get_role_display(),
        link=link,
        day=timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d"),
    )
    return EmailMessage(subject=INVITATION_SUBJECT, body=body, to=[invitation.email])


@transaction.atomic
def user_invitation_create(
    *, actor: Actor, organisation: Organisation, email: str, role: str
) -> UserInvitation:
    """Invite ``email`` to ``role`` in the organisation; the e-mail leaves once the
    transaction has committed.

    The rules of a grant hold before anybody is asked: only the organisation's admin (or a
    system admin) invites, only grantable roles, and nobody invites their own address to a
    role that reaches personal data. An address that already has an account is added by
    username instead, so that one person does not end up with two accounts.
    """
    _require_admin_of(actor, organisation)
    grantable = SYSTEM_GRANTABLE_ROLES if actor_is_system_admin(actor) else GRANTABLE_ROLES
    if role not in grantable:
        raise ValidationError({"role": ERROR_ROLE_NOT_GRANTABLE})
    email = _normalise_email(email)
    if role in data_roles() and actor.user.email and _normalise_email(actor.user.email) == email:
        raise ValidationError({"email": ERROR_SELF_GRANT})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": ERROR_EMAIL_HAS_ACCOUNT})
    now = timezone.now()
    _expire_stale(now=now, email=email, organisation=organisation, role=role)
    if UserInvitation.objects.filter(
        email=email, organisation=organisation, role=role, status=InvitationStatus.OPEN
    ).exists():
        raise ValidationError({"email": ERROR_ALREADY_INVITED})

    token = _new_token()
    invitation = UserInvitation.objects.create(
        email=email,
        organisation=organisation,
        role=role,
        token_hash=token_hash(token),
        invited_by=actor.user,
        invited_at=now,
        expires_at=now + dt.timedelta(days=settings.LOTSEN_USER_INVITATION_DAYS),
    )
    _invitation_event(
        event=InvitationEventKind.INVITED, invitation=invitation, actor_user=actor.user
    )
    message = invitation_message(invitation=invitation, token=token)
    transaction.on_commit(lambda: message.send())
    return invitation


@transaction.atomic
def user_invitation_withdraw(*, actor: Actor, invitation: UserInvitation) -> UserInvitation:
    invitation = (
        UserInvitation.objects.select_for_update()
        .select_related("organisation")
        .get(pk=invitation.pk)
    )
    _require_admin_of(actor, invitation.organisation)
    if invitation.status != InvitationStatus.OPEN:
        raise ValidationError(ERROR_NOT_OPEN)
    invitation.status = InvitationStatus.WITHDRAWN
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    _invitation_event(
        event=InvitationEventKind.WITHDRAWN, invitation=invitation, actor_user=actor.user
    )
    return invitation


def _open_invitations() -> QuerySet[UserInvitation]:
    return UserInvitation.objects.filter(
        status=InvitationStatus.OPEN, expires_at__gt=timezone.now()
    )


def user_invitation_get_by_token(*, token: str) -> UserInvitation:
    """The open invitation the token belongs to; 404 alike for a malformed, unknown, used,
    withdrawn or expired token."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        raise Http404
    invitation = (
        _open_invitations()
        .filter(token_hash=token_hash(token))
        .select_related("organisation")
        .first()
    )
    if invitation is None:
        raise Http404
    return invitation


def user_invitation_open_for_admin(*, actor: Actor) -> QuerySet[UserInvitation]:
    """The organisation admin's invitations that wait for an answer."""
    if actor.role != Role.ORGANISATION_ADMIN or actor.organisation is None:
        return UserInvitation.objects.none()
    return (
        _open_invitations()
        .filter(organisation=actor.organisation)
        .select_related("invited_by")
        .order_by("expires_at", "pk")
    )


def user_invitation_get_for_admin(*, actor: Actor, invitation_id: int) -> UserInvitation:
    invitation = user_invitation_open_for_admin(actor=actor).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    return invitation


def invitation_event_list_for(*, actor: Actor) -> QuerySet[InvitationEvent]:
    """The invitation trail of the admin's own organisation; all of it for a system admin."""
    if actor_is_system_admin(actor):
        return InvitationEvent.objects.all()
    if actor.role != Role.ORGANISATION_ADMIN or actor.organisation is None:
        return InvitationEvent.objects.none()
    return InvitationEvent.objects.filter(organisation_id=actor.organisation.pk)


@transaction.atomic
def user_invitation_accept(*, token: str, username: str, password: str) -> RoleGrant:
    """Make the invitee's account and start the grant: a membership at once, or a request
    that waits for a second administrator (four eyes, as for any data role).

    The invitation is locked and checked again here: two tabs, or a withdrawal while the
    form was open, must not make two accounts or accept a withdrawn invitation.
    """
    invitation = (
        _open_invitations()
        # Only the invitation's row: the inviter (an outer join) is read, not locked.
        .select_for_update(of=("self",))
        .filter(token_hash=token_hash(token))
        .select_related("organisation", "invited_by")
        .first()
    )
    if invitation is None:
        raise Http404
    now = timezone.now()
    user = User(username=username, email=invitation.email)
    user.set_password(password)
    user.full_clean()
    user.save()
    invitation.status = InvitationStatus.ACCEPTED
    invitation.answered_at = now
    invitation.user = user
    invitation.save(update_fields=["status", "answered_at", "user"])
    _invitation_event(
        event=InvitationEventKind.ACCEPTED,
        invitation=invitation,
        actor_user=user,
        username=user.username,
    )

    needs_approval = invitation.role in data_roles() and settings.LOTSEN_GRANTS_FOUR_EYES
    grant = RoleGrant.objects.create(
        user=user,
        organisation=invitation.organisation,
        role=invitation.role,
        # The inviter asked for the role: they cannot be the second pair of eyes.
        requested_by=invitation.invited_by,
        requested_at=invitation.invited_at,
        status=GrantStatus.AWAITING_APPROVAL,
        needs_approval=needs_approval,
        # Accepted already: once approved, the grant becomes a membership directly.
        is_invitation=False,
        answered_at=now,
    )
    _event_record(event=GrantEventKind.ACCEPTED, actor_user=user, grant=grant)
    if needs_approval:
        _event_record(event=GrantEventKind.REQUESTED, actor_user=invitation.invited_by, grant=grant)
    else:
        _membership_create(grant=grant, actor_user=user, now=now)
    return grant


@transaction.atomic
def user_invitations_retention() -> int:
    """Expired invitations are deleted (their trail stays): first the open ones that ran
    out are recorded as expired, then every invitation past its time goes, whatever became
    of it, since its token hash and address serve no purpose any more."""
    now = timezone.now()
    _expire_stale(now=now)
    deleted, _ = UserInvitation.objects.filter(expires_at__lte=now).delete()
    return deleted
