"""The activity responsibility's records: population register data, the cohort, notices
from schools, the work (contacts, measures, plans, follow-ups) and the national report's
code lists.

Everything here that names a person is reached through ``kaa.selectors``, which reads
through the privacy policy (purpose "kaa"). What the register may hold is set by
förordning (2006:39) § 4: identity and contact data, past, present and future occupation,
and the content and timing of individual measures. No field here is meant for sensitive
data, and the forms say so.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lotsen.kaa import cohort


class ResidencePeriod(models.Model):
    """A period of registration in a municipality, from the population register extract.

    ``moved_out`` is the first day the person is registered elsewhere. Asylum seekers are
    outside the activity responsibility; the flag belongs to the period because it ends
    when the person is granted residence and registered.
    """

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="kaa_residences"
    )
    municipality_code = models.CharField(_("kommunkod"), max_length=4, db_index=True)
    moved_in = models.DateField(_("inflyttad"), null=True, blank=True)
    moved_out = models.DateField(_("utflyttad"), null=True, blank=True)
    asylum_seeker = models.BooleanField(_("asylsökande"), default=False)

    class Meta:
        verbose_name = _("folkbokföringsperiod")
        verbose_name_plural = _("folkbokföringsperioder")
        ordering = ["person", "moved_in"]
        constraints = [
            models.CheckConstraint(
                condition=Q(moved_out__isnull=True)
                | Q(moved_in__isnull=True)
                | Q(moved_out__gt=models.F("moved_in")),
                name="kaa_residence_moved_out_after_moved_in",
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_code} {self.moved_in or ''}–{self.moved_out or ''}"


class QualificationKind(models.TextChoices):
    EXAMEN = cohort.QUALIFICATION_EXAMEN, _("Gymnasieexamen")
    GYS_CERTIFICATE = cohort.QUALIFICATION_GYS_CERTIFICATE, _("Gymnasiesärskolebevis")
    STUDIEBEVIS = cohort.QUALIFICATION_STUDIEBEVIS, _("Studiebevis")
    EQUIVALENT = cohort.QUALIFICATION_EQUIVALENT, _("Motsvarande utbildning med godkänt resultat")


class Qualification(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="kaa_qualifications"
    )
    kind = models.CharField(_("sort"), max_length=32, choices=QualificationKind.choices)
    awarded_on = models.DateField(_("datum"))

    class Meta:
        verbose_name = _("avslutad utbildning")
        verbose_name_plural = _("avslutade utbildningar")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "awarded_on"], name="kaa_unique_qualification"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.awarded_on}"


class EquivalentKind(models.TextChoices):
    ADULT_EDUCATION = "VUXGY", _("Kommunal vuxenutbildning på gymnasial nivå")
    ADAPTED_ADULT_EDUCATION = "SARVUXGY", _("Anpassad vuxenutbildning på gymnasial nivå")
    FOLK_HIGH_SCHOOL = "FHS", _("Folkhögskola")
    ABROAD = "ABROAD", _("Gymnasieutbildning utomlands eller IB")
    OTHER = "OTHER", _("Annan motsvarande utbildning")


class EquivalentEducation(models.Model):
    """Education that counts as equivalent to upper-secondary school (29 kap. 9 § SL:
    "motsvarande utbildning"): from the enrolment import (VUXGY, SARVUXGY) or registered by
    the coordinator, who judges the equivalence."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="kaa_equivalent_education"
    )
    kind = models.CharField(_("utbildning"), max_length=10, choices=EquivalentKind.choices)
    start_date = models.DateField(_("startdatum"))
    end_date = models.DateField(_("slutdatum"), null=True, blank=True)
    completed_with_pass = models.BooleanField(_("fullföljd med godkänt resultat"), default=False)
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("motsvarande utbildning")
        verbose_name_plural = _("motsvarande utbildningar")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date}"


class CohortReason(models.TextChoices):
    DROPPED_OUT = cohort.REASON_DROPPED_OUT, _("Avbrott från nationellt program")
    STUDIEBEVIS = cohort.REASON_STUDIEBEVIS, _("Slutat med studiebevis")
    NEVER_STARTED = cohort.REASON_NEVER_STARTED, _("Har aldrig börjat gymnasieskolan")
    LEFT_INTRODUCTION = cohort.REASON_LEFT_INTRODUCTION, _("Slutat på introduktionsprogram")
    MOVED_IN = cohort.REASON_MOVED_IN, _("Flyttat till kommunen")


class LeftReason(models.TextChoices):
    TURNED_20 = cohort.LEFT_TURNED_20, _("Fyllt 20 år")
    STARTED_STUDIES = cohort.LEFT_STARTED_STUDIES, _("Börjat studera")
    MOVED_AWAY = cohort.LEFT_MOVED_AWAY, _("Flyttat från kommunen")
    QUALIFICATION = cohort.LEFT_QUALIFICATION, _("Fått examen eller motsvarande")
    OTHER = cohort.LEFT_OTHER, _("Annat")


class CohortMembership(models.Model):
    """One continuous period in a municipality's KAA cohort, kept by ``kaa_cohort_refresh``.

    After the retention time the row is anonymised rather than deleted (``person`` set to
    NULL): gender and birth year stay for the statistics, which keep only aggregates.
    """

    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kaa_memberships",
    )
    municipality_code = models.CharField(_("kommunkod"), max_length=4)
    entered_on = models.DateField(_("registrerad"))
    reason = models.CharField(_("orsak"), max_length=20, choices=CohortReason.choices)
    school_reason = models.CharField(
        _("senaste skolrelaterade sysselsättning"), max_length=20, choices=CohortReason.choices
    )
    left_on = models.DateField(_("avregistrerad"), null=True, blank=True)
    left_reason = models.CharField(
        _("orsak till avregistrering"), max_length=20, choices=LeftReason.choices, blank=True
    )
    gender = models.CharField(max_length=16, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("period i aktivitetsansvaret")
        verbose_name_plural = _("perioder i aktivitetsansvaret")
        ordering = ["-entered_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "municipality_code", "entered_on"],
                name="kaa_unique_membership",
            )
        ]
        indexes = [
            models.Index(fields=["municipality_code", "left_on"]),
            models.Index(fields=["municipality_code", "entered_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_code} {self.entered_on}–{self.left_on or ''}"

    @property
    def is_open(self) -> bool:
        return self.left_on is None


class NoticeKind(models.TextChoices):
    DROPOUT = "dropout", _("Avbrott från gymnasieutbildning")
    ABSENCE = "absence", _("Betydande ogiltig frånvaro (15 kap. 15 § skollagen)")
    START = "start", _("Eleven har börjat")
    STOP = "stop", _("Eleven har slutat")


class NoticeSource(models.TextChoices):
    WEB = "web", _("Formulär")
    API = "api", _("API")


class Notice(models.Model):
    """A school's notice to the pupil's home municipality: dropout, significant unexcused
    absence (skollagen 15 kap. 15 §), start or stop. Any school may send one, independent
    schools and schools in other municipalities included; the sender gets a receipt and
    nothing else back. ``personal_identity_number`` lets a notice about someone not yet in
    Lotsen find them when the population register brings them in."""

    kind = models.CharField(_("anmälan gäller"), max_length=10, choices=NoticeKind.choices)
    personal_identity_number = models.CharField(max_length=12)
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kaa_notices",
    )
    municipality_code = models.CharField(_("hemkommun"), max_length=4, db_index=True)
    event_date = models.DateField(_("datum"))
    programme = models.CharField(_("program"), max_length=20, blank=True)
    message = models.TextField(_("meddelande"), blank=True)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sender_organisation = models.ForeignKey(
        "accounts.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sender_organisation_name = models.CharField(_("skola"), max_length=200)
    source = models.CharField(max_length=8, choices=NoticeSource.choices, default="web")
    receipt = models.CharField(_("kvittens"), max_length=16, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("anmälan från skola")
        verbose_name_plural = _("anmälningar från skolor")
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["municipality_code", "handled_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.receipt}"


class ContactKind(models.TextChoices):
    ATTEMPT = "attempt", _("Försök till kontakt (nådde inte personen)")
    CONTACT = "contact", _("Kontakt med personen")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Telefon")
    TEXT = "text", _("Sms eller chatt")
    LETTER = "letter", _("Brev")
    EMAIL = "email", _("E-post")
    MEETING = "meeting", _("Möte")
    HOME_VISIT = "home_visit", _("Hembesök")
    OTHER = "other", _("Annat sätt")


class Occupation(models.TextChoices):
    WORK = "work", _("Arbete")
    STUDIES = "studies", _("Studier")
    NONE = "none", _("Ingen sysselsättning")
    UNKNOWN = "unknown", _("Okänd")


KNOWN_OCCUPATIONS = (Occupation.WORK, Occupation.STUDIES, Occupation.NONE)


class Contact(models.Model):
    """A contact attempt, or a contact with the occupation the person had then (block 2 of
    the national collection: "Kontakt med individen")."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="kaa_contacts"
    )
    municipality_code = models.CharField(max_length=4, db_index=True)
    kind = models.CharField(_("vad hände"), max_length=10, choices=ContactKind.choices)
    method = models.CharField(_("hur"), max_length=12, choices=ContactMethod.choices)
    contact_date = models.DateField(_("datum"))
    occupation = models.CharField(
        _("sysselsättning vid kontakten"), max_length=10, choices=Occupation.choices, blank=True
    )
    note = models.TextField(_("anteckning"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("kontakt")
        verbose_name_plural = _("kontakter")
        ordering = ["-contact_date", "-id"]
        indexes = [models.Index(fields=["person", "municipality_code", "contact_date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.contact_date}"


class CaseloadAssignment(models.Model):
    """Which coordinator a young person in the municipality's cohort is assigned to.

    A row is never changed except to close it: a new assignment closes the current one
    (``ended_at``, ``ended_by``) and opens another, so the rows are the history the law's
    register and the coordinators can answer from: who assigned whom to whom, and when.
    At most one open row per person and municipality.
    """

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="kaa_caseload_assignments"
    )
    municipality_code = models.CharField(max_length=4)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="kaa_caseload",
        verbose_name=_("ansvarig samordnare"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("ansvarig samordnare")
        verbose_name_plural = _("ansvariga samordnare")
        ordering = ["-assigned_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "municipality_code"],
                condition=Q(ended_at__isnull=True),
                name="kaa_one_open_caseload_assignment",
            )
        ]
        indexes = [models.Index(fields=["municipality_code", "coordinator", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.municipality_code} {self.assigned_at:%Y-%m-%d}"


class MeasureType(models.Model):
    """The configurable list of measures (skollagen 29 kap. 9 §: "lämpliga individuella
    åtgärder"). A deployment adds, renames or retires types in the admin; each period's
    national code for a type is in ``ReportCode`` under the list "measure_type"."""

    code = models.SlugField(_("kod"), max_length=40, unique=True)
    name = models.CharField(_("namn"), max_length=120)
    name_en = models.CharField(_("namn på engelska"), max_length=120, blank=True)
    active = models.BooleanField(_("används"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("typ av åtgärd")
        verbose_name_plural = _("typer av åtgärder")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the language of the request (the list is data, not a msgid)."""
        return self.name_en if get_language() == "en" and self.name_en else self.name


class MeasureStatus(models.TextChoices):
    OFFERED = "offered", _("Erbjuden")
    DECLINED = "declined", _("Tackade nej")
    STARTED = "started", _("Pågår")
    ENDED = "ended", _("Avslutad")


class MeasureEndReason(models.TextChoices):
    COMPLETED = "completed", _("Genomförd enligt planen")
    STARTED_STUDIES = "started_studies", _("Började studera")
    STARTED_WORK = "started_work", _("Började arbeta")
    INTERRUPTED = "interrupted", _("Avbruten av den unga")
    MOVED = "moved", _("Flyttade från kommunen")
    TURNED_20 = "turned_20", _("Fyllde 20 år")
    OTHER = "other", _("Annan orsak")


class Measure(models.Model):
    """An individual measure and its documentation (förordning 2006:39): what the person,
    the municipality and other actors are responsible for, when it starts and ends, why it
    ended, and when it is followed up (``FollowUp``)."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="kaa_measures"
    )
    municipality_code = models.CharField(max_length=4, db_index=True)
    measure_type = models.ForeignKey(
        MeasureType, on_delete=models.PROTECT, related_name="+", verbose_name=_("åtgärd")
    )
    status = models.CharField(_("status"), max_length=10, choices=MeasureStatus.choices)
    offered_on = models.DateField(_("erbjuden"))
    start_date = models.DateField(_("startdatum"), null=True, blank=True)
    planned_end_date = models.DateField(_("planerat slutdatum"), null=True, blank=True)
    end_date = models.DateField(_("slutdatum"), null=True, blank=True)
    end_reason = models.CharField(
        _("orsak till att åtgärden upphörde"),
        max_length=20,
        choices=MeasureEndReason.choices,
        blank=True,
    )
    occupation_after = models.CharField(
        _("sysselsättning efter åtgärden"), max_length=10, choices=Occupation.choices, blank=True
    )
    goal = models.TextField(_("mål med åtgärden"), blank=True)
    responsible_individual = models.TextField(_("den unga ansvarar för"), blank=True)
    responsible_municipality = models.TextField(_("kommunen ansvarar för"), blank=True)
    other_actor = models.CharField(_("annan aktör"), max_length=200, blank=True)
    responsible_other = models.TextField(_("den andra aktören ansvarar för"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("åtgärd")
        verbose_name_plural = _("åtgärder")
        ordering = ["-offered_on", "-id"]
        indexes = [models.Index(fields=["person", "municipality_code", "status"])]

    def __str__(self) -> str:
        return f"{self.measure_type} ({self.get_status_display()})"


class FollowUp(models.Model):
    """A date to follow up and evaluate a measure (förordning 2006:39, documentation point 7)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("uppföljning"))
    done_on = models.DateField(_("genomförd"), null=True, blank=True)
    note = models.TextField(_("anteckning"), blank=True)

    class Meta:
        verbose_name = _("uppföljning")
        verbose_name_plural = _("uppföljningar")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return str(self.due_on)


class Plan(models.Model):
    """The person's individual planning and its goal (förordning 2006:39, documentation
    point 1), one per person and municipality, revised when the measures change.

    ``coordinated_support_needed`` is where kaa meets the support module: when more actors
    than the municipality are needed, the coordinator marks it here with a note. Saving the
    mark sends ``kaa.hooks.plan_needs_more_actors``; support answers by opening a case (or
    finding the open one), whose reference is kept in ``support_case_ref``. Without
    support installed the mark is recorded and nothing pretends a case exists.
    """

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="kaa_plans")
    municipality_code = models.CharField(max_length=4)
    planning = models.TextField(_("individuell planering"), blank=True)
    goal = models.TextField(_("mål"), blank=True)
    coordinated_support_needed = models.BooleanField(
        _("fler aktörer behövs (samordnat stöd)"), default=False
    )
    coordinated_support_note = models.TextField(_("vilka aktörer och varför"), blank=True)
    support_case_ref = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("planering")
        verbose_name_plural = _("planeringar")
        constraints = [
            models.UniqueConstraint(fields=["person", "municipality_code"], name="kaa_unique_plan")
        ]

    def __str__(self) -> str:
        return f"Planering {self.pk}"


class CodeList(models.TextChoices):
    REGISTRATION_REASON = "registration_reason", _("Senaste skolrelaterade sysselsättning")
    OCCUPATION = "occupation", _("Sysselsättning")
    MEASURE_TYPE = "measure_type", _("Typ av åtgärd")
    MEASURE_OFFER = "measure_offer", _("Erbjuden eller tackat nej")
    MEASURE_END_REASON = "measure_end_reason", _("Orsak till att åtgärden avslutades")
    LEFT_REASON = "left_reason", _("Orsak till att aktivitetsansvaret upphörde")


class ReportPeriod(models.Model):
    """A half-year of the national collection (SCB for Skolverket) with its code lists.

    SCB publishes "Instruktioner och kodförteckningar" per half-year and the codes change
    between periods, so the codes are data (``ReportCode``): a new period is added, or
    copied from the last one and edited, without a code change (``lotsen kaa period-add``).
    ``codes_verified`` says whether somebody checked the codes against SCB's list.
    """

    code = models.CharField(_("period"), max_length=6, unique=True)  # "2026H1"
    starts_on = models.DateField(_("från"))
    ends_on = models.DateField(_("till"))
    codes_verified = models.BooleanField(_("koderna är kontrollerade mot SCB"), default=False)
    source_note = models.TextField(_("källa för koderna"), blank=True)

    class Meta:
        verbose_name = _("rapportperiod")
        verbose_name_plural = _("rapportperioder")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.code


class ReportCode(models.Model):
    period = models.ForeignKey(ReportPeriod, on_delete=models.CASCADE, related_name="codes")
    code_list = models.CharField(max_length=24, choices=CodeList.choices)
    value = models.CharField(_("värde i Lotsen"), max_length=40)
    code = models.CharField(_("kod i rapporten"), max_length=10)
    label = models.CharField(_("text"), max_length=200)

    class Meta:
        verbose_name = _("kod")
        verbose_name_plural = _("koder")
        ordering = ["code_list", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "code_list", "value"], name="kaa_unique_report_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code_list} {self.value} → {self.code}"


class RetentionRun(models.Model):
    """What one run of ``lotsen kaa retention`` did (or would do, on a dry run): counts
    per record type, never personal data."""

    ran_at = models.DateTimeField(default=timezone.now)
    dry_run = models.BooleanField(default=False)
    today = models.DateField()
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"Gallring {self.ran_at:%Y-%m-%d}"
