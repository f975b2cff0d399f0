"""An organisation's own rule on consent: below an age, a guardian must consent too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from lotsen.accounts.models import OrganisationKind, Role
from lotsen.privacy.models import Consent
from lotsen.privacy.services import ERROR_CONSENT_GUARDIAN_REQUIRED, consent_record
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolUnitFactory,
)
from tests.support.conftest import actor_in

pytestmark = pytest.mark.django_db

GIVEN_ON = dt.date(2026, 9, 1)


def pupil_born(born: dt.date, school):
    person = PersonFactory(date_of_birth=born)
    EnrolmentFactory(person=person, school_unit=school)
    return person


def record(actor, person, organisations, given_by="young_person", guardian_name=""):
    return consent_record(
        actor=actor,
        person=person,
        purpose="school",
        given_by=given_by,
        guardian_name=guardian_name,
        organisations=organisations,
        categories=["support"],
        given_on=GIVEN_ON,
    )


def test_below_the_age_the_young_persons_consent_alone_is_refused(db):
    school = SchoolUnitFactory()
    social = OrganisationFactory(
        name="Socialtjänsten", kind=OrganisationKind.SOCIAL_SERVICES, guardian_consent_below_age=15
    )
    clinic = OrganisationFactory(name="Ungdomsmottagningen", kind=OrganisationKind.HEALTH_CARE)
    mentor = actor_in(school, Role.MENTOR)
    # 15 the day after the consent: still 14 on the day it is given
    young = pupil_born(dt.date(2011, 9, 2), school)
    with pytest.raises(ValidationError) as exc:
        record(mentor, young, [clinic, social])
    assert exc.value.message_dict == {
        "given_by": [ERROR_CONSENT_GUARDIAN_REQUIRED.format(organisation="Socialtjänsten", age=15)]
    }
    assert Consent.objects.count() == 0
    # the youth clinic has no such rule; with a guardian too, social services accepts
    record(mentor, young, [clinic])
    record(mentor, young, [social], given_by="both", guardian_name="Eva Berg")
    assert Consent.objects.count() == 2


def test_on_the_birthday_the_young_persons_own_consent_is_enough(db):
    school = SchoolUnitFactory()
    social = OrganisationFactory(
        kind=OrganisationKind.SOCIAL_SERVICES, guardian_consent_below_age=15
    )
    mentor = actor_in(school, Role.MENTOR)
    young = pupil_born(dt.date(2011, 9, 1), school)
    assert record(mentor, young, [social]).given_by == "young_person"


def test_the_rule_is_shown_at_the_field_on_the_consent_form(client, db):
    from django.urls import reverse

    school = SchoolUnitFactory()
    social = OrganisationFactory(
        kind=OrganisationKind.SOCIAL_SERVICES, guardian_consent_below_age=18
    )
    membership = MembershipFactory(organisation=school, role=Role.MENTOR)
    young = pupil_born(dt.date(2012, 1, 1), school)
    client.force_login(membership.user)
    response = client.post(
        reverse("web:consent_create", args=[young.pk]),
        {
            "given_by": "young_person",
            "organisations": [social.pk],
            "categories": ["support"],
            "given_on": GIVEN_ON.isoformat(),
        },
    )
    assert response.status_code == 200
    assert 'id="id_given_by-error"' in response.text and "under 18 år" in response.text
