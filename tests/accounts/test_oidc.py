"""Logging in through OpenID Connect against a real provider (npm oidc-provider on
127.0.0.1, started by the ``oidc_provider`` fixture): the Django test client plays Lotsen's
side, ``requests`` the browser at the provider, and the redirects between them are the
real ones."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from lotsen.accounts import assurance, oidc
from lotsen.accounts.middleware import SESSION_ASSURANCE_LEVEL, SESSION_IDENTITY_PROVIDER
from lotsen.accounts.models import (
    IdentityProvider,
    Membership,
    ProviderKind,
    Role,
    User,
    UserField,
)
from lotsen.privacy.accesslog import access_log_verify
from lotsen.privacy.models import AccessLogEntry, Action, Purpose
from tests.accounts.conftest import TEST_SERVER
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolUnitFactory,
    UserFactory,
)
from tests.oidc.server import (
    NEW_COORDINATION_NUMBER,
    OLD_COORDINATION_NUMBER,
    UNKNOWN_NUMBER,
    YOUNG_PERSON_NUMBER,
)

pytestmark = pytest.mark.django_db


# --- Helpers -----------------------------------------------------------------------------


def make_provider(oidc_provider, **fields) -> IdentityProvider:
    defaults = {
        "name": "Kommunens inloggning",
        "slug": "kommun",
        "kind": ProviderKind.STAFF,
        "issuer": oidc_provider.issuer,
        "client_id": oidc_provider.client_id,
        "client_secret": oidc_provider.client_secret,
        "scopes": "openid email profile",
        "user_claim": "email",
        "user_field": UserField.EMAIL,
    }
    return IdentityProvider.objects.create(**{**defaults, **fields})


def make_eid_provider(oidc_provider, **fields) -> IdentityProvider:
    return make_provider(
        oidc_provider,
        **{
            "name": "BankID eller Freja",
            "slug": "eid",
            "kind": ProviderKind.E_ID,
            "scopes": f"openid {oidc.SCOPE_NATURAL_PERSON_NUMBER}",
            "acr_values": "http://id.elegnamnden.se/loa/1.0/loa3",
            **fields,
        },
    )


def at_provider(browser: requests.Session, url: str, login: str) -> str:
    """Play the browser at the provider from its authorization URL: follow its redirects,
    fill in its login page as ``login``, and return the URL it sends the browser back to
    Lotsen with."""
    response = browser.get(url, allow_redirects=False, timeout=10)
    for _ in range(20):
        if response.status_code in (302, 303):
            url = urljoin(url, response.headers["Location"])
            if url.startswith(TEST_SERVER):
                return url
            response = browser.get(url, allow_redirects=False, timeout=10)
            continue
        assert response.status_code == 200, response.text
        action = re.search(r'<form method="post" action="([^"]+)"', response.text)
        assert action, response.text
        url = urljoin(url, action[1])
        response = browser.post(url, data={"login": login}, allow_redirects=False, timeout=10)
    raise AssertionError("The provider never sent the browser back to Lotsen.")


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def oidc_login(client, slug: str, login: str):
    start = client.get(reverse("accounts:oidc_login", args=[slug]))
    assert start.status_code == 302, start.content
    return client.get(local(at_provider(requests.Session(), start["Location"], login)))


# --- Staff through the organisation's identity provider -------------------------------------


def test_login_page_offers_each_enabled_provider(client, oidc_provider):
    make_provider(oidc_provider)
    make_eid_provider(oidc_provider)
    make_provider(oidc_provider, name="Gammal IdP", slug="region", enabled=False)

    html = client.get(reverse("accounts:login")).content.decode()

    assert "Logga in med Kommunens inloggning" in html
    assert "Logga in med BankID eller Freja" in html
    assert "Gammal IdP" not in html


def test_authorization_request_uses_pkce_state_nonce_and_acr_values(client, oidc_provider):
    make_eid_provider(oidc_provider)

    start = client.get(reverse("accounts:oidc_login", args=["eid"]))

    query = parse_qs(urlsplit(start["Location"]).query)
    assert start["Location"].startswith(f"{oidc_provider.issuer}/auth")
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["acr_values"] == ["http://id.elegnamnden.se/loa/1.0/loa3"]
    assert query["redirect_uri"] == [f"{TEST_SERVER}/konto/logga-in/oidc/eid/retur/"]


def test_mentor_logs_in_by_email_claim_at_the_stated_level(client, oidc_provider):
    school = SchoolUnitFactory()
    mentor = UserFactory(username="maria", email="Mentor@Kommun.example")
    MembershipFactory(user=mentor, organisation=school, role=Role.MENTOR)
    pupil = EnrolmentFactory(school_unit=school).person
    make_provider(oidc_provider, organisation=school)

    response = oidc_login(client, "kommun", "mentor")

    assert response.status_code == 302
    assert response["Location"] == reverse("web:start")
    assert client.session["_auth_user_id"] == str(mentor.pk)
    assert client.session[SESSION_ASSURANCE_LEVEL] == "loa3"
    # Every read the mentor now makes carries the level of this login.
    page = client.get(reverse("web:person_detail", args=[pupil.pk]))
    assert page.status_code == 200
    entry = AccessLogEntry.objects.get(actor_user=mentor, person=pupil)
    assert (entry.action, entry.purpose, entry.assurance_level) == ("view", "school", "loa3")
    assert access_log_verify().ok


def test_staff_matched_by_employee_id_as_username(client, oidc_provider):
    user = UserFactory(username="K-1001", email="")
    make_provider(oidc_provider, user_claim="employee_id", user_field=UserField.USERNAME)

    response = oidc_login(client, "kommun", "mentor")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_without_acr_is_unspecified_level(client, oidc_provider):
    user = UserFactory(email="utan-niva@kommun.example")
    make_provider(oidc_provider)

    oidc_login(client, "kommun", "utan-niva")

    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[SESSION_ASSURANCE_LEVEL] == assurance.UNSPECIFIED


def test_unknown_user_with_untrusted_provider_is_refused_in_swedish(client, oidc_provider):
    make_provider(oidc_provider, creates_users=False)

    response = oidc_login(client, "kommun", "ny-medarbetare")

    assert response.status_code == 403
    assert oidc.ERROR_NO_ACCOUNT in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="ny@kommun.example").exists()


def test_trusted_provider_creates_the_user_without_any_role(client, oidc_provider):
    organisation = OrganisationFactory()
    make_provider(oidc_provider, slug="betrodd", organisation=organisation, creates_users=True)

    response = oidc_login(client, "betrodd", "ny-medarbetare")

    assert response.status_code == 302
    user = User.objects.get(email="ny@kommun.example")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert (user.first_name, user.last_name, user.person_id) == ("Nils", "Nyström", None)
    assert not user.has_usable_password()
    assert not Membership.objects.filter(user=user).exists()
    assert client.session[SESSION_ASSURANCE_LEVEL] == "loa2"


def test_provider_of_one_organisation_cannot_log_in_staff_of_another(client, oidc_provider):
    own, other = OrganisationFactory(), OrganisationFactory()
    user = UserFactory(email="mentor@kommun.example")
    MembershipFactory(user=user, organisation=other, role=Role.CASE_WORKER)
    make_provider(oidc_provider, organisation=own)

    response = oidc_login(client, "kommun", "mentor")

    assert response.status_code == 403
    assert oidc.ERROR_OTHER_ORGANISATION in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_provider_never_logs_in_a_young_persons_account(client, oidc_provider):
    person = PersonFactory()
    UserFactory(email="mentor@kommun.example", person=person)
    make_provider(oidc_provider)

    response = oidc_login(client, "kommun", "mentor")

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_wrong_state_is_refused(client, oidc_provider):
    UserFactory(email="mentor@kommun.example")
    make_provider(oidc_provider)
    start = client.get(reverse("accounts:oidc_login", args=["kommun"]))
    callback = at_provider(requests.Session(), start["Location"], "mentor")

    forged = re.sub(r"state=[^&]+", "state=forged-state", callback)
    response = client.get(local(forged))

    assert response.status_code == 403
    assert oidc.ERROR_LOGIN_FAILED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_id_token_with_another_requests_nonce_is_refused(client, oidc_provider):
    UserFactory(email="mentor@kommun.example")
    make_provider(oidc_provider)
    start = client.get(reverse("accounts:oidc_login", args=["kommun"]))
    callback = at_provider(requests.Session(), start["Location"], "mentor")
    # The session expects another nonce than the one the provider signed into the ID
    # token: as when an ID token issued for another login is played back.
    session = client.session
    state = parse_qs(urlsplit(callback).query)["state"][0]
    key = next(k for k, _ in session.items() if k.endswith(state))
    stored = session[key]
    stored["data"]["nonce"] = "another-login-s-nonce"
    session[key] = stored
    session.save()

    response = client.get(local(callback))

    assert response.status_code == 403
    assert oidc.ERROR_LOGIN_FAILED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_code_from_another_browser_is_refused_by_pkce(client, oidc_provider):
    UserFactory(email="mentor@kommun.example")
    make_provider(oidc_provider)
    attacker = Client()
    start = attacker.get(reverse("accounts:oidc_login", args=["kommun"]))
    stolen = at_provider(requests.Session(), start["Location"], "mentor")
    # The victim's browser started its own login: its state, but the attacker's code.
    victim_start = client.get(reverse("accounts:oidc_login", args=["kommun"]))
    victim_state = parse_qs(urlsplit(victim_start["Location"]).query)["state"][0]
    injected = re.sub(r"state=[^&]+", f"state={victim_state}", stolen)

    response = client.get(local(injected))

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_error_from_provider_is_refused(client, oidc_provider):
    make_provider(oidc_provider)
    client.get(reverse("accounts:oidc_login", args=["kommun"]))

    response = client.get(
        reverse("accounts:oidc_callback", args=["kommun"]) + "?error=access_denied&state=x"
    )

    assert response.status_code == 403
    assert oidc.ERROR_LOGIN_FAILED in response.content.decode()


def test_disabled_provider_is_not_found(client, oidc_provider):
    make_provider(oidc_provider, enabled=False)

    assert client.get(reverse("accounts:oidc_login", args=["kommun"])).status_code == 404


def test_single_logout_sends_the_browser_to_the_providers_end_session(client, oidc_provider):
    UserFactory(email="mentor@kommun.example")
    make_provider(oidc_provider)
    oidc_login(client, "kommun", "mentor")
    assert client.session[SESSION_IDENTITY_PROVIDER]
    # The page the logout form is on lets the form go to the provider's end_session
    # (Chromium checks form-action on the redirect), from the client the login built.
    page = client.get(reverse("web:start"))
    end_session_origin = "{0.scheme}://{0.netloc}".format(
        urlsplit(oidc_provider.issuer + "/session/end")
    )
    assert end_session_origin in page["Content-Security-Policy"].split("form-action")[1]

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    location = response["Location"]
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(f"{oidc_provider.issuer}/session/end")
    assert query["client_id"] == [oidc_provider.client_id]
    assert query["post_logout_redirect_uri"] == [f"{TEST_SERVER}/konto/logga-in/"]
    assert "_auth_user_id" not in client.session
    # The provider accepts the request: it asks the browser to confirm the logout.
    at_end = requests.get(location, timeout=10)
    assert at_end.status_code == 200
    assert "logout" in at_end.text.lower()


def test_local_password_login_is_kept_as_its_level(client):
    UserFactory(username="lokal")

    response = client.post(
        reverse("accounts:login"), {"username": "lokal", "password": "secret-pass-123"}
    )

    assert response.status_code == 302
    assert client.session[SESSION_ASSURANCE_LEVEL] == assurance.LOCAL_PASSWORD


# --- The young person through an e-ID broker ------------------------------------------------


def test_young_person_first_login_links_the_account_and_reaches_mina_sidor(client, oidc_provider):
    person = PersonFactory(personal_identity_number=YOUNG_PERSON_NUMBER)
    make_eid_provider(oidc_provider)

    response = oidc_login(client, "eid", "ung")

    assert response.status_code == 302
    assert response["Location"] == reverse("youth:start")
    user = User.objects.get(person=person)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[SESSION_ASSURANCE_LEVEL] == "loa3"
    # The username names nobody: it shows in lists and logs.
    assert YOUNG_PERSON_NUMBER not in user.username
    assert person.given_name not in user.username
    assert not user.has_usable_password()
    link = AccessLogEntry.objects.get(object_type="user_account")
    assert (link.person_id, link.action, link.purpose) == (person.pk, Action.CREATE, Purpose.SELF)
    assert link.assurance_level == "loa3"
    page = client.get(reverse("youth:start"))
    assert page.status_code == 200
    assert AccessLogEntry.objects.filter(
        actor_user=user, purpose=Purpose.SELF, action=Action.VIEW, assurance_level="loa3"
    ).exists()
    # A young person's own login reaches "Mina sidor" only.
    staff_start = client.get(reverse("web:start"))
    assert staff_start.status_code == 302
    assert staff_start["Location"] == reverse("youth:start")
    assert access_log_verify().ok


def test_young_person_second_login_uses_the_same_account(client, oidc_provider):
    person = PersonFactory(personal_identity_number=YOUNG_PERSON_NUMBER)
    make_eid_provider(oidc_provider)
    oidc_login(client, "eid", "ung")
    client.logout()

    oidc_login(client, "eid", "ung")

    assert User.objects.filter(person=person).count() == 1
    assert client.session["_auth_user_id"] == str(User.objects.get(person=person).pk)
    assert AccessLogEntry.objects.filter(object_type="user_account").count() == 1


def test_previous_coordination_number_finds_the_old_record(client, oidc_provider):
    person = PersonFactory(
        personal_identity_number=OLD_COORDINATION_NUMBER, is_coordination_number=True
    )
    make_eid_provider(oidc_provider)

    response = oidc_login(client, "eid", "ung-samordningsnummer")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(person=person).pk)
    # The record takes the number the e-ID states now (audited: test_oidc_guardian.py).
    person.refresh_from_db()
    assert person.personal_identity_number == NEW_COORDINATION_NUMBER
    assert person.is_coordination_number


@pytest.mark.parametrize("login", ["okand-ung", "ogiltigt-nummer"])
def test_unknown_number_is_refused_without_saying_whether_a_person_exists(
    client, oidc_provider, login
):
    PersonFactory(personal_identity_number=YOUNG_PERSON_NUMBER)
    make_eid_provider(oidc_provider)
    users_before = User.objects.count()

    response = oidc_login(client, "eid", login)

    html = response.content.decode()
    assert response.status_code == 403
    assert oidc.ERROR_EID_REFUSED in html
    assert UNKNOWN_NUMBER not in html
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == users_before
    assert not AccessLogEntry.objects.exists()


def test_young_persons_inactive_account_is_refused_with_the_same_words(client, oidc_provider):
    person = PersonFactory(personal_identity_number=YOUNG_PERSON_NUMBER)
    UserFactory(person=person, is_active=False)
    make_eid_provider(oidc_provider)

    response = oidc_login(client, "eid", "ung")

    assert response.status_code == 403
    assert oidc.ERROR_EID_REFUSED in response.content.decode()


# --- Configuration ---------------------------------------------------------------------------


def test_unreachable_provider_is_refused_with_a_clear_message(client, oidc_provider):
    make_provider(oidc_provider, issuer="http://127.0.0.1:9")

    response = client.get(reverse("accounts:oidc_login", args=["kommun"]))

    assert response.status_code == 403
    assert oidc.ERROR_PROVIDER_UNREACHABLE in response.content.decode()


def test_login_returns_to_the_page_asked_for_but_never_to_another_site(client, oidc_provider):
    UserFactory(email="mentor@kommun.example")
    make_provider(oidc_provider)
    wanted = reverse("accounts:choose_membership")

    start = client.get(reverse("accounts:oidc_login", args=["kommun"]) + f"?next={wanted}")
    back = client.get(local(at_provider(requests.Session(), start["Location"], "mentor")))
    assert back["Location"] == wanted

    client.logout()
    start = client.get(
        reverse("accounts:oidc_login", args=["kommun"]) + "?next=https://elak.example/"
    )
    back = client.get(local(at_provider(requests.Session(), start["Location"], "mentor")))
    assert back["Location"] == reverse("web:start")


def test_client_secret_from_the_environment_comes_first(oidc_provider, monkeypatch):
    provider = make_provider(
        oidc_provider, client_secret="from-admin", client_secret_env="LOTSEN_TEST_IDP_SECRET"
    )
    assert oidc.provider_client_secret(provider) == "from-admin"

    monkeypatch.setenv("LOTSEN_TEST_IDP_SECRET", "from-environment")

    assert oidc.provider_client_secret(provider) == "from-environment"


def test_request_carries_the_sessions_level(client, oidc_provider, rf):
    from lotsen.accounts.middleware import ActorMiddleware

    mentor = UserFactory(email="mentor@kommun.example")
    MembershipFactory(user=mentor, organisation=OrganisationFactory(), role=Role.MENTOR)
    make_provider(oidc_provider)
    oidc_login(client, "kommun", "mentor")
    request = rf.get("/")
    request.user = mentor
    request.session = client.session

    ActorMiddleware(lambda r: None)(request)

    assert request.assurance_level == "loa3"
    assert request.actor.assurance_level == "loa3"


def test_admin_keeps_the_secret_when_left_empty_and_never_shows_it(admin_client, oidc_provider):
    provider = make_provider(oidc_provider, client_secret="hemligt-värde")
    url = reverse("admin:accounts_identityprovider_change", args=[provider.pk])

    page = admin_client.get(url)
    assert page.status_code == 200
    assert "hemligt-värde" not in page.content.decode()

    data = {
        "name": provider.name,
        "slug": provider.slug,
        "kind": provider.kind,
        "enabled": "on",
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "client_secret": "",
        "client_secret_env": "",
        "scopes": provider.scopes,
        "acr_values": "",
        "user_claim": "email",
        "user_field": UserField.EMAIL,
    }
    saved = admin_client.post(url, data)

    assert saved.status_code == 302, saved.content.decode()[:2000]
    provider.refresh_from_db()
    assert provider.client_secret == "hemligt-värde"
