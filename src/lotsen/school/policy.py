"""School's legal basis, registered with the privacy door at start-up (``SchoolConfig.ready``).

A school unit, and the organiser it belongs to, reach their own pupils for purpose "school"
while the pupils are enrolled: from the enrolment's start date up to and including its end
date. Identity and school data only; everything else needs a consent.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind
from lotsen.privacy.models import Category, Purpose
from lotsen.privacy.policy import LegalBasis, nothing, person_in
from lotsen.school.models import Enrolment


def current_pupils_q(actor: Actor, today: dt.date) -> Q:
    """Persons enrolled on ``today`` at the actor's school unit, or at any unit of the
    actor's school organiser."""
    org = actor.organisation
    if org is None:
        return nothing()
    if org.kind == OrganisationKind.SCHOOL_UNIT:
        units = Q(school_unit=org)
    elif org.kind == OrganisationKind.SCHOOL_ORGANISER:
        units = Q(school_unit__parent=org)
    else:
        return nothing()
    enrolled = Enrolment.objects.filter(units, start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    return person_in(enrolled)


CURRENT_PUPILS = LegalBasis(
    name="school.current_pupils",
    purpose=Purpose.SCHOOL,
    categories=frozenset({Category.IDENTITY, Category.SCHOOL}),
    persons_q=current_pupils_q,
)
