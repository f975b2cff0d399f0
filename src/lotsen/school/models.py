"""School data: enrolments, grades and aggregated attendance, as SS 12000 describes them.

Reached only through the privacy door: selectors in ``school.selectors`` filter by
``PersonPolicy`` for the SCHOOL category. ``external_id`` holds the source system's id
(the SS 12000 uuid, or a key built from a CSV row) so that imports are idempotent.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SchoolType(models.TextChoices):
    GR = "GR", _("Grundskola")
    GRS = "GRS", _("Anpassad grundskola")
    GY = "GY", _("Gymnasieskola")
    GYS = "GYS", _("Anpassad gymnasieskola")


class Enrolment(models.Model):
    # Indexed by (person, school_unit) below, which serves a lookup by person too.
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="enrolments", db_index=False
    )
    # Indexed by (school_unit, end_date) below, which serves a lookup by school unit too.
    school_unit = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("skolenhet"),
        db_index=False,
    )
    school_type = models.CharField(_("skolform"), max_length=4, choices=SchoolType.choices)
    school_year = models.PositiveSmallIntegerField(_("årskurs"), null=True, blank=True)
    programme = models.CharField(_("program"), max_length=20, blank=True)
    start_date = models.DateField(_("startdatum"))
    end_date = models.DateField(_("slutdatum"), null=True, blank=True)
    end_reason = models.CharField(_("orsak till avslut"), max_length=100, blank=True)
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("inskrivning")
        verbose_name_plural = _("inskrivningar")
        indexes = [
            models.Index(fields=["school_unit", "end_date"]),
            # "Is this person a pupil of this school unit" (the school's legal basis).
            models.Index(fields=["person", "school_unit"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_school_type_display()} {self.school_year or ''}".strip()


class GradeKind(models.TextChoices):
    TERM = "term", _("Terminsbetyg")
    FINAL = "final", _("Slutbetyg")


class Grade(models.Model):
    """A grade in a subject (compulsory school; upper-secondary subject grades of the 2025
    reform) or in a course (upper secondary before the reform). ``value`` is A–F or "-"
    (no grade); SS 12000 leaves it a free string, so the import validates it."""

    # Every index is written on every imported grade, so the table keeps only those that
    # a query needs: (person, registered_on) serves a lookup by person, so the person has
    # no index of its own, and the key is unique by a constraint, which on PostgreSQL does
    # not bring the second index for LIKE searches that ``unique=True`` on a CharField does
    # (nothing searches keys by prefix).
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="grades", db_index=False
    )
    school_unit = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_code = models.CharField(_("ämne"), max_length=10)
    course_code = models.CharField(_("kurs"), max_length=20, blank=True)
    points = models.PositiveSmallIntegerField(_("poäng"), null=True, blank=True)
    value = models.CharField(_("betyg"), max_length=2)
    kind = models.CharField(_("sort"), max_length=8, choices=GradeKind.choices)
    semester = models.CharField(_("termin"), max_length=2, blank=True)  # HT or VT
    year = models.PositiveSmallIntegerField(_("år"), null=True, blank=True)
    registered_on = models.DateField(_("registrerat"))
    external_id = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        verbose_name = _("betyg")
        verbose_name_plural = _("betyg")
        indexes = [models.Index(fields=["person", "registered_on"])]
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="school_grade_external_id_unique")
        ]

    def __str__(self) -> str:
        return f"{self.subject_code} {self.course_code} {self.value}".strip()


class GradeVersion(models.Model):
    """A counter per pupil that the database itself moves on whenever a grade of the pupil
    is inserted, changed or deleted, by whatever path (an import, the demo, the admin, a
    cascade): triggers on the grade table, migration 0008. What is computed from a pupil's
    grades may be kept with the version it was read at, and is stale the moment the two
    differ (``earlywarning.features``: the nightly scoring reads only changed pupils'
    grades).

    ``person_id`` is a plain number, not a key: the trigger also runs while a person's
    grades are deleted on the way to deleting the person."""

    person_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("betygsversion")
        verbose_name_plural = _("betygsversioner")

    def __str__(self) -> str:
        return f"{self.person_id}: {self.version}"


# What an import of grades compares and writes, after the row's key (``external_id``): the
# CSV import and the SS 12000 import alike, so the two can never disagree on what a change is.
GRADE_IMPORT_FIELDS = (
    "person",
    "school_unit",
    "subject_code",
    "course_code",
    "points",
    "value",
    "kind",
    "semester",
    "year",
    "registered_on",
)


class AttendancePeriod(models.Model):
    """Aggregated attendance for one pupil over a period (SS 12000 AggregatedAttendance),
    in minutes."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="attendance")
    school_unit = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField(_("från"))
    end_date = models.DateField(_("till"))
    offered_minutes = models.PositiveIntegerField(_("erbjuden tid"))
    attended_minutes = models.PositiveIntegerField(_("närvaro"))
    valid_absence_minutes = models.PositiveIntegerField(_("giltig frånvaro"), default=0)
    invalid_absence_minutes = models.PositiveIntegerField(_("ogiltig frånvaro"), default=0)
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("närvaro för en period")
        verbose_name_plural = _("närvaro")
        indexes = [models.Index(fields=["person", "start_date"])]

    def __str__(self) -> str:
        return f"{self.start_date} – {self.end_date}"


class SourcePersonId(models.Model):
    """A source system's id for a person: the SS 12000 transfer id (a uuid).

    SS 12000 refers to pupils by uuid everywhere after ``/persons`` (grades, attendance), and
    an incremental run sees only the persons that changed, so the uuid → person mapping has
    to outlive a run. A person keeps every id a source ever gave them; the personnummer
    stays the one identity that matches a person across sources.
    """

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="source_ids")
    source = models.CharField(max_length=20)  # "ss12000"
    external_id = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("källsystemets id för en person")
        verbose_name_plural = _("källsystemens id för personer")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="unique_source_person_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class GroupType(models.TextChoices):
    """SS 12000's group types (``GroupTypesEnum``). A class places each pupil once; a
    mentor group gathers the pupils who share a mentor; the rest are kept as the source
    says, so that a filter by group can offer them too."""

    CLASS = "klass", _("Klass")
    MENTOR = "mentor", _("Mentorsgrupp")
    TEACHING = "undervisning", _("Undervisningsgrupp")
    EXAM = "provgrupp", _("Provgrupp")
    SCHEDULE = "schema", _("Schemagrupp")
    DEPARTMENT = "avdelning", _("Avdelning")
    STAFF = "personalgrupp", _("Personalgrupp")
    OTHER = "ovrigt", _("Övrig grupp")


class Group(models.Model):
    """A group of pupils at a school unit: a class ("9A"), a mentor group, or another of
    SS 12000's group types. The group itself names nobody; who is in it
    (``GroupMembership``) is school data about each pupil."""

    school_unit = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="school_groups",
        verbose_name=_("skolenhet"),
    )
    name = models.CharField(_("namn"), max_length=100)
    group_type = models.CharField(_("grupptyp"), max_length=16, choices=GroupType.choices)
    school_type = models.CharField(_("skolform"), max_length=10, blank=True)
    school_year = models.PositiveSmallIntegerField(_("årskurs"), null=True, blank=True)
    start_date = models.DateField(_("startdatum"))
    end_date = models.DateField(_("slutdatum"), null=True, blank=True)
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("grupp")
        verbose_name_plural = _("grupper")
        ordering = ["school_unit", "group_type", "name", "id"]
        indexes = [models.Index(fields=["school_unit", "group_type", "end_date"])]

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    """A pupil's membership of a group over a period (SS 12000 ``GroupMembership``: the
    dates are optional there, and an open date means "from the start" or "still")."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="group_memberships"
    )
    start_date = models.DateField(_("från"), null=True, blank=True)
    end_date = models.DateField(_("till"), null=True, blank=True)

    class Meta:
        verbose_name = _("medlemskap i grupp")
        verbose_name_plural = _("medlemskap i grupper")
        indexes = [
            models.Index(fields=["group", "person"]),
            models.Index(fields=["person", "group"]),
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.start_date or ''}–{self.end_date or ''}"


# Configured SS 12000 servers: defined beside their encryption, loaded with the app's models.
from lotsen.school.sources import SchoolDataSource  # noqa: E402, F401
