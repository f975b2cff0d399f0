"""A guardian logs in through the e-ID broker (issue 11), and a young person registered
under a coordination number who now has a personnummer: against the real oidc-provider
(tests/oidc/provider.mjs) started by the ``oidc_provider`` fixture."""

from __future__ import annotations

import pytest
import requests
from django.test import Client
from django.urls import reverse

from lotsen.accounts import oidc
from lotsen.accounts.middleware import SESSION_ASSURANCE_LEVEL
from lotsen.accounts.models import Role, User
from lotsen.people.models import GuardianAccount, Person
from lotsen.privacy.accesslog import access_log_verify
from lotsen.privacy.models import AccessLogEntry, Action, Consent, Purpose
from lotsen.youth.models import ConsentRequest, ConsentRequestStatus
from tests.accounts.test_oidc import at_provider, local, make_eid_provider, oidc_login
from tests.factories import MembershipFactory, MunicipalityFactory, PersonFactory, UserFactory
from tests.oidc.server import (
    GUARDIAN_NUMBER,
    NEW_PERSONAL_NUMBER,
    OLD_COORDINATION_NUMBER,
    YOUNG_PERSON_NUMBER,
)
from tests.youth.guardian_world import guardian_of, minor, request_for, social_services, staff

pytestmark = pytest.mark.django_db


def guardian_login(client, slug: str = "eid", login: str = "vardnadshavare"):
    start = client.get(reverse("accounts:oidc_login", args=[slug]) + "?som=vardnadshavare")
    assert start.status_code == 302, start.content
    return client.get(local(at_provider(requests.Session(), start["Location"], login)))


@pytest.fixture
def asked(db):
    """A 15-year-old whose guardian (the provider's "vardnadshavare") is asked for consent
    by social services."""
    child = minor(age=15)
    guardian_of(child)
    social = social_services()
    return request_for(child, asker=staff(social), text="Vi vill planera stödet med skolan.")


def test_login_page_offers_the_guardians_login_for_the_eid_broker(client, oidc_provider):
    make_eid_provider(oidc_provider)
    html = client.get(reverse("accounts:login")).text
    assert "Logga in som vårdnadshavare med BankID eller Freja" in html
    assert "?som=vardnadshavare" in html


def test_guardian_logs_in_sees_the_request_and_answers_yes(client, oidc_provider, asked):
    make_eid_provider(oidc_provider)

    response = guardian_login(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("guardians:start")
    account = GuardianAccount.objects.get(personal_identity_number=GUARDIAN_NUMBER)
    user = account.user
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[SESSION_ASSURANCE_LEVEL] == "loa3"
    assert client.session[oidc.SESSION_LOGIN_KIND] == oidc.LOGIN_GUARDIAN
    # The account names nobody, has no password, no person and no role.
    assert GUARDIAN_NUMBER not in user.username and not user.has_usable_password()
    assert user.person_id is None and not user.memberships.exists()

    page = client.get(reverse("guardians:start"))
    assert page.status_code == 200
    assert asked.person.full_name in page.text
    assert "Vi vill planera stödet med skolan." in page.text
    detail = client.get(reverse("guardians:answer", args=[asked.pk]))
    assert "Stöd och hjälp som ditt barn får" in detail.text
    assert "Socialtjänsten i Exempelkommun" in detail.text
    answered = client.post(reverse("guardians:answer", args=[asked.pk]), {"answer": "ja"})
    assert answered["Location"] == reverse("guardians:start")

    asked.refresh_from_db()
    assert asked.status == ConsentRequestStatus.GIVEN
    assert asked.answered_by == user and asked.answered_assurance_level == "loa3"
    # The provider's subject for this login is the evidence (the test provider's sub is
    # the login name); it never holds the personnummer.
    assert asked.answered_evidence["sub"] == "vardnadshavare"
    assert asked.answered_evidence["provider"] == "eid"
    assert isinstance(asked.answered_evidence["auth_time"], int)
    consent = Consent.objects.get(pk=asked.consent_id)
    assert (consent.given_by, consent.recorded_by) == ("guardian", user)
    guardian_entries = AccessLogEntry.objects.filter(actor_user=user)
    assert {(e.purpose, e.assurance_level) for e in guardian_entries} == {("guardian", "loa3")}
    assert {e.person_id for e in guardian_entries} == {asked.person_id}
    assert access_log_verify().ok


def test_guardians_second_login_uses_the_same_account(client, oidc_provider, asked):
    make_eid_provider(oidc_provider)
    guardian_login(client)
    client.logout()
    guardian_login(client)
    assert GuardianAccount.objects.count() == 1
    assert User.objects.filter(username__startswith="vh-").count() == 1


def test_a_number_stored_for_no_guardian_is_refused_with_the_same_words(client, oidc_provider):
    make_eid_provider(oidc_provider)
    PersonFactory(personal_identity_number=YOUNG_PERSON_NUMBER)

    refused = guardian_login(client, login="ung")

    assert refused.status_code == 403
    assert oidc.ERROR_GUARDIAN_REFUSED in refused.text
    assert not GuardianAccount.objects.exists()
    assert "_auth_user_id" not in client.session


def test_guardian_who_is_also_staff_keeps_the_roles_apart(client, oidc_provider, asked):
    make_eid_provider(oidc_provider)
    municipality = MunicipalityFactory(municipality_code="0180")
    colleague = UserFactory(username="sara", email="sara@kommun.example")
    MembershipFactory(user=colleague, organisation=municipality, role=Role.KAA_COORDINATOR)

    guardian_login(client)

    guardian_user = User.objects.get(guardian_account__isnull=False)
    assert guardian_user != colleague
    # As guardian: no staff page, no person page, not even the child's.
    assert client.get(reverse("web:person_detail", args=[asked.person_id])).status_code == 404
    assert client.get(reverse("kaa:overview")).status_code == 404
    # As staff, in a session of their own: no guardian's page.
    staff_client = Client()
    staff_client.force_login(colleague)
    assert staff_client.get(reverse("guardians:start")).status_code == 404
    assert staff_client.get(reverse("guardians:answer", args=[asked.pk])).status_code == 404


def test_a_young_persons_login_is_not_a_guardians(client, oidc_provider, asked):
    make_eid_provider(oidc_provider)
    PersonFactory(personal_identity_number=YOUNG_PERSON_NUMBER)
    oidc_login(client, "eid", "ung")
    assert client.get(reverse("guardians:start")).status_code == 404
    assert client.get(reverse("guardians:answer", args=[asked.pk])).status_code == 404


def test_guardian_of_an_adult_sees_no_request(client, oidc_provider):
    adult = minor(age=18)
    guardian_of(adult)
    ConsentRequest.objects.create(
        person=adult,
        requested_in=social_services(),
        categories=["support"],
        purpose_text="Gammal fråga från förr.",
        guardian_until=adult.date_of_birth.replace(year=adult.date_of_birth.year + 18),
    )
    make_eid_provider(oidc_provider)
    guardian_login(client)

    page = client.get(reverse("guardians:start"))

    assert adult.full_name not in page.text
    assert "Du har inga frågor om samtycke just nu." in page.text
    assert not AccessLogEntry.objects.filter(person_id=adult.pk).exists()


# --- The young person's previous coordination number ----------------------------------------


def test_previous_coordination_number_moves_the_record_to_the_new_personnummer(
    client, oidc_provider
):
    person = PersonFactory(
        personal_identity_number=OLD_COORDINATION_NUMBER, is_coordination_number=True
    )
    make_eid_provider(oidc_provider)

    response = oidc_login(client, "eid", "ung-nytt-personnummer")

    assert response["Location"] == reverse("youth:start")
    person.refresh_from_db()
    assert person.personal_identity_number == NEW_PERSONAL_NUMBER
    assert not person.is_coordination_number
    assert client.session["_auth_user_id"] == str(User.objects.get(person=person).pk)
    audit = AccessLogEntry.objects.get(object_type="person_identity_number")
    assert (audit.person_id, audit.action, audit.purpose, audit.assurance_level) == (
        person.pk,
        Action.UPDATE,
        Purpose.SELF,
        "loa3",
    )
    assert OLD_COORDINATION_NUMBER not in str(audit.shown) + audit.object_id
    # The next login finds the record by the new number; nothing changes again.
    client.logout()
    oidc_login(client, "eid", "ung-nytt-personnummer")
    assert AccessLogEntry.objects.filter(object_type="person_identity_number").count() == 1
    assert access_log_verify().ok


def test_previous_number_never_takes_a_number_another_record_has(client, oidc_provider):
    old = PersonFactory(personal_identity_number=OLD_COORDINATION_NUMBER)
    PersonFactory(personal_identity_number=NEW_PERSONAL_NUMBER)
    make_eid_provider(oidc_provider)

    oidc_login(client, "eid", "ung-nytt-personnummer")

    old.refresh_from_db()
    assert old.personal_identity_number == OLD_COORDINATION_NUMBER
    assert Person.objects.filter(personal_identity_number=NEW_PERSONAL_NUMBER).count() == 1
    assert not AccessLogEntry.objects.filter(object_type="person_identity_number").exists()


def test_young_persons_access_log_carries_the_level_of_their_login(client, oidc_provider):
    person = PersonFactory(personal_identity_number=YOUNG_PERSON_NUMBER)
    make_eid_provider(oidc_provider)
    oidc_login(client, "eid", "ung")
    for name in ("youth:start", "youth:consents", "youth:plan"):
        assert client.get(reverse(name)).status_code == 200
    entries = AccessLogEntry.objects.filter(person_id=person.pk)
    assert entries.count() >= 3
    assert set(entries.values_list("assurance_level", flat=True)) == {"loa3"}
