"""Logging in through OpenID Connect: staff through their organisation's identity provider,
young people through an e-ID broker (issue 11).

The protocol is Authlib's: authorization code with PKCE (S256), ``state`` and ``nonce``
kept in the session and checked on return, the ID token's signature (the provider's JWKS),
issuer, audience and expiry verified. This module decides who the verified claims are:

- a staff provider matches one user by its configured claim (``user_claim`` against the
  username or the e-mail address), and creates a user, without any role, only when the
  provider is trusted to (``creates_users``). Roles come from an organisation admin,
  never from a claim;
- an e-ID broker states the personal identity number (or coordination number) in the
  Swedish OIDC profile's claims; it finds the Person, and the first login links a new
  account to that Person (``User.person``). Such an account acts only as the young person.

The level of assurance of the login comes from ``acr`` (``lotsen.accounts.assurance``).
A refusal raises ``LoginRefused`` with a message for the person logging in; the messages
never say whether a person exists, and identity numbers are never put in one.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.db import transaction
from joserfc.errors import JoseError

from lotsen.accounts import assurance
from lotsen.accounts.actor import Actor
from lotsen.accounts.models import (
    IdentityProvider,
    Membership,
    Organisation,
    ProviderKind,
    User,
    UserField,
)
from lotsen.people.identity import InvalidIdentityNumber, parse_identity_number
from lotsen.people.models import Guardian, GuardianAccount, Person
from lotsen.privacy.door import persons_written
from lotsen.privacy.models import Action, Purpose

# The Swedish OIDC profile (id.oidc.se): claims and the scope that asks for them.
CLAIM_PERSONAL_IDENTITY_NUMBER = "https://id.oidc.se/claim/personalIdentityNumber"
CLAIM_COORDINATION_NUMBER = "https://id.oidc.se/claim/coordinationNumber"
CLAIM_PREVIOUS_COORDINATION_NUMBER = "https://id.oidc.se/claim/previousCoordinationNumber"
SCOPE_NATURAL_PERSON_NUMBER = "https://id.oidc.se/scope/naturalPersonNumber"

ERROR_LOGIN_FAILED = (
    "Inloggningen kunde inte slutföras. Börja om från inloggningssidan och försök igen."
)
ERROR_PROVIDER_UNREACHABLE = "Inloggningstjänsten svarar inte just nu. Försök igen om en stund."
ERROR_NO_ACCOUNT = (
    "Du har inget konto i Lotsen för den här inloggningen. Be administratören i din "
    "organisation att lägga upp dig, och logga sedan in igen."
)
ERROR_AMBIGUOUS_ACCOUNT = (
    "Inloggningen passar in på flera konton i Lotsen. Kontakta administratören i din organisation."
)
ERROR_ACCOUNT_INACTIVE = "Kontot är inte aktivt. Kontakta administratören i din organisation."
ERROR_OTHER_ORGANISATION = (
    "Ditt konto i Lotsen hör till en annan organisation. Logga in med den organisationens "
    "inloggning."
)
# The same words whether the number was missing, not valid, or names no one in Lotsen:
# a login must not tell anybody whether Lotsen holds data about a person.
ERROR_EID_REFUSED = (
    "Du kan inte logga in i Lotsen med e-legitimation just nu. Fråga den som stöttar dig "
    "om du ska kunna använda Lotsen."
)


# A guardian's login: the same words whether the number is stored for a guardian or not.
ERROR_GUARDIAN_REFUSED = (
    "Du kan inte logga in som vårdnadshavare i Lotsen just nu. Om du har fått en fråga om "
    "samtycke, kontakta den som frågade."
)

# The login kinds an e-ID broker's login can be: the young person for themselves, or a
# guardian answering for a minor. The person logging in chooses; they are never mixed.
LOGIN_YOUNG_PERSON = "young_person"
LOGIN_GUARDIAN = "guardian"
GUARDIAN_PARAMETER = "vardnadshavare"  # ?som=vardnadshavare on the login link
# The login kind asked for on the way to the provider, the kind of the session's login,
# and (for a guardian) what the provider said about the login: see login_evidence.
SESSION_OIDC_KIND = "lotsen_oidc_kind"
SESSION_LOGIN_KIND = "lotsen_login_kind"
SESSION_LOGIN_EVIDENCE = "lotsen_login_evidence"


class LoginRefused(Exception):
    """The login is refused; ``str()`` is the message for the person logging in."""


@dataclass(frozen=True)
class OidcLogin:
    user: User
    assurance_level: str
    acr: str
    kind: str = ""
    # The provider's own words for this login (kept as a guardian's evidence): its
    # subject, its session (sid) when it states one, and when the person authenticated.
    subject: str = ""
    session_id: str = ""
    auth_time: int | None = None


def login_evidence(result: OidcLogin, provider: IdentityProvider) -> dict:
    """What a guardian's answer keeps of the login (JSON for the session): the provider,
    its subject and session, and when the person authenticated. No personal number."""
    return {
        "provider": provider.slug,
        "subject": result.subject,
        "session_id": result.session_id,
        "auth_time": result.auth_time,
    }


# --- The provider's client -------------------------------------------------------------------

# One Authlib client per provider and configuration, so that discovery and the provider's
# keys are fetched once, not on every login. A changed provider (updated_at) gets a new one.
_clients: dict[tuple[int, str], DjangoOAuth2App] = {}


def provider_client_secret(provider: IdentityProvider) -> str:
    if provider.client_secret_env:
        from_environment = os.environ.get(provider.client_secret_env)
        if from_environment:
            return from_environment
    return provider.client_secret


def provider_client(provider: IdentityProvider) -> DjangoOAuth2App:
    key = (provider.pk, provider.updated_at.isoformat() if provider.updated_at else "")
    client = _clients.get(key)
    if client is None:
        for stale in [k for k in _clients if k[0] == provider.pk]:
            del _clients[stale]
        metadata_url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
        client = OAuth().register(
            name=f"lotsen_{provider.slug}",
            client_id=provider.client_id,
            client_secret=provider_client_secret(provider),
            server_metadata_url=metadata_url,
            client_kwargs={"scope": provider.scopes, "code_challenge_method": "S256"},
        )
        _clients[key] = client
    return client


def provider_end_session_url(
    *, provider: IdentityProvider, post_logout_redirect_uri: str
) -> str | None:
    """Where to send the browser to log out at the provider too, or None when it offers no
    single logout. The ID token is not kept (for an e-ID login it names the personal
    identity number), so the request names the client instead (RP-Initiated Logout 1.0)."""
    try:
        client = provider_client(provider)
        if not client.load_server_metadata().get("end_session_endpoint"):
            return None
        result = client.create_logout_url(
            post_logout_redirect_uri=post_logout_redirect_uri, client_id=provider.client_id
        )
    except (requests.RequestException, ValueError, RuntimeError):
        return None
    return result["url"]


def login_redirect(*, request, provider: IdentityProvider, redirect_uri: str, acr_values: str = ""):
    """The redirect to the provider's authorization endpoint, with state, nonce and the
    PKCE challenge remembered in the session. ``acr_values`` asks for a level (a step-up,
    lotsen.accounts.mfa) instead of the provider's own default."""
    extra = {}
    if acr_values or provider.acr_values:
        extra["acr_values"] = acr_values or provider.acr_values
    try:
        return provider_client(provider).authorize_redirect(request, redirect_uri, **extra)
    except (requests.RequestException, ValueError) as exc:
        raise LoginRefused(ERROR_PROVIDER_UNREACHABLE) from exc


# --- The return from the provider -------------------------------------------------------------


def login_complete(
    *, request, provider: IdentityProvider, kind: str = LOGIN_YOUNG_PERSON
) -> OidcLogin:
    """Check the provider's answer (state, code with PKCE, ID token and nonce) and find the
    user it is about; through an e-ID broker, as the young person or as a guardian
    (``kind``). Raises LoginRefused."""
    client = provider_client(provider)
    try:
        token = client.authorize_access_token(request)
    except requests.RequestException as exc:
        raise LoginRefused(ERROR_PROVIDER_UNREACHABLE) from exc
    except (OAuthError, JoseError, ValueError, KeyError, TypeError) as exc:
        # A missing or foreign state, a code that does not match the PKCE verifier, an ID
        # token with a wrong signature, issuer, audience or nonce: all end here.
        raise LoginRefused(ERROR_LOGIN_FAILED) from exc
    id_claims = token.get("userinfo")
    if not id_claims or not id_claims.get("sub"):
        raise LoginRefused(ERROR_LOGIN_FAILED)
    claims = _with_userinfo(client, token, dict(id_claims))
    acr = str(id_claims.get("acr") or "")
    level = assurance.level_for_acr(acr, acr_levels=settings.LOTSEN_ASSURANCE_ACR_LEVELS)
    if provider.kind == ProviderKind.E_ID and kind == LOGIN_GUARDIAN:
        user = guardian_user_for_claims(claims=claims)
    elif provider.kind == ProviderKind.E_ID:
        kind = LOGIN_YOUNG_PERSON
        user = young_person_user_for_claims(claims=claims, assurance_level=level)
    else:
        kind = ""
        user = staff_user_for_claims(provider=provider, claims=claims)
    auth_time = id_claims.get("auth_time")
    return OidcLogin(
        user=user,
        assurance_level=level,
        acr=acr,
        kind=kind,
        subject=str(id_claims.get("sub"))[:255],
        session_id=str(id_claims.get("sid") or "")[:255],
        auth_time=auth_time if isinstance(auth_time, int) else None,
    )


def _with_userinfo(client: DjangoOAuth2App, token: dict, claims: dict[str, Any]) -> dict:
    """The ID token's claims, completed from the userinfo endpoint when the provider has
    one: some providers put only ``sub`` in the ID token. The ID token wins where both
    speak, and userinfo about another subject is refused."""
    if not client.load_server_metadata().get("userinfo_endpoint"):
        return claims
    try:
        userinfo = client.userinfo(token=token)
    except (requests.RequestException, OAuthError, ValueError):
        return claims
    if userinfo.get("sub") != claims.get("sub"):
        raise LoginRefused(ERROR_LOGIN_FAILED)
    return {**userinfo, **claims}


# --- Who the claims are about ----------------------------------------------------------------


def _organisation_tree_ids(organisation: Organisation) -> set[int]:
    """The organisation and every organisation under it."""
    ids = {organisation.pk}
    frontier = [organisation.pk]
    while frontier:
        frontier = list(
            Organisation.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids.update(frontier)
    return ids


def staff_user_for_claims(*, provider: IdentityProvider, claims: dict[str, Any]) -> User:
    value = claims.get(provider.user_claim)
    if not isinstance(value, str) or not value.strip():
        raise LoginRefused(ERROR_NO_ACCOUNT)
    value = value.strip()
    if provider.user_field == UserField.USERNAME:
        matches = User.objects.filter(username=value)
    else:
        matches = User.objects.filter(email__iexact=value)
    users = list(matches[:2])
    if len(users) > 1:
        raise LoginRefused(ERROR_AMBIGUOUS_ACCOUNT)
    if users:
        user = users[0]
        # A young person's own account is reached through e-ID only: a staff provider that
        # asserts its e-mail address must not turn it into a staff login.
        if user.person_id or GuardianAccount.objects.filter(user=user).exists():
            raise LoginRefused(ERROR_NO_ACCOUNT)
        if not user.is_active:
            raise LoginRefused(ERROR_ACCOUNT_INACTIVE)
        _check_provider_organisation(provider, user)
        return user
    if not provider.creates_users:
        raise LoginRefused(ERROR_NO_ACCOUNT)
    return _staff_user_create(provider=provider, value=value, claims=claims)


def _check_provider_organisation(provider: IdentityProvider, user: User) -> None:
    """A provider of one organisation speaks for that organisation's staff only: it cannot
    log in a user who holds a role somewhere else (another municipality's IdP asserting
    the same e-mail address)."""
    if provider.organisation is None:
        return
    allowed = _organisation_tree_ids(provider.organisation)
    held = set(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))
    if held - allowed:
        raise LoginRefused(ERROR_OTHER_ORGANISATION)


def _staff_user_create(*, provider: IdentityProvider, value: str, claims: dict) -> User:
    email = claims.get("email") if isinstance(claims.get("email"), str) else ""
    if provider.user_field == UserField.EMAIL:
        email = value
    username = value[:150]
    if User.objects.filter(username=username).exists():
        raise LoginRefused(ERROR_AMBIGUOUS_ACCOUNT)
    user = User(
        username=username,
        email=email or "",
        first_name=str(claims.get("given_name") or "")[:150],
        last_name=str(claims.get("family_name") or "")[:150],
    )
    # The provider is the only way in: no password that could be guessed or reset.
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


def _person_id_for_number(raw: object) -> int | None:
    if not isinstance(raw, str) or not raw:
        return None
    try:
        number = parse_identity_number(raw)
    except InvalidIdentityNumber:
        return None
    # The login finds the person's id only: no personal data is read here, and what the
    # young person then sees of their own record goes through the door as usual.
    return (
        Person.objects.filter(personal_identity_number=number.normalized)
        .values_list("pk", flat=True)
        .first()
    )


def young_person_user_for_claims(*, claims: dict[str, Any], assurance_level: str) -> User:
    """The account of the young person the e-ID login names, linked on the first login.

    The personal identity number (or coordination number) finds the Person; a
    ``previousCoordinationNumber`` finds the record kept under a number the person no
    longer has (a coordination number, before they got a personnummer). That record then
    takes the number the e-ID states, so that the next import from the population register
    finds it, and the change is in the access log (the young person sees it).
    """
    number = claims.get(CLAIM_PERSONAL_IDENTITY_NUMBER) or claims.get(CLAIM_COORDINATION_NUMBER)
    person_id = _person_id_for_number(number)
    renumber = False
    if person_id is None:
        person_id = _person_id_for_number(claims.get(CLAIM_PREVIOUS_COORDINATION_NUMBER))
        renumber = person_id is not None
    if person_id is None:
        raise LoginRefused(ERROR_EID_REFUSED)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(person_id=person_id).first()
        if user is None:
            user = _young_person_user_create(person_id=person_id, assurance_level=assurance_level)
        if renumber and user.is_active:
            _person_renumber(
                person_id=person_id, raw=number, user=user, assurance_level=assurance_level
            )
    if not user.is_active:
        raise LoginRefused(ERROR_EID_REFUSED)
    return user


def _person_renumber(*, person_id: int, raw: object, user: User, assurance_level: str) -> None:
    """Give the record found by the previous coordination number the number the e-ID
    states now. Nothing changes when that number is not valid or another record already
    has it: two records of one person are for a person to merge, not a login."""
    if not isinstance(raw, str) or not raw:
        return
    try:
        number = parse_identity_number(raw)
    except InvalidIdentityNumber:
        return
    if Person.objects.filter(personal_identity_number=number.normalized).exists():
        return
    Person.objects.filter(pk=person_id).update(
        personal_identity_number=number.normalized,
        is_coordination_number=number.is_coordination_number,
        date_of_birth=number.date_of_birth,
    )
    # The audit: which record changed number, by whose login, at what level. The numbers
    # themselves are never written to the log.
    persons_written(
        actor=Actor.for_young_person(user, assurance_level=assurance_level),
        action=Action.UPDATE,
        purpose=Purpose.SELF,
        person_ids=[person_id],
        object_type="person_identity_number",
        object_id=str(person_id),
    )


def _young_person_user_create(*, person_id: int, assurance_level: str) -> User:
    # The username says nothing about the person: it shows in admin lists and logs.
    user = User(username=f"e-id-{uuid.uuid4().hex[:16]}", person_id=person_id)
    user.set_unusable_password()
    user.save()
    persons_written(
        actor=Actor.for_young_person(user, assurance_level=assurance_level),
        action=Action.CREATE,
        purpose=Purpose.SELF,
        person_ids=[person_id],
        object_type="user_account",
        object_id=str(user.pk),
    )
    return user


def guardian_user_for_claims(*, claims: dict[str, Any]) -> User:
    """The guardian account of the personnummer the e-ID login states, created on the first
    login. Refused unless the number is stored for a guardian of somebody in Lotsen; which
    minors the account reaches is decided on every request (youth.guardians), not here.

    A guardian account is neither a staff user's nor a young person's: a guardian who also
    works in Lotsen gets a second account, so the two logins never share a role."""
    raw = claims.get(CLAIM_PERSONAL_IDENTITY_NUMBER) or claims.get(CLAIM_COORDINATION_NUMBER)
    if not isinstance(raw, str) or not raw:
        raise LoginRefused(ERROR_GUARDIAN_REFUSED)
    try:
        number = parse_identity_number(raw).normalized
    except InvalidIdentityNumber as exc:
        raise LoginRefused(ERROR_GUARDIAN_REFUSED) from exc
    if not Guardian.objects.filter(personal_identity_number=number).exists():
        raise LoginRefused(ERROR_GUARDIAN_REFUSED)
    with transaction.atomic():
        account = (
            GuardianAccount.objects.select_for_update()
            .select_related("user")
            .filter(personal_identity_number=number)
            .first()
        )
        if account is None:
            # The username says nothing about the guardian: it shows in lists and logs.
            user = User(username=f"vh-{uuid.uuid4().hex[:16]}")
            user.set_unusable_password()
            user.save()
            account = GuardianAccount.objects.create(user=user, personal_identity_number=number)
    if not account.user.is_active:
        raise LoginRefused(ERROR_GUARDIAN_REFUSED)
    return account.user
