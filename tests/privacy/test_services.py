"""Consent and emergency-access services: validation, audit rows, nothing half-written."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lotsen.accounts.models import OrganisationKind, Role
from lotsen.privacy import services
from lotsen.privacy.models import (
    AccessLogEntry,
    Action,
    Category,
    Consent,
    EmergencyAccess,
    Purpose,
)
from lotsen.privacy.policy import PersonPolicy
from tests.factories import MunicipalityFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(make_actor):
    municipality = MunicipalityFactory(municipality_code="0180")
    social = OrganisationFactory(kind=OrganisationKind.SOCIAL_SERVICES)
    person = PersonFactory(home_municipality_code="0180")
    kaa = make_actor(organisation=municipality, role=Role.KAA_COORDINATOR)
    coach = make_actor(organisation=social, role=Role.CASE_WORKER)
    return person, social, kaa, coach


def record(kaa, person, **overrides):
    fields = dict(
        actor=kaa,
        person=person,
        purpose=Purpose.KAA,
        given_by="young_person",
        organisations=[],
        categories=[Category.SUPPORT],
        given_on=timezone.localdate(),
    )
    fields.update(overrides)
    return services.consent_record(**fields)


def test_consent_record_grants_access_and_is_logged(setting):
    person, social, kaa, coach = setting
    consent = record(kaa, person, organisations=[social])
    assert PersonPolicy(coach).may_view(person, purpose=Purpose.SUPPORT, category=Category.SUPPORT)
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.object_type, entry.object_id) == (
        Action.CREATE,
        "consent",
        str(consent.pk),
    )


def test_consent_errors_name_each_field_and_write_nothing(setting):
    person, _social, kaa, _coach = setting
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        record(
            kaa,
            person,
            given_by="guardian",
            categories=[Category.IDENTITY],
            expires_on=today - dt.timedelta(days=1),
        )
    assert exc.value.message_dict == {
        "organisations": [services.ERROR_CONSENT_NO_ORGANISATIONS],
        "categories": [services.ERROR_CONSENT_NO_CATEGORIES],
        "expires_on": [services.ERROR_CONSENT_EXPIRY],
        "guardian_name": [services.ERROR_CONSENT_GUARDIAN_NAME],
    }
    assert not Consent.objects.exists() and not AccessLogEntry.objects.exists()


def test_withdrawal_takes_effect_on_the_next_request(setting):
    person, social, kaa, coach = setting
    consent = record(kaa, person, organisations=[social])
    assert PersonPolicy(coach).may_view(person, purpose=Purpose.SUPPORT)
    services.consent_withdraw(actor=kaa, consent=consent, purpose=Purpose.KAA)
    assert not PersonPolicy(coach).may_view(person, purpose=Purpose.SUPPORT)
    with pytest.raises(ValidationError, match=services.ERROR_CONSENT_ALREADY_WITHDRAWN):
        services.consent_withdraw(actor=kaa, consent=consent, purpose=Purpose.KAA)
    assert AccessLogEntry.objects.filter(action=Action.UPDATE, object_type="consent").count() == 1


def test_emergency_access_needs_a_reason_and_a_role(setting, make_actor):
    person, social, _kaa, coach = setting
    with pytest.raises(ValidationError) as exc:
        services.emergency_access_open(actor=coach, person=person, reason="för kort")
    assert exc.value.message_dict == {"reason": [services.ERROR_EMERGENCY_REASON]}
    evaluator = make_actor(organisation=social, role=Role.EVALUATOR)
    with pytest.raises(PermissionDenied):
        services.emergency_access_open(actor=evaluator, person=person, reason="x" * 40)
    assert not EmergencyAccess.objects.exists() and not AccessLogEntry.objects.exists()


def test_emergency_access_is_reviewed_by_the_organisation_admin(setting, make_actor):
    person, social, _kaa, coach = setting
    grant = services.emergency_access_open(
        actor=coach, person=person, reason="Akut oro för den unga i kväll."
    )
    with pytest.raises(PermissionDenied):
        services.emergency_access_review(actor=coach, grant=grant, note="ok")
    admin = make_actor(organisation=social, role=Role.ORGANISATION_ADMIN)
    services.emergency_access_review(actor=admin, grant=grant, note="Befogat.")
    grant.refresh_from_db()
    assert grant.reviewed_by == admin.user and grant.reviewed_at is not None


def test_a_consent_naming_the_recorders_own_organisation_needs_evidence(setting):
    """Staff of the receiving party cannot widen their own access on their word alone:
    they say how the young person or guardian gave the consent."""
    person, social, _kaa, coach = setting
    for evidence in ("", "   ", "muntligt"):
        with pytest.raises(ValidationError) as exc:
            record(
                coach, person, purpose=Purpose.SUPPORT, organisations=[social], evidence=evidence
            )
        assert exc.value.message_dict == {
            "evidence": [
                services.ERROR_CONSENT_EVIDENCE.format(
                    min_length=services.CONSENT_EVIDENCE_MIN_LENGTH
                )
            ]
        }
    assert not Consent.objects.exists() and not AccessLogEntry.objects.exists()
    assert not PersonPolicy(coach).may_view(person, purpose=Purpose.SUPPORT)

    consent = record(
        coach,
        person,
        purpose=Purpose.SUPPORT,
        organisations=[social],
        evidence="  Undertecknad blankett vid möte 2026-01-12.  ",
    )
    assert consent.evidence == "Undertecknad blankett vid möte 2026-01-12."
    assert consent.recorded_in == coach.organisation and consent.recorded_by == coach.user


def test_a_consent_for_another_organisation_needs_no_evidence(setting):
    person, social, kaa, _coach = setting
    consent = record(kaa, person, organisations=[social])
    assert consent.evidence == "" and consent.recorded_in == kaa.organisation


def test_emergency_access_of_a_school_unit_is_reviewed_by_the_parent_admin(make_actor):
    municipality = MunicipalityFactory()
    organiser = OrganisationFactory(kind=OrganisationKind.SCHOOL_ORGANISER, parent=municipality)
    school = OrganisationFactory(kind=OrganisationKind.SCHOOL_UNIT, parent=organiser)
    mentor = make_actor(organisation=school, role=Role.MENTOR)
    grant = services.emergency_access_open(
        actor=mentor, person=PersonFactory(), reason="Akut oro för den unga i kväll."
    )
    for reviewer in (
        make_actor(organisation=organiser, role=Role.ORGANISATION_ADMIN),
        make_actor(organisation=municipality, role=Role.ORGANISATION_ADMIN),
    ):
        services.emergency_access_review(actor=reviewer, grant=grant, note="Befogat.")
        grant.refresh_from_db()
        assert grant.reviewed_by == reviewer.user and grant.reviewed_at is not None
        EmergencyAccess.objects.filter(pk=grant.pk).update(reviewed_at=None, reviewed_by=None)
    unrelated = make_actor(organisation=MunicipalityFactory(), role=Role.ORGANISATION_ADMIN)
    with pytest.raises(PermissionDenied):
        services.emergency_access_review(actor=unrelated, grant=grant, note="")
