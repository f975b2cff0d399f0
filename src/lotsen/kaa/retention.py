"""Retention (gallring) of KAA records, run by ``lotsen kaa retention`` on a schedule.

Legal basis (domain/swedish-rules-and-sources.md §1.3 and §6.4): förordning (2006:39) has
a gallring section whose current wording could not be retrieved [UNVERIFIED]; beyond it,
arkivlagen (1990:782) and the municipality's own dokumenthanteringsplan
(informationshanteringsplan) decide how long KAA records are kept, and GDPR art. 5.1 e
(storage limitation) says no longer than needed. So the periods are configuration, not
code: ``settings.LOTSEN_KAA_RETENTION_YEARS`` overrides any of the defaults below, which
are placeholders until the municipality's archive decision names its own.

When a record's time is over:
- the work about a person (contacts, measures with their follow-ups, the plan, and who
  had them in their caseload) is
  deleted, counted from the day the person's KAA in that municipality ended (the last
  membership's end), never while a membership is open; records about someone who was
  never in the cohort count from their own date;
- cohort memberships are anonymised, not deleted: the link to the person goes, gender
  and birth year stay, so the statistics keep their aggregates (DESIGN.md);
- notices are deleted counted from the day they were sent;
- population register data kept for the KAA (residence periods, qualifications,
  equivalent education) is deleted counted from the person's 20th birthday, after which
  no cohort can include them.

Each run records its counts in ``RetentionRun`` and in the log; a dry run counts only.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import DateField, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from lotsen.kaa.models import (
    CaseloadAssignment,
    CohortMembership,
    Contact,
    EquivalentEducation,
    Measure,
    Notice,
    Plan,
    Qualification,
    ResidencePeriod,
    RetentionRun,
)

logger = logging.getLogger("lotsen.kaa.retention")

DEFAULT_RETENTION_YEARS: dict[str, int] = {
    "contact": 3,
    "measure": 3,
    "plan": 3,
    "membership": 3,
    "notice": 3,
    "population": 3,
}
RECORD_TYPES = tuple(DEFAULT_RETENTION_YEARS)


def retention_years() -> dict[str, int]:
    configured = getattr(settings, "LOTSEN_KAA_RETENTION_YEARS", {}) or {}
    return {**DEFAULT_RETENTION_YEARS, **{k: int(v) for k, v in configured.items()}}


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _work_expired(queryset: QuerySet, *, own_date, cutoff: dt.date) -> QuerySet:
    """Records about a person in a municipality whose KAA there ended on or before
    ``cutoff`` (or, never in the cohort there, whose own date is on or before it)."""
    same = CohortMembership.objects.filter(
        person_id=OuterRef("person_id"), municipality_code=OuterRef("municipality_code")
    )
    return (
        queryset.annotate(
            kaa_open=Exists(same.filter(left_on__isnull=True)),
            kaa_any=Exists(same),
            kaa_ended=Subquery(same.order_by("-left_on").values("left_on")[:1]),
            own=own_date,
        )
        .filter(kaa_open=False)
        .filter(Q(kaa_any=True, kaa_ended__lte=cutoff) | Q(kaa_any=False, own__lte=cutoff))
    )


@dataclass
class RetentionResult:
    today: dt.date
    dry_run: bool
    counts: dict[str, int]
    run_id: int | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def kaa_retention_run(*, today: dt.date | None = None, dry_run: bool = False) -> RetentionResult:
    """Delete or anonymise every KAA record whose retention time is over."""
    today = today or timezone.localdate()
    years = retention_years()
    cutoff = {kind: _years_before(today, n) for kind, n in years.items()}
    with transaction.atomic():
        contacts = _work_expired(
            Contact.objects.all(), own_date=F("contact_date"), cutoff=cutoff["contact"]
        )
        measures = _work_expired(
            Measure.objects.all(),
            own_date=Coalesce("end_date", "offered_on"),
            cutoff=cutoff["measure"],
        )
        plans = _work_expired(
            Plan.objects.all(),
            own_date=Cast("updated_at", DateField()),
            cutoff=cutoff["plan"],
        )
        # Who had the person in their caseload is work about the person, kept as long as
        # the contacts made in it.
        caseload = _work_expired(
            CaseloadAssignment.objects.all(),
            own_date=Cast(Coalesce("ended_at", "assigned_at"), DateField()),
            cutoff=cutoff["contact"],
        )
        memberships = CohortMembership.objects.filter(
            person__isnull=False, left_on__isnull=False, left_on__lte=cutoff["membership"]
        )
        notices = Notice.objects.filter(sent_at__date__lte=cutoff["notice"])
        born_before = _years_before(cutoff["population"], 20)
        population = {
            "residence_periods": ResidencePeriod.objects.filter(
                person__date_of_birth__lte=born_before
            ),
            "qualifications": Qualification.objects.filter(person__date_of_birth__lte=born_before),
            "equivalent_education": EquivalentEducation.objects.filter(
                person__date_of_birth__lte=born_before
            ),
        }
        counts = {
            "contacts_deleted": contacts.count(),
            "measures_deleted": measures.count(),
            "plans_deleted": plans.count(),
            "caseload_assignments_deleted": caseload.count(),
            "memberships_anonymised": memberships.count(),
            "notices_deleted": notices.count(),
            **{f"{name}_deleted": qs.count() for name, qs in population.items()},
        }
        if not dry_run:
            # Delete by primary key: annotated querysets cannot always be deleted directly.
            for queryset in (contacts, measures, plans, caseload):
                queryset.model.objects.filter(
                    pk__in=list(queryset.values_list("pk", flat=True))
                ).delete()
            memberships.update(person=None, anonymised_at=timezone.now())
            notices.delete()
            for queryset in population.values():
                queryset.delete()
        run = RetentionRun.objects.create(dry_run=dry_run, today=today, counts=counts)
    logger.info(
        "KAA retention%s: %s",
        " (dry run)" if dry_run else "",
        ", ".join(f"{k}={v}" for k, v in counts.items()),
    )
    return RetentionResult(today=today, dry_run=dry_run, counts=counts, run_id=run.pk)
