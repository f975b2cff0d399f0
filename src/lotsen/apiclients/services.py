"""Creating and revoking machine clients (see ``lotsen.apiclients.models``)."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_id, generate_client_secret
from oauth2_provider.models import get_application_model

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, Organisation, Role, User
from lotsen.accounts.selectors import actor_is_system_admin, organisation_ids_overseen_by
from lotsen.apiclients.areas import SCOPES
from lotsen.apiclients.models import MAX_NAME, ApiClient

# A client works in a staff role; administration and the young person's own access are
# never handed to a machine.
CLIENT_ROLES = [
    r for r in Role if r not in (Role.SYSTEM_ADMIN, Role.ORGANISATION_ADMIN, Role.YOUNG_PERSON)
]

# The level of assurance on the access-log entries of a client's requests: no person
# logged in. It is no level the settings rank, so it ranks below every login and data
# that needs a stronger login (health-related notes) stays closed to clients.
ASSURANCE_API_CLIENT = "api_client"

ERROR_NAME = "Ge klienten ett namn."
ERROR_NAME_LONG = f"Namnet får vara högst {MAX_NAME} tecken."
ERROR_ROLE = "En klient kan inte få den rollen."
ERROR_SCOPES = "Välj minst en behörighet."
ERROR_SCOPE_UNKNOWN = "Okänd behörighet: {scope}."
ERROR_NOT_ALLOWED = (
    "Bara en systemadministratör eller organisationens administratör kan hantera klienter."
)
ERROR_ALREADY_REVOKED = "Klienten är redan återkallad."


def api_client_may_manage(*, actor: Actor, organisation: Organisation) -> bool:
    """A system admin manages every client; an organisation admin those of their own
    organisation and the ones below it."""
    if actor_is_system_admin(actor):
        return True
    return actor.role == Role.ORGANISATION_ADMIN and organisation.pk in (
        organisation_ids_overseen_by(actor=actor)
    )


def _scopes_clean(scopes) -> list[str]:
    if not isinstance(scopes, list | tuple | set | frozenset) or not scopes:
        raise ValidationError({"scopes": ERROR_SCOPES})
    for scope in scopes:
        if scope not in SCOPES:
            raise ValidationError({"scopes": ERROR_SCOPE_UNKNOWN.format(scope=str(scope)[:50])})
    # In the registry's order, each once.
    return [scope for scope in SCOPES if scope in set(scopes)]


def api_client_create(
    *, actor: Actor, name: str, organisation: Organisation, role: str, scopes
) -> tuple[ApiClient, str]:
    """Create a client, its service account and its application; return the client with
    its secret in plain text. The secret is shown once, to whoever created the client:
    only its hash is stored (django-oauth-toolkit hashes it on save)."""
    if not api_client_may_manage(actor=actor, organisation=organisation):
        raise PermissionDenied(ERROR_NOT_ALLOWED)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ERROR_NAME})
    if len(name) > MAX_NAME:
        raise ValidationError({"name": ERROR_NAME_LONG})
    if role not in CLIENT_ROLES:
        raise ValidationError({"role": ERROR_ROLE})
    scopes = _scopes_clean(scopes)
    application_model = get_application_model()
    secret = generate_client_secret()
    with transaction.atomic():
        user = User(
            username=f"api-client-{uuid.uuid4().hex[:16]}",
            first_name=name[:150],
            last_name="(API-klient)",
            is_active=False,
        )
        user.set_unusable_password()
        user.save()
        application = application_model(
            name=name,
            client_id=generate_client_id(),
            client_secret=secret,
            hash_client_secret=True,
            client_type=application_model.CLIENT_CONFIDENTIAL,
            authorization_grant_type=application_model.GRANT_CLIENT_CREDENTIALS,
            redirect_uris="",
            user=None,
        )
        application.save()
        client = ApiClient(
            name=name,
            organisation=organisation,
            role=role,
            scopes=scopes,
            application=application,
            client_id=application.client_id,
            user=user,
            created_by=actor.user,
        )
        client.full_clean()
        client.save()
    return client, secret


def api_client_revoke(*, actor: Actor, client: ApiClient) -> ApiClient:
    """Revoke at once: the application goes, and every token it was given with it."""
    if not api_client_may_manage(actor=actor, organisation=client.organisation):
        raise PermissionDenied(ERROR_NOT_ALLOWED)
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        if client.revoked_at is not None:
            raise ValidationError(ERROR_ALREADY_REVOKED)
        application = client.application
        client.revoked_at = timezone.now()
        client.revoked_by = actor.user
        client.application = None
        client.save(update_fields=["revoked_at", "revoked_by", "application"])
        if application is not None:
            application.delete()
    return client


def api_client_actor(client: ApiClient) -> Actor:
    """The client's actor: its organisation and role in the shape the policies read. The
    membership is never saved: the client is no member of the organisation."""
    membership = Membership(user=client.user, organisation=client.organisation, role=client.role)
    return Actor(
        user=client.user,
        membership=membership,
        assurance_level=ASSURANCE_API_CLIENT,
        api_client_id=client.pk,
    )
