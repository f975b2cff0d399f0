"""Pages end to end through the test client: login, search, person page, forms, 404s."""

import re
import time

import pytest
from django.urls import reverse

from lotsen.accounts.middleware import SESSION_LOGIN_AT, SESSION_MEMBERSHIP
from lotsen.accounts.models import OrganisationKind, Role
from lotsen.people.identity import ERROR_CHECKSUM
from lotsen.people.models import Person
from lotsen.privacy.models import AccessLogEntry, Action, Consent
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    consent_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def municipality():
    return MunicipalityFactory(municipality_code="0180", name="Exempelstad")


@pytest.fixture
def kaa_client(client, municipality):
    membership = MembershipFactory(organisation=municipality, role=Role.KAA_COORDINATOR)
    client.force_login(membership.user)
    client.membership = membership
    return client


def test_login_page_is_swedish_and_login_works(client, municipality):
    membership = MembershipFactory(organisation=municipality, role=Role.KAA_COORDINATOR)
    page = client.get(reverse("accounts:login"))
    assert page.status_code == 200
    assert '<html lang="sv"' in page.text and "Logga in i Lotsen" in page.text
    bad = client.post(
        reverse("accounts:login"), {"username": membership.user.username, "password": "wrong"}
    )
    assert "Fel användarnamn eller lösenord." in bad.text
    good = client.post(
        reverse("accounts:login"),
        {"username": membership.user.username, "password": "secret-pass-123"},
    )
    assert good.status_code == 302
    start = client.get(reverse("web:start"))
    assert "Exempelstad" in start.text


def test_pages_require_login(client):
    for name in ("web:start", "web:person_search", "web:organisation_members"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_english_is_available(kaa_client):
    kaa_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = kaa_client.get(reverse("web:person_search"))
    assert '<html lang="en"' in page.text


def test_user_with_several_memberships_chooses_one(client, municipality):
    user = UserFactory()
    first = MembershipFactory(user=user, organisation=municipality, role=Role.KAA_COORDINATOR)
    MembershipFactory(user=user, organisation=OrganisationFactory(), role=Role.CASE_WORKER)
    client.force_login(user)
    assert client.get(reverse("web:start"))["Location"] == reverse("accounts:choose_membership")
    client.post(reverse("accounts:choose_membership"), {"membership": str(first.pk)})
    assert client.session[SESSION_MEMBERSHIP] == first.pk
    assert client.get(reverse("web:start")).status_code == 200


def test_search_and_person_page(kaa_client):
    person = PersonFactory(home_municipality_code="0180", given_name="Sara", family_name="Ek")
    PersonFactory(home_municipality_code="1480", given_name="Sara", family_name="Ek")
    results = kaa_client.post(reverse("web:person_search"), {"q": "sara"})
    assert results.text.count("Ek, Sara") == 1
    page = kaa_client.get(reverse("web:person_detail", args=[person.pk]))
    assert page.status_code == 200
    assert person.identity_number_display in page.text
    # The page shows who has read the data, including this very read.
    assert "Vem i er organisation har läst personens uppgifter?" in page.text
    assert AccessLogEntry.objects.filter(person=person, action=Action.VIEW).count() == 1


def test_htmx_search_returns_only_the_results_fragment(kaa_client):
    PersonFactory(home_municipality_code="0180", given_name="Sara", family_name="Ek")
    fragment = kaa_client.post(
        reverse("web:person_search"), {"q": "sara"}, headers={"HX-Request": "true"}
    )
    assert "Ek, Sara" in fragment.text and "<html" not in fragment.text


def test_foreign_and_missing_person_give_the_same_404(kaa_client):
    foreign = PersonFactory(home_municipality_code="1480")
    missing = kaa_client.get(f"/personer/{foreign.pk + 999}/")
    forbidden = kaa_client.get(f"/personer/{foreign.pk}/")
    assert missing.status_code == forbidden.status_code == 404
    # Byte for byte, apart from the language switch's CSRF token (masked anew every time).
    csrf = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
    assert csrf.sub(b"", missing.content) == csrf.sub(b"", forbidden.content)
    for url in (
        f"/personer/{foreign.pk}/samtycken/nytt/",
        f"/personer/{foreign.pk}/samtycken/1/aterkalla/",
    ):
        assert kaa_client.post(url).status_code == 404


def test_invalid_personnummer_gets_a_form_error_naming_the_field(kaa_client):
    response = kaa_client.post(
        reverse("web:person_create"),
        {
            "personal_identity_number": "20090517-1235",
            "given_name": "Ali",
            "family_name": "Nur",
            "gender": "man",
        },
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert f"Personnummer eller samordningsnummer: {ERROR_CHECKSUM}" in response.text
    assert 'id="id_personal_identity_number-error"' in response.text
    assert not Person.objects.exists()


def test_kaa_coordinator_registers_a_person_in_the_municipality(kaa_client):
    import datetime as dt

    from lotsen.people.identity import make_identity_number

    number = make_identity_number(dt.date(2009, 4, 2), 432)
    response = kaa_client.post(
        reverse("web:person_create"),
        {
            "personal_identity_number": number,
            "given_name": "Ali",
            "family_name": "Nur",
            "gender": "man",
        },
    )
    person = Person.objects.get()
    assert response["Location"] == reverse("web:person_detail", args=[person.pk])
    assert person.home_municipality_code == "0180" and person.gender == "man"
    again = kaa_client.post(
        reverse("web:person_create"),
        {
            "personal_identity_number": number,
            "given_name": "Ali",
            "family_name": "Nur",
            "gender": "man",
        },
    )
    assert "Det finns redan en person med det personnumret." in again.text


def test_consent_through_the_pages(kaa_client):
    social = OrganisationFactory(kind=OrganisationKind.SOCIAL_SERVICES, name="Socialtjänsten")
    person = PersonFactory(home_municipality_code="0180")
    url = reverse("web:consent_create", args=[person.pk])
    form = kaa_client.post(url, {"given_by": "young_person", "given_on": "2026-01-01"})
    assert "Välj minst en organisation som samtycket gäller." in form.text
    assert "Välj minst en sorts uppgifter som samtycket gäller." in form.text
    done = kaa_client.post(
        url,
        {
            "given_by": "young_person",
            "given_on": "2026-01-01",
            "organisations": [social.pk],
            "categories": ["support"],
        },
    )
    assert done.status_code == 302
    consent = Consent.objects.get()
    page = kaa_client.get(reverse("web:person_detail", args=[person.pk]))
    assert "Socialtjänsten" in page.text and "Återkalla" in page.text
    kaa_client.post(reverse("web:consent_withdraw", args=[person.pk, consent.pk]))
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_protected_contact_details_are_hidden_from_unnamed_roles(client, settings):
    settings.LOTSEN_PROTECTED_IDENTITY_ROLES = ["kaa_coordinator"]
    social = OrganisationFactory(kind=OrganisationKind.SOCIAL_SERVICES)
    person = PersonFactory(
        protected_identity=True, street_address="Hemliga vägen 1", phone="070-1112233"
    )
    consent_create(person=person, organisations=[social], categories=["support"])
    coach = MembershipFactory(organisation=social, role=Role.CASE_WORKER)
    client.force_login(coach.user)
    page = client.get(reverse("web:person_detail", args=[person.pk]))
    assert page.status_code == 200
    assert "Hemliga vägen" not in page.text and "070-1112233" not in page.text
    assert "Dolda. Personen har skyddade personuppgifter." in page.text


def test_young_person_lands_on_their_own_page(client):
    me = PersonFactory()
    user = UserFactory(person=me)
    client.force_login(user)
    response = client.get(reverse("web:start"))
    assert response["Location"] == reverse("youth:start")
    page = client.get(reverse("web:person_detail", args=[me.pk]))
    assert "Vem har läst mina uppgifter?" in page.text
    other = PersonFactory()
    assert client.get(reverse("web:person_detail", args=[other.pk])).status_code == 404


def test_emergency_access_page(client):
    school = OrganisationFactory(kind=OrganisationKind.SCHOOL_UNIT, school_unit_code="12345678")
    mentor = MembershipFactory(organisation=school, role=Role.MENTOR)
    person = PersonFactory()
    client.force_login(mentor.user)
    url = reverse("web:emergency_access")
    short = client.post(
        url, {"personal_identity_number": person.personal_identity_number, "reason": "kort"}
    )
    assert "Skriv skälet till nödåtkomsten" in short.text
    opened = client.post(
        url,
        {
            "personal_identity_number": person.personal_identity_number,
            "reason": "Den unga har hört av sig och är i akut kris.",
        },
    )
    assert opened["Location"] == reverse("web:person_detail", args=[person.pk])
    page = client.get(opened["Location"])
    assert "Du läser med nödåtkomst" in page.text


def test_organisation_admin_manages_members(client, municipality):
    admin = MembershipFactory(organisation=municipality, role=Role.ORGANISATION_ADMIN)
    newcomer = UserFactory(username="nykomling")
    client.force_login(admin.user)
    url = reverse("web:organisation_members")
    unknown = client.post(url, {"username": "finns-inte", "role": "mentor"})
    assert "Det finns ingen användare med det användarnamnet." in unknown.text
    # Somebody who is not yet a member is invited, and joins only by accepting.
    client.post(url, {"username": "nykomling", "role": "kaa_coordinator"})
    assert not newcomer.memberships.exists()
    grant = newcomer.role_grants.get()
    client.force_login(newcomer)
    client.post(reverse("accounts:invitation_answer", args=[grant.pk]), {"answer": "accept"})
    membership = newcomer.memberships.get()
    assert membership.role == "kaa_coordinator"
    client.force_login(admin.user)
    client.post(reverse("web:membership_remove", args=[membership.pk]))
    assert not newcomer.memberships.exists()
    # The last administrator cannot be removed.
    client.post(reverse("web:membership_remove", args=[admin.pk]))
    assert municipality.memberships.filter(role="organisation_admin").exists()


def test_members_page_is_for_organisation_admins_only(kaa_client):
    assert kaa_client.get(reverse("web:organisation_members")).status_code == 404


def test_absolute_session_timeout(kaa_client, settings):
    assert kaa_client.get(reverse("web:start")).status_code == 200
    session = kaa_client.session
    session[SESSION_LOGIN_AT] = time.time() - settings.LOTSEN_SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = kaa_client.get(reverse("web:start"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert kaa_client.get(reverse("web:start")).status_code == 302


def test_idle_timeout_is_thirty_minutes_renewed_on_each_request(kaa_client):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from lotsen.accounts.middleware import session_renew_seconds

    kaa_client.get(reverse("web:start"))
    session = Session.objects.get(session_key=kaa_client.session.session_key)
    remaining = (session.expire_date - timezone.now()).total_seconds()
    # The store keeps the session the renewal interval longer than the idle limit, so
    # that it never ends before the page's warning says (lotsen.accounts.session_store).
    assert 29 * 60 < remaining <= 30 * 60 + session_renew_seconds()
    # Thirty minutes without a request: the server no longer knows the session.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now())
    response = kaa_client.get(reverse("web:start"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_staff_see_only_their_organisations_consents_and_log_entries(client):
    """That social services or a youth clinic works with a pupil is support or health
    information: a school sees neither their consents nor their reads; the young person
    sees everything."""
    from lotsen.privacy.services import access_log_record

    school = OrganisationFactory(kind=OrganisationKind.SCHOOL_UNIT, school_unit_code="55555555")
    clinic = OrganisationFactory(kind=OrganisationKind.HEALTH_CARE, name="Ungdomsmottagningen")
    mentor = MembershipFactory(organisation=school, role=Role.MENTOR)
    nurse = MembershipFactory(organisation=clinic, role=Role.CASE_WORKER)
    person = EnrolmentFactory(school_unit=school).person
    consent_create(person=person, organisations=[clinic], categories=["health"])
    from lotsen.accounts.actor import Actor

    access_log_record(
        actor=Actor.for_membership(nurse), action="view", purpose="support", person_ids=[person.pk]
    )

    client.force_login(mentor.user)
    page = client.get(reverse("web:person_detail", args=[person.pk])).text
    assert "Ungdomsmottagningen" not in page
    assert "Inga samtycken registrerade." in page
    assert mentor.user.last_name in page  # the mentor's own read is listed

    client.force_login(UserFactory(person=person))
    own = client.get(reverse("web:person_detail", args=[person.pk])).text
    assert own.count("Ungdomsmottagningen") >= 2  # the consent and the clinic's read


def test_a_search_never_puts_the_query_in_the_url(kaa_client):
    person = PersonFactory(home_municipality_code="0180", given_name="Sara", family_name="Ek")
    number = person.identity_number_display
    # A GET with a query searches nothing: the form is POST only.
    assert "Ek, Sara" not in kaa_client.get(reverse("web:person_search"), {"q": number}).text
    found = kaa_client.post(reverse("web:person_search"), {"q": number})
    assert "Ek, Sara" in found.text
    assert 'method="post"' in kaa_client.get(reverse("web:start")).text


def test_emergency_lookup_says_nothing_before_the_reason_is_valid(client):
    school = OrganisationFactory(kind=OrganisationKind.SCHOOL_UNIT, school_unit_code="44444444")
    mentor = MembershipFactory(organisation=school, role=Role.MENTOR)
    client.force_login(mentor.user)
    existing = PersonFactory().personal_identity_number
    from tests.factories import fresh_identity_number

    missing = fresh_identity_number()
    answers = [
        client.post(
            reverse("web:emergency_access"), {"personal_identity_number": n, "reason": "kort"}
        )
        for n in (existing, missing)
    ]
    assert all("Skriv skälet till nödåtkomsten" in a.text for a in answers)
    assert not any("Ingen person med det personnumret" in a.text for a in answers)
    assert not AccessLogEntry.objects.exists()
