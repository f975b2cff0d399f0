"""Step-up (issue 11): health-related notes and social services' case notes need the level
in LOTSEN_ASSURANCE_REQUIRED to be read or written. Below it the case page shows the rest
of the case and, in place of those notes, asks the user in plain Swedish to step up; the
step-up (a second factor, setting one up, or a new login at the identity provider asking
for the level) returns to the same page, which then shows them. Never an error page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from lotsen.accounts import assurance
from lotsen.accounts.actor import Actor
from lotsen.accounts.mfa.models import SecondFactorAttempt
from lotsen.accounts.middleware import SESSION_ASSURANCE_LEVEL, SESSION_IDENTITY_PROVIDER
from lotsen.accounts.models import OrganisationKind, Role
from lotsen.privacy.models import AccessLogEntry
from lotsen.support.services import ERROR_NOTE_STEP_UP, case_open, note_add
from tests.accounts.mfa_helpers import app_for, fresh_code
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolUnitFactory,
    consent_create,
)

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"
HEALTH_TEXT = "Berättar om sömnproblem och oro."
SCHOOL_TEXT = "Har missat två prov i matematik."
SOCIAL_TEXT = "Familjen har fått stöd av socialtjänsten sedan i våras."
PROMPT_HEALTH = "Styrk din inloggning för att se hälsorelaterade anteckningar."
PROMPT_SOCIAL = "Styrk din inloggning för att se socialtjänstens anteckningar."


@pytest.fixture
def world(db):
    school = SchoolUnitFactory(name="Björkskolan")
    social = OrganisationFactory(name="Socialtjänsten", kind=OrganisationKind.SOCIAL_SERVICES)
    pupil = PersonFactory(given_name="Sara", family_name="Lind")
    EnrolmentFactory(person=pupil, school_unit=school)
    mentor = Actor.for_membership(MembershipFactory(organisation=school, role=Role.MENTOR))
    coach = Actor.for_membership(MembershipFactory(organisation=social, role=Role.CASE_WORKER))
    consent_create(person=pupil, organisations=[social], categories=["support"])
    school_case = case_open(actor=mentor, person=pupil, target_groups=["dropout"])
    # Written outside a login (an empty level, as a command or the demo writes them).
    note_add(actor=mentor, case=school_case, category="health", text=HEALTH_TEXT)
    note_add(actor=mentor, case=school_case, category="school", text=SCHOOL_TEXT)
    social_case = case_open(actor=coach, person=pupil, target_groups=["dropout"])
    note_add(actor=coach, case=social_case, category="support", text=SOCIAL_TEXT)
    return {
        "mentor": mentor,
        "coach": coach,
        "school_case": school_case,
        "social_case": social_case,
    }


def _password_login(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session[SESSION_ASSURANCE_LEVEL] == assurance.LOCAL_PASSWORD


def _case_url(case) -> str:
    return reverse("support:case_detail", args=[case.pk])


def _levels_of_case_reads(case) -> list[str]:
    return list(
        AccessLogEntry.objects.filter(object_type="case", object_id=str(case.pk), action="view")
        .order_by("id")
        .values_list("assurance_level", flat=True)
    )


def test_below_the_level_the_case_shows_all_but_the_health_note_and_asks_to_step_up(client, world):
    mentor, case = world["mentor"], world["school_case"]
    _password_login(client, mentor.user)
    page = client.get(_case_url(case))
    html = page.content.decode()
    assert page.status_code == 200
    assert PROMPT_HEALTH in html
    assert HEALTH_TEXT not in html
    assert SCHOOL_TEXT in html  # the rest of the case, notes included, as before
    step_up = reverse("accounts:mfa:step_up") + "?next=" + _case_url(case)
    assert step_up + "%23anteckningar" in html

    # No second factor yet: the step-up offers to set one up, and returns to the case.
    offer = client.get(step_up + "%23anteckningar")
    assert offer.status_code == 200
    offered = offer.content.decode()
    assert "Du har ingen andra faktor ännu" in offered
    enrol_url = reverse("accounts:mfa:totp_enrol") + "?next=" + _case_url(case) + "%23anteckningar"
    assert enrol_url in offered
    client.get(enrol_url)
    device = TOTPDevice.objects.get(user=mentor.user)
    done = client.post(enrol_url, {"code": fresh_code(device)})
    codes_page = client.get(done.url).content.decode()
    assert f'href="{_case_url(case)}#anteckningar"' in codes_page

    after = client.get(_case_url(case)).content.decode()
    assert HEALTH_TEXT in after and SCHOOL_TEXT in after
    assert PROMPT_HEALTH not in after
    assert _levels_of_case_reads(case) == [assurance.LOCAL_PASSWORD, assurance.LOCAL_SECOND_FACTOR]


def test_step_up_with_the_app_returns_to_the_case_and_shows_the_note(client, world):
    mentor, case = world["mentor"], world["school_case"]
    _password_login(client, mentor.user)
    device = app_for(mentor.user)  # set up in another session since this one logged in
    url = reverse("accounts:mfa:step_up") + "?" + urlencode({"next": _case_url(case)})
    form = client.get(url)
    assert form.status_code == 200
    assert "Bekräfta med din andra faktor" in form.content.decode()

    wrong = client.post(url, {"code": "12345"})
    assert wrong.status_code == 200  # the form again with the message, never an error page
    assert "Koden stämmer inte" in wrong.content.decode()
    assert client.session[SESSION_ASSURANCE_LEVEL] == assurance.LOCAL_PASSWORD

    response = client.post(url, {"code": fresh_code(device), "next": _case_url(case)})
    assert response.status_code == 302 and response.url == _case_url(case)
    assert client.session[SESSION_ASSURANCE_LEVEL] == assurance.LOCAL_SECOND_FACTOR
    assert HEALTH_TEXT in client.get(_case_url(case)).content.decode()
    assert list(
        SecondFactorAttempt.objects.filter(user=mentor.user)
        .order_by("id")
        .values_list("purpose", "outcome")
    ) == [("step_up", "failure"), ("step_up", "success")]


def test_step_up_goes_only_back_to_lotsen(client, world):
    mentor = world["mentor"]
    _password_login(client, mentor.user)
    device = app_for(mentor.user)
    response = client.post(
        reverse("accounts:mfa:step_up"),
        {"code": fresh_code(device), "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response.url == reverse("web:start")


def test_social_services_notes_need_the_level_too_for_reading_and_writing(client, world):
    coach, case = world["coach"], world["social_case"]
    _password_login(client, coach.user)
    html = client.get(_case_url(case)).content.decode()
    assert PROMPT_SOCIAL in html and SOCIAL_TEXT not in html

    write = client.get(reverse("support:note_create", args=[case.pk]))
    assert write.status_code == 200
    assert "Styrk din inloggning för att skriva socialtjänstens anteckningar." in (
        write.content.decode()
    )
    refused = client.post(
        reverse("support:note_create", args=[case.pk]), {"category": "support", "text": "Ny"}
    )
    assert refused.status_code == 200
    assert case.notes.count() == 1

    device = app_for(coach.user)
    client.post(reverse("accounts:mfa:step_up"), {"code": fresh_code(device)})
    assert SOCIAL_TEXT in client.get(_case_url(case)).content.decode()
    saved = client.post(
        reverse("support:note_create", args=[case.pk]), {"category": "support", "text": "Ny"}
    )
    assert saved.status_code == 302
    assert case.notes.count() == 2


def test_below_the_level_the_note_form_leaves_out_health_and_the_service_refuses_it(client, world):
    mentor, case = world["mentor"], world["school_case"]
    _password_login(client, mentor.user)
    form = client.get(reverse("support:note_create", args=[case.pk])).content.decode()
    assert 'value="health"' not in form
    assert "Styrk din inloggning för att skriva hälsorelaterade anteckningar." in form
    client.post(
        reverse("support:note_create", args=[case.pk]), {"category": "health", "text": "Nej"}
    )
    assert not case.notes.filter(text="Nej").exists()

    at_password = Actor.for_membership(mentor.membership, assurance_level="local_password")
    with pytest.raises(ValidationError) as exc:
        note_add(actor=at_password, case=case, category="health", text="Nej")
    assert exc.value.message_dict == {"category": [ERROR_NOTE_STEP_UP]}
    at_mfa = Actor.for_membership(mentor.membership, assurance_level="local_mfa")
    assert note_add(actor=at_mfa, case=case, category="health", text="Ja").pk
    at_loa2 = Actor.for_membership(mentor.membership, assurance_level="loa2")
    with pytest.raises(ValidationError):
        note_add(actor=at_loa2, case=case, category="health", text="Nej")


def test_an_identity_provider_login_steps_up_at_the_provider_asking_for_the_level(
    client, world, oidc_provider
):
    from tests.accounts.test_oidc import make_provider

    provider = make_provider(oidc_provider)
    mentor, case = world["mentor"], world["school_case"]
    client.force_login(mentor.user)
    session = client.session
    session[SESSION_ASSURANCE_LEVEL] = "loa2"
    session[SESSION_IDENTITY_PROVIDER] = provider.pk
    session.save()
    assert PROMPT_HEALTH in client.get(_case_url(case)).content.decode()

    response = client.get(
        reverse("accounts:mfa:step_up") + "?" + urlencode({"next": _case_url(case)})
    )
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.url).query)
    assert response.url.startswith(oidc_provider.issuer)
    assert query["acr_values"] == [
        "http://id.elegnamnden.se/loa/1.0/loa3 http://id.sambi.se/loa/loa3 "
        "http://id.elegnamnden.se/loa/1.0/loa4"
    ]
    assert client.session["lotsen_oidc_next"] == _case_url(case)
    # A second factor of Lotsen's own does not lift a provider's login.
    assert not SecondFactorAttempt.objects.exists()
