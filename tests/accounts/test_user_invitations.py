"""Invitations by e-mail for new users (issue 11, with the role-grant rules of issue 10):
the organisation admin invites an address from the members page, the mail reaches a real
SMTP server (aiosmtpd), the invitee follows its link with the test client, chooses a
username and password and gets the role (or a request for a second administrator); the
token is stored hashed and works once; expired, withdrawn and unknown tokens get one
answer; the trail records who invited whom to which role and what became of it, and
outlives the nightly deletion of expired invitations."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.invitations import (
    ERROR_ALREADY_INVITED,
    ERROR_EMAIL_HAS_ACCOUNT,
    INVITATION_SUBJECT,
    user_invitations_retention,
)
from lotsen.accounts.models import (
    GrantEvent,
    GrantStatus,
    InvitationEvent,
    InvitationStatus,
    Membership,
    Role,
    RoleGrant,
    User,
    UserInvitation,
)
from lotsen.accounts.services import ERROR_SELF_GRANT, role_grant_approve
from lotsen.accounts.tasks import invitations_retention_job
from tests.factories import MembershipFactory, MunicipalityFactory, PersonFactory, UserFactory
from tests.notifications import conftest as smtp
from tests.notifications.conftest import subject_of, text_of

pytestmark = pytest.mark.django_db

# The real SMTP server of the notification tests, and the mails it received.
smtp_server = smtp.smtp_server
mailbox = smtp.mailbox

INVITE = reverse("accounts:user_invitation_create")
MEMBERS = reverse("web:organisation_members")
PASSWORD = "Ett-riktigt-langt-losenord-7"
LINK = re.compile(r"https://lotsen\.example\.se(/konto/inbjudan/([A-Za-z0-9_-]+)/)")
NEW_ADDRESS = "ny.kollega@kommun.example.se"


@pytest.fixture
def municipality():
    return MunicipalityFactory(municipality_code="1999", name="Exempelkommun")


@pytest.fixture
def orgadmin(municipality):
    return MembershipFactory(
        user=UserFactory(username="orgadmin", email="orgadmin@kommun.example.se"),
        organisation=municipality,
        role=Role.ORGANISATION_ADMIN,
    )


@pytest.fixture
def young_person():
    return PersonFactory(home_municipality_code="1999", given_name="Ellinor", family_name="Ung")


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks):
    # The mail leaves when the transaction commits; the test's own transaction never does.
    global _capture
    _capture = django_capture_on_commit_callbacks


def _invite(client, orgadmin, email=NEW_ADDRESS, role="kaa_coordinator"):
    client.force_login(orgadmin.user)
    with _capture(execute=True):
        return client.post(INVITE, {"email": email, "role": role})


def _link(mailbox, email=NEW_ADDRESS) -> tuple[str, str]:
    [message] = mailbox.to(email)
    match = LINK.search(message.get_content())
    return match.group(1), match.group(2)


def _accept(invitee, link, username="nykollega", password=PASSWORD):
    opened = invitee.get(link)
    assert opened.status_code == 302
    # The token leaves the address bar at once.
    assert opened["Location"] == reverse("accounts:user_invitation_accept")
    return invitee.post(
        opened["Location"], {"username": username, "password1": password, "password2": password}
    )


def test_invite_accept_and_log_in_with_the_role(client, orgadmin, mailbox, young_person):
    client.force_login(orgadmin.user)
    members = client.get(MEMBERS)
    assert "Bjud in ny användare" in members.text and INVITE in members.text
    assert client.get(INVITE).status_code == 200

    response = _invite(client, orgadmin)
    assert response.status_code == 302 and response["Location"] == MEMBERS
    # The pending invitation is on the members page.
    members = client.get(MEMBERS)
    assert NEW_ADDRESS in members.text and "Återkalla" in members.text

    [message] = mailbox.to(NEW_ADDRESS)
    assert subject_of(message) == INVITATION_SUBJECT
    link, token = _link(mailbox)
    # Only a hash of the token is kept.
    invitation = UserInvitation.objects.get()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(UserInvitation.objects.values_list()))

    invitee = type(client)()
    form = invitee.get(link, follow=True)
    assert form.status_code == 200 and "Skapa ditt konto i Lotsen" in form.text
    assert "Exempelkommun" in form.text
    response = _accept(invitee, link)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")

    user = User.objects.get(username="nykollega")
    assert user.email == NEW_ADDRESS and user.check_password(PASSWORD)
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role) == (orgadmin.organisation, "kaa_coordinator")

    login = invitee.post(reverse("accounts:login"), {"username": "nykollega", "password": PASSWORD})
    assert login.status_code == 302 and "_auth_user_id" in invitee.session

    # The trail: invited by orgadmin, accepted, and the grant's own entries.
    events = list(
        InvitationEvent.objects.order_by("at", "id").values_list(
            "event", "actor_username", "email", "username", "role"
        )
    )
    assert events == [
        ("invited", "orgadmin", NEW_ADDRESS, "", "kaa_coordinator"),
        ("accepted", "nykollega", NEW_ADDRESS, "nykollega", "kaa_coordinator"),
    ]
    grant_events = list(
        GrantEvent.objects.order_by("at", "id").values_list("event", "username", "role")
    )
    assert grant_events == [
        ("accepted", "nykollega", "kaa_coordinator"),
        ("granted", "nykollega", "kaa_coordinator"),
    ]
    # No mail says anything about the young person.
    text = text_of(message)
    for detail in (
        young_person.given_name,
        young_person.family_name,
        young_person.personal_identity_number,
    ):
        assert detail not in text


def test_the_link_works_once_and_a_used_expired_withdrawn_or_unknown_one_reads_the_same(
    client, orgadmin, mailbox
):
    pages = []
    _invite(client, orgadmin)
    used_link, _ = _link(mailbox)
    _accept(type(client)(), used_link)
    pages.append(type(client)().get(used_link))

    _invite(client, orgadmin, email="andra@kommun.example.se")
    expired_link, _ = _link(mailbox, "andra@kommun.example.se")
    UserInvitation.objects.filter(email="andra@kommun.example.se").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    pages.append(type(client)().get(expired_link))

    _invite(client, orgadmin, email="tredje@kommun.example.se")
    withdrawn_link, _ = _link(mailbox, "tredje@kommun.example.se")
    invitation = UserInvitation.objects.get(email="tredje@kommun.example.se")
    client.post(reverse("accounts:user_invitation_withdraw", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.WITHDRAWN
    pages.append(type(client)().get(withdrawn_link))

    pages.append(type(client)().get("/konto/inbjudan/" + "A" * 43 + "/"))
    pages.append(type(client)().get("/konto/inbjudan/kort/"))
    # Straight to the form without a link in the session.
    pages.append(type(client)().get(reverse("accounts:user_invitation_accept")))

    assert [page.status_code for page in pages] == [404] * 6
    texts = {re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", p.text) for p in pages}
    assert len(texts) == 1 and "Länken fungerar inte" in texts.pop()
    assert User.objects.filter(email="andra@kommun.example.se").count() == 0


def test_a_withdrawal_while_the_form_is_open_makes_no_account(client, orgadmin, mailbox):
    _invite(client, orgadmin)
    link, _ = _link(mailbox)
    invitee = type(client)()
    opened = invitee.get(link)
    invitation = UserInvitation.objects.get()
    client.post(reverse("accounts:user_invitation_withdraw", args=[invitation.pk]))
    response = invitee.post(
        opened["Location"], {"username": "sen", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 404
    assert not User.objects.filter(username="sen").exists()
    assert list(InvitationEvent.objects.values_list("event", flat=True).order_by("id")) == [
        "invited",
        "withdrawn",
    ]


def test_password_validators_and_a_taken_username_are_errors_at_the_field(
    client, orgadmin, mailbox
):
    UserFactory(username="upptagen")
    _invite(client, orgadmin)
    link, _ = _link(mailbox)
    invitee = type(client)()
    opened = invitee.get(link)
    for data in (
        {"username": "nykollega", "password1": "1234", "password2": "1234"},
        {"username": "nykollega", "password1": PASSWORD, "password2": PASSWORD + "x"},
        {"username": "Upptagen", "password1": PASSWORD, "password2": PASSWORD},
    ):
        response = invitee.post(opened["Location"], data)
        assert response.status_code == 200
        assert "govuk-error-summary" in response.text
        assert PASSWORD not in response.text and 'value="1234"' not in response.text
    assert UserInvitation.objects.get().status == InvitationStatus.OPEN
    assert not Membership.objects.filter(role="kaa_coordinator").exists()


def test_four_eyes_the_role_waits_for_another_admin_than_the_inviter(
    client, orgadmin, mailbox, settings
):
    settings.LOTSEN_GRANTS_FOUR_EYES = True
    _invite(client, orgadmin)
    link, _ = _link(mailbox)
    _accept(type(client)(), link)
    user = User.objects.get(username="nykollega")
    grant = RoleGrant.objects.get(user=user)
    assert grant.status == GrantStatus.AWAITING_APPROVAL and grant.needs_approval
    assert not Membership.objects.filter(user=user).exists()
    assert list(GrantEvent.objects.order_by("id").values_list("event", "actor_username")) == [
        ("accepted", "nykollega"),
        ("requested", "orgadmin"),
    ]

    # The inviter is not the second pair of eyes,
    with pytest.raises(Exception, match="annan administratör"):
        role_grant_approve(actor=Actor.for_membership(orgadmin), grant=grant)
    # another admin is.
    second = MembershipFactory(organisation=orgadmin.organisation, role=Role.ORGANISATION_ADMIN)
    role_grant_approve(actor=Actor.for_membership(second), grant=grant)
    assert Membership.objects.filter(user=user, role="kaa_coordinator").exists()


def test_the_grant_rules_hold_for_invitations(client, orgadmin, mailbox):
    # Not oneself to a data role,
    response = _invite(client, orgadmin, email="OrgAdmin@kommun.example.se")
    assert response.status_code == 200 and ERROR_SELF_GRANT in response.text
    # nor a role an organisation admin does not hand out,
    response = _invite(client, orgadmin, role="system_admin")
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    # an address with an account is added by username instead,
    UserFactory(username="finns", email="finns@kommun.example.se")
    response = _invite(client, orgadmin, email="Finns@kommun.example.se")
    assert ERROR_EMAIL_HAS_ACCOUNT in response.text
    # and one open invitation per address and role.
    assert _invite(client, orgadmin).status_code == 302
    response = _invite(client, orgadmin, email=NEW_ADDRESS.upper())
    assert ERROR_ALREADY_INVITED in response.text
    assert UserInvitation.objects.count() == 1
    assert len(mailbox.messages) == 1


def test_only_the_organisation_admin_invites_and_withdraws(client, orgadmin, mailbox):
    mentor = MembershipFactory(organisation=orgadmin.organisation, role="mentor")
    other_admin = MembershipFactory(role=Role.ORGANISATION_ADMIN)
    _invite(client, orgadmin)
    invitation = UserInvitation.objects.get()
    withdraw = reverse("accounts:user_invitation_withdraw", args=[invitation.pk])
    # A mentor has no invitation page; another organisation's admin cannot touch this one.
    client.force_login(mentor.user)
    assert client.get(INVITE).status_code == 404
    assert client.post(INVITE, {"email": "x@example.se", "role": "mentor"}).status_code == 404
    assert client.post(withdraw).status_code == 404
    client.force_login(other_admin.user)
    assert client.post(withdraw).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.OPEN
    assert UserInvitation.objects.count() == 1


def test_nightly_retention_deletes_expired_invitations_and_keeps_the_trail(
    client, orgadmin, mailbox
):
    _invite(client, orgadmin)
    _invite(client, orgadmin, email="andra@kommun.example.se")
    link, _ = _link(mailbox)
    _accept(type(client)(), link)
    UserInvitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    _invite(client, orgadmin, email="tredje@kommun.example.se")  # still running

    assert invitations_retention_job.job_function(None) == {"deleted": 2}
    assert list(UserInvitation.objects.values_list("email", flat=True)) == [
        "tredje@kommun.example.se"
    ]
    trail = list(InvitationEvent.objects.order_by("id").values_list("event", "email"))
    assert trail == [
        ("invited", NEW_ADDRESS),
        ("invited", "andra@kommun.example.se"),
        ("accepted", NEW_ADDRESS),
        ("invited", "tredje@kommun.example.se"),
        ("expired", "andra@kommun.example.se"),
    ]
    assert user_invitations_retention() == 0
    # The account made from an invitation stays.
    assert User.objects.filter(username="nykollega").exists()


def test_the_invitation_trail_is_append_only(client, orgadmin, mailbox):
    _invite(client, orgadmin)
    with pytest.raises(DatabaseError), transaction.atomic():
        InvitationEvent.objects.update(email="annan@example.se")
    with pytest.raises(DatabaseError), transaction.atomic():
        InvitationEvent.objects.all().delete()
    assert InvitationEvent.objects.get().email == NEW_ADDRESS
