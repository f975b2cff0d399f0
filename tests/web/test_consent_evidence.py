"""A consent recorded by the organisation it names needs evidence, and the young person
sees who recorded it and how it was given (issue 10 item 10)."""

import pytest
from django.urls import reverse

from lotsen.accounts.models import OrganisationKind, Role
from lotsen.privacy.models import Consent
from lotsen.privacy.services import CONSENT_EVIDENCE_MIN_LENGTH, ERROR_CONSENT_EVIDENCE
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    consent_create,
)

pytestmark = pytest.mark.django_db

EVIDENCE = "Undertecknad blankett vid möte 2026-01-12."


def test_the_receiving_party_records_a_consent_only_with_evidence_and_the_young_person_sees_it(
    client,
):
    MunicipalityFactory(municipality_code="0180")
    social = OrganisationFactory(kind=OrganisationKind.SOCIAL_SERVICES, name="Socialtjänsten")
    person = PersonFactory(home_municipality_code="0180")
    # The coach reaches the young person through an earlier consent for support data; the
    # new one would add school data, widening social services' own access.
    consent_create(person=person, organisations=[social], categories=["support"])
    coach = MembershipFactory(organisation=social, role=Role.CASE_WORKER)
    client.force_login(coach.user)
    url = reverse("web:consent_create", args=[person.pk])
    fields = {
        "given_by": "young_person",
        "given_on": "2026-01-12",
        "organisations": [social.pk],
        "categories": ["school"],
    }
    refused = client.post(url, fields)
    assert refused.status_code == 200
    assert ERROR_CONSENT_EVIDENCE.format(min_length=CONSENT_EVIDENCE_MIN_LENGTH) in refused.text
    assert 'id="id_evidence-error"' in refused.text
    assert Consent.objects.count() == 1

    assert client.post(url, fields | {"evidence": EVIDENCE}).status_code == 302
    recorded = Consent.objects.latest("id")
    assert recorded.recorded_in == social and recorded.evidence == EVIDENCE

    client.force_login(UserFactory(person=person))
    page = client.get(reverse("youth:consents"))
    assert page.status_code == 200
    assert "Registrerat av Socialtjänsten" in page.text
    assert EVIDENCE in page.text
