"""Role grants through the pages and Django admin: the probe of issue 10 (an organisation
admin granting themselves KAA coordinator and reading persons through the API), the young
person's account, users of another municipality, the audit trail and four eyes."""

import csv
import io

import pytest
from django.urls import reverse

from lotsen.accounts.middleware import SESSION_MEMBERSHIP
from lotsen.accounts.models import GrantEvent, GrantStatus, Membership, Role, RoleGrant
from lotsen.accounts.services import (
    ERROR_PERSON_LINKED_USER,
    ERROR_SELF_GRANT,
)
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def municipality():
    return MunicipalityFactory(municipality_code="1999", name="Exempelkommun")


@pytest.fixture
def orgadmin(municipality):
    return MembershipFactory(
        user=UserFactory(username="orgadmin"),
        organisation=municipality,
        role=Role.ORGANISATION_ADMIN,
    )


@pytest.fixture
def person():
    return PersonFactory(
        home_municipality_code="1999", street_address="Storgatan 12", phone="070-1234567"
    )


MEMBERS = reverse("web:organisation_members")


def test_the_probe_orgadmin_grants_self_kaa_and_reads_no_personal_data(client, orgadmin, person):
    client.force_login(orgadmin.user)
    page = client.post(MEMBERS, {"username": "orgadmin", "role": "kaa_coordinator"})
    assert page.status_code == 200 and ERROR_SELF_GRANT in page.text
    assert list(orgadmin.user.memberships.all()) == [orgadmin]

    # Whatever membership the session then claims, the persons API answers nothing
    # about anybody.
    for membership_id in (orgadmin.pk, orgadmin.pk + 1):
        client.post(reverse("accounts:choose_membership"), {"membership": str(membership_id)})
        response = client.get("/api/v1/persons/")
        assert response.status_code in (403, 302) or response.json() == []
        assert person.family_name not in response.text
        assert person.identity_number_display not in response.text
        assert person.personal_identity_number not in response.text
        assert "Storgatan" not in response.text and "070-1234567" not in response.text
    assert not GrantEvent.objects.exists()


def test_the_young_persons_account_cannot_be_added(client, orgadmin):
    ung = UserFactory(username="ung", person=PersonFactory())
    client.force_login(orgadmin.user)
    for role in ("mentor", "evaluator", "organisation_admin"):
        page = client.post(MEMBERS, {"username": "ung", "role": role})
        assert ERROR_PERSON_LINKED_USER in page.text
    assert not ung.memberships.exists() and not RoleGrant.objects.exists()


def test_a_user_of_another_municipality_is_invited_and_reaches_data_only_after_accepting(
    client, orgadmin, municipality, person
):
    neighbour = MunicipalityFactory(municipality_code="1480", name="Grannkommun")
    stranger = MembershipFactory(
        user=UserFactory(username="granne"), organisation=neighbour, role=Role.KAA_COORDINATOR
    )
    client.force_login(orgadmin.user)
    done = client.post(MEMBERS, {"username": "granne", "role": "kaa_coordinator"})
    assert done.status_code == 302
    assert "inbjuden" in client.get(MEMBERS).text
    assert not stranger.user.memberships.filter(organisation=municipality).exists()

    # Before accepting: the stranger works in their own municipality only.
    client.force_login(stranger.user)
    start = client.get(reverse("web:start"))
    assert "Du har bjudits in till Exempelkommun som KAA-samordnare." in start.text
    assert person.pk not in [p["id"] for p in client.get("/api/v1/persons/").json()]

    grant = RoleGrant.objects.get(user=stranger.user)
    client.post(reverse("accounts:invitation_answer", args=[grant.pk]), {"answer": "accept"})
    joined = stranger.user.memberships.get(organisation=municipality)
    client.post(reverse("accounts:choose_membership"), {"membership": str(joined.pk)})
    assert client.session[SESSION_MEMBERSHIP] == joined.pk
    assert person.pk in [p["id"] for p in client.get("/api/v1/persons/").json()]


def test_nobody_else_answers_an_invitation(client, orgadmin):
    stranger = UserFactory(username="granne")
    client.force_login(orgadmin.user)
    client.post(MEMBERS, {"username": "granne", "role": "mentor"})
    grant = RoleGrant.objects.get()
    client.force_login(UserFactory())
    url = reverse("accounts:invitation_answer", args=[grant.pk])
    assert client.post(url, {"answer": "accept"}).status_code == 404
    client.force_login(stranger)
    choose = client.get(reverse("accounts:choose_membership"))
    assert "Acceptera" in choose.text and "Avböj" in choose.text
    client.post(url, {"answer": "decline"})
    assert not stranger.memberships.exists()
    grant.refresh_from_db()
    assert grant.status == GrantStatus.DECLINED


def test_grants_and_removals_are_listed_and_exported(client, orgadmin, municipality):
    member = MembershipFactory(
        user=UserFactory(username="@SUM(A1)"), organisation=municipality, role=Role.EVALUATOR
    )
    client.force_login(orgadmin.user)
    client.post(MEMBERS, {"username": "@SUM(A1)", "role": "mentor"})
    mentor = member.user.memberships.get(role=Role.MENTOR)
    client.post(reverse("web:membership_remove", args=[mentor.pk]))

    page = client.get(reverse("web:organisation_grants"))
    assert page.status_code == 200
    assert page.text.count("@SUM(A1)") == 2
    assert "fick rollen" in page.text and "rollen togs bort" in page.text

    export = client.get(reverse("web:organisation_grants_export"))
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == ["Tid", "Utfört av", "Användare", "Roll", "Organisation", "Händelse"]
    # Newest first; the username that looks like a formula stays text.
    assert [row[1:] for row in rows[1:]] == [
        ["orgadmin", "'@SUM(A1)", "Mentor", "Exempelkommun", "rollen togs bort"],
        ["orgadmin", "'@SUM(A1)", "Mentor", "Exempelkommun", "fick rollen"],
    ]


def test_the_audit_trail_is_for_administrators_only(client, orgadmin, municipality):
    other_admin = MembershipFactory(
        organisation=MunicipalityFactory(), role=Role.ORGANISATION_ADMIN
    )
    member = MembershipFactory(
        user=UserFactory(username="kollega"), organisation=municipality, role=Role.EVALUATOR
    )
    client.force_login(orgadmin.user)
    client.post(MEMBERS, {"username": "kollega", "role": "mentor"})
    mentor = MembershipFactory(organisation=municipality, role=Role.MENTOR)
    client.force_login(mentor.user)
    for name in ("web:organisation_grants", "web:organisation_grants_export"):
        assert client.get(reverse(name)).status_code == 404
    client.force_login(other_admin.user)
    assert "kollega" not in client.get(reverse("web:organisation_grants")).text
    assert "kollega" not in client.get(reverse("web:organisation_grants_export")).text
    sysadmin = MembershipFactory(organisation=municipality, role=Role.SYSTEM_ADMIN)
    client.force_login(sysadmin.user)
    assert "kollega" in client.get(reverse("web:organisation_grants_export")).text
    assert member.user.memberships.filter(role=Role.MENTOR).exists()


def test_four_eyes_through_the_pages(client, orgadmin, municipality, settings):
    settings.LOTSEN_GRANTS_FOUR_EYES = True
    member = MembershipFactory(
        user=UserFactory(username="kollega"), organisation=municipality, role=Role.EVALUATOR
    )
    second = MembershipFactory(organisation=municipality, role=Role.ORGANISATION_ADMIN)
    client.force_login(orgadmin.user)
    client.post(MEMBERS, {"username": "kollega", "role": "kaa_coordinator"})
    grant = RoleGrant.objects.get()
    assert grant.status == GrantStatus.AWAITING_APPROVAL
    decide = reverse("web:role_grant_decide", args=[grant.pk])
    # The requesting admin has nothing to approve, and a forged post is a 404.
    assert (
        "Ingen roll väntar på ditt godkännande."
        in client.get(reverse("web:organisation_grants")).text
    )
    assert client.post(decide, {"decision": "approve"}).status_code == 404
    assert not member.user.memberships.filter(role=Role.KAA_COORDINATOR).exists()

    client.force_login(second.user)
    assert "1 roll väntar på ditt godkännande" in client.get(reverse("web:start")).text
    assert "kollega" in client.get(reverse("web:organisation_grants")).text
    client.post(decide, {"decision": "approve"})
    assert member.user.memberships.filter(role=Role.KAA_COORDINATOR).exists()
    assert list(
        GrantEvent.objects.filter(user=member.user).order_by("id").values_list("event", flat=True)
    ) == ["requested", "approved", "granted"]


@pytest.fixture
def superuser(municipality):
    user = UserFactory(username="admin", is_staff=True, is_superuser=True)
    MembershipFactory(user=user, organisation=municipality, role=Role.SYSTEM_ADMIN)
    return user


def test_django_admin_grants_through_the_same_rules(client, superuser, municipality, settings):
    ung = UserFactory(username="ung", person=PersonFactory())
    stranger = MembershipFactory(organisation=MunicipalityFactory(), role=Role.MENTOR).user
    client.force_login(superuser)
    add = reverse("admin:accounts_membership_add")

    def post(user, role):
        return client.post(add, {"user": user.pk, "organisation": municipality.pk, "role": role})

    refused_self = post(superuser, "kaa_coordinator")
    assert refused_self.status_code == 200 and ERROR_SELF_GRANT in refused_self.text
    refused_ung = post(ung, "case_worker")
    assert refused_ung.status_code == 200 and ERROR_PERSON_LINKED_USER in refused_ung.text
    assert not Membership.objects.filter(organisation=municipality).exclude(user=superuser).exists()

    invited = post(stranger, "kaa_coordinator")
    assert invited.status_code == 302
    assert not stranger.memberships.filter(organisation=municipality).exists()
    assert RoleGrant.objects.get(user=stranger).status == GrantStatus.INVITED
    assert GrantEvent.objects.get(user=stranger).actor_user == superuser


def test_django_admin_removal_is_in_the_audit_trail(client, superuser, municipality):
    member = MembershipFactory(organisation=municipality, role=Role.MENTOR)
    client.force_login(superuser)
    url = reverse("admin:accounts_membership_delete", args=[member.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()
    event = GrantEvent.objects.get()
    assert (event.event, event.actor_user, event.user) == ("removed", superuser, member.user)


def test_the_membership_inline_on_the_user_page_cannot_add_or_change(client, superuser):
    target = MembershipFactory(role=Role.EVALUATOR).user
    client.force_login(superuser)
    page = client.get(reverse("admin:accounts_user_change", args=[target.pk]))
    assert page.status_code == 200
    # The inline shows memberships but offers no form fields for them.
    assert 'name="memberships-0-role"' not in page.text
    assert 'name="memberships-__prefix__-role"' not in page.text
    # A forged inline post is ignored.
    form = page.context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if key in form.fields and value is not None and key != "password"
    }
    data |= {
        "date_joined_0": target.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": target.date_joined.strftime("%H:%M:%S"),
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": str(target.memberships.get().pk),
        "memberships-0-user": str(target.pk),
        "memberships-0-organisation": str(target.memberships.get().organisation_id),
        "memberships-0-role": "kaa_coordinator",
        "memberships-1-user": str(target.pk),
        "memberships-1-organisation": str(target.memberships.get().organisation_id),
        "memberships-1-role": "case_worker",
    }
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data.pop("last_login", None)
    saved = client.post(reverse("admin:accounts_user_change", args=[target.pk]), data)
    assert saved.status_code == 302  # the user form itself was valid and saved
    assert list(target.memberships.values_list("role", flat=True)) == [Role.EVALUATOR]


def test_deleting_a_user_in_django_admin_records_their_roles_as_removed(
    client, superuser, municipality
):
    member = MembershipFactory(organisation=municipality, role=Role.MENTOR)
    username = member.user.username
    client.force_login(superuser)
    url = reverse("admin:accounts_user_delete", args=[member.user.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    event = GrantEvent.objects.get()
    assert (event.event, event.username, event.role, event.actor_user) == (
        "removed",
        username,
        Role.MENTOR,
        superuser,
    )


def test_the_audit_page_does_not_query_per_event(client, orgadmin, municipality, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.LOTSEN_GRANTS_FOUR_EYES = True
    client.force_login(orgadmin.user)
    second = MembershipFactory(organisation=municipality, role=Role.ORGANISATION_ADMIN)

    def queries() -> int:
        client.force_login(second.user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("web:organisation_grants")).status_code == 200
        client.force_login(orgadmin.user)
        return len(captured)

    members = [MembershipFactory(organisation=municipality, role=Role.EVALUATOR) for _ in "abcd"]
    client.post(MEMBERS, {"username": members[0].user.username, "role": "mentor"})
    one = queries()
    for member in members[1:]:
        client.post(MEMBERS, {"username": member.user.username, "role": "mentor"})
    assert RoleGrant.objects.filter(status=GrantStatus.AWAITING_APPROVAL).count() == 4
    assert queries() == one
