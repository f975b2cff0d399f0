"""The registry of legal bases: apps hand the door their bases at start-up, the door knows
no app, and without a basis nobody is reached (default deny)."""

import dataclasses

import pytest
from django.apps import apps

from lotsen.accounts.models import Role
from lotsen.kaa.policy import HOME_MUNICIPALITY
from lotsen.privacy import policy
from lotsen.privacy.models import Category, Purpose
from lotsen.privacy.policy import PersonPolicy, register_basis, registered_bases
from lotsen.school.policy import CURRENT_PUPILS
from tests.factories import (
    EnrolmentFactory,
    MunicipalityFactory,
    PersonFactory,
    SchoolUnitFactory,
    consent_create,
)


def test_school_and_kaa_register_their_bases_at_start_up():
    assert CURRENT_PUPILS in registered_bases()
    assert HOME_MUNICIPALITY in registered_bases()
    assert CURRENT_PUPILS.purpose == Purpose.SCHOOL
    assert CURRENT_PUPILS.categories == {Category.IDENTITY, Category.SCHOOL}
    assert HOME_MUNICIPALITY.purpose == Purpose.KAA
    assert HOME_MUNICIPALITY.categories == {Category.IDENTITY, Category.KAA}


def test_ready_run_again_registers_each_basis_once():
    before = registered_bases()
    apps.get_app_config("school").ready()
    apps.get_app_config("kaa").ready()
    assert registered_bases() == before


def test_another_basis_under_a_taken_name_is_refused():
    wider = dataclasses.replace(CURRENT_PUPILS, categories=frozenset(Category.values))
    with pytest.raises(ValueError, match="school.current_pupils"):
        register_basis(wider)
    assert CURRENT_PUPILS in registered_bases()
    assert wider not in registered_bases()


@pytest.mark.django_db
def test_without_a_registered_basis_only_privacys_own_bases_grant(make_actor, monkeypatch):
    # The door with no app's basis: the school no longer reaches its pupil nor the
    # municipality its resident, while a consent (privacy's own basis) still grants.
    monkeypatch.setattr(policy, "_BASES", {})
    school = SchoolUnitFactory()
    pupil = EnrolmentFactory(school_unit=school).person
    consenting = EnrolmentFactory(school_unit=school).person
    consent_create(person=consenting, organisations=[school], categories=[Category.SCHOOL])
    municipality = MunicipalityFactory(municipality_code="0180")
    PersonFactory(home_municipality_code="0180")
    mentor = make_actor(organisation=school, role=Role.MENTOR)
    kaa = make_actor(organisation=municipality, role=Role.KAA_COORDINATOR)

    assert set(PersonPolicy(mentor).persons(purpose=Purpose.SCHOOL)) == {consenting}
    assert not PersonPolicy(mentor).may_view(pupil, purpose=Purpose.SCHOOL)
    assert set(PersonPolicy(kaa).persons(purpose=Purpose.KAA)) == set()
