"""Signals: a prompt for a person at the school to look at one pupil, and what they did.

A signal is raised by a transparent rule (``signals.rules``) and carries the rule's reason
and the numbers it used. It is never a decision about a young person: it goes to a person
who acknowledges it, records what was done and closes it with an outcome. The history of
each signal (``SignalEvent``) is kept with it.

Reached only through the privacy door: ``signals.selectors`` filters by ``PersonPolicy``
for the SCHOOL category; writes go through ``signals.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lotsen.earlywarning import rules
from lotsen.earlywarning.rules import RuleConfigError, thresholds_clean

# The rules' titles for the interface, translatable; ``signals.rules`` keeps the same
# Swedish titles for the command line, as a pure module cannot use Django's translation.
RULE_TITLES = {
    rules.ABSENCE_INVALID: _("Ogiltig frånvaro"),
    rules.ABSENCE_TOTAL: _("Hög frånvaro"),
    rules.CORE_SUBJECTS_NOT_PASSED: _("Inte godkänt i svenska, engelska eller matematik"),
    rules.PROJECTED_NOT_ELIGIBLE: _("Prognos: inte behörig till yrkesprogram"),
    rules.MERIT_DROP: _("Sjunkande meritvärde"),
    rules.COURSE_POINTS_FAILED: _("Kurser utan godkänt betyg"),
    rules.UPPER_SECONDARY_ABSENCE: _("Betydande ogiltig frånvaro"),
    rules.ABSENCE_WATCH: _("Frånvarobevakning"),
    rules.ABSENCE_STREAK: _("Frånvarande flera dagar i rad"),
}
RULE_CHOICES = [(rule.id, RULE_TITLES.get(rule.id, rule.title)) for rule in rules.RULES]


class RuleSetting(models.Model):
    """An organisation's setting for one rule. A school unit's setting overrides its
    organiser's, which overrides the defaults in ``signals.rules``; thresholds not named
    keep the value from the level above."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="rule_settings",
        verbose_name=_("organisation"),
    )
    rule_id = models.CharField(_("regel"), max_length=40, choices=RULE_CHOICES)
    # Empty: the setting for the rule itself. A role (only for the absence watch,
    # ``rules.ROLE_RULES``): the threshold at which that role wants to hear of a pupil, so
    # that, say, the mentor hears at 10 % and the student-health team at 15 %.
    role = models.CharField(_("roll"), max_length=32, blank=True, default="")
    thresholds = models.JSONField(_("gränser"), default=dict, blank=True)
    enabled = models.BooleanField(_("används"), default=True)

    class Meta:
        verbose_name = _("regelinställning")
        verbose_name_plural = _("regelinställningar")
        ordering = ["organisation__name", "rule_id", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "rule_id", "role"], name="unique_rule_setting_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.rule_id}" + (f" ({self.role})" if self.role else "")

    def clean(self) -> None:
        if self.role and self.rule_id not in rules.ROLE_RULES:
            raise ValidationError({"role": ERROR_ROLE_NOT_FOR_RULE})
        if self.role and self.role not in ROLE_CHOICES_WATCH:
            raise ValidationError({"role": ERROR_ROLE_UNKNOWN})
        try:
            self.thresholds = thresholds_clean(rule_id=self.rule_id, thresholds=self.thresholds)
        except RuleConfigError as error:
            raise ValidationError({"thresholds": str(error)}) from error


ERROR_ROLE_NOT_FOR_RULE = _("Gränser per roll finns bara för frånvarobevakningen.")
ERROR_ROLE_UNKNOWN = _("Välj mentor, elevhälsan eller studie- och yrkesvägledare.")
# The school roles that can watch absence with thresholds of their own.
ROLE_CHOICES_WATCH = ("mentor", "student_health", "counsellor")


class SignalStatus(models.TextChoices):
    OPEN = "open", _("Ny")
    ASSIGNED = "assigned", _("Tilldelad")
    ACKNOWLEDGED = "acknowledged", _("Kvitterad")
    ACTION_RECORDED = "action_recorded", _("Åtgärd registrerad")
    CLOSED = "closed", _("Avslutad")


NOT_CLOSED = (
    SignalStatus.OPEN,
    SignalStatus.ASSIGNED,
    SignalStatus.ACKNOWLEDGED,
    SignalStatus.ACTION_RECORDED,
)
# Statuses in which nobody has yet recorded what was done: these are "waiting for action".
WAITING = (SignalStatus.OPEN, SignalStatus.ASSIGNED, SignalStatus.ACKNOWLEDGED)


class OutcomeCode(models.TextChoices):
    IMPROVED = "improved", _("Situationen har blivit bättre")
    SUPPORT_IN_PLACE = "support_in_place", _("Stöd eller anpassningar är på plats")
    REFERRED = "referred", _("Lämnat vidare, till exempel till elevhälsan eller socialtjänsten")
    NO_ACTION_NEEDED = "no_action_needed", _("Ingen åtgärd behövs, signalen var inte befogad")
    LEFT_SCHOOL = "left_school", _("Eleven har slutat på skolan")
    OTHER = "other", _("Annat (beskriv)")


class Signal(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="signals")
    school_unit = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="signals",
        verbose_name=_("skolenhet"),
    )
    # The first rule that raised it, with its reason: what a one-line list shows. All the
    # rules that hold for the pupil are its ``reasons`` (``SignalReason``).
    rule_id = models.CharField(_("regel"), max_length=40, choices=RULE_CHOICES)
    reason = models.TextField(_("skäl"))
    evidence = models.JSONField(_("underlag"), default=dict)
    # False once a later run finds that none of its rules holds any more. The signal stays open: a
    # person decides whether anything more needs doing, and closes it.
    rule_holds = models.BooleanField(_("regeln gäller fortfarande"), default=True)
    raised_on = models.DateField(_("skapad"))
    due_on = models.DateField(_("åtgärdas senast"))
    status = models.CharField(
        _("status"), max_length=16, choices=SignalStatus.choices, default=SignalStatus.OPEN
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_signals",
        verbose_name=_("ansvarig"),
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome_code = models.CharField(
        _("utfall"), max_length=20, choices=OutcomeCode.choices, blank=True
    )
    outcome = models.TextField(_("beskrivning av utfallet"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signaler")
        ordering = ["due_on", "id"]
        constraints = [
            # One signal at a time per pupil and school, whatever rules fire: rules that
            # hold together are reasons of the same signal, and a rule that still holds
            # refreshes it instead of raising another.
            models.UniqueConstraint(
                fields=["person", "school_unit"],
                condition=~models.Q(status="closed"),
                name="unique_not_closed_signal_per_pupil",
            ),
        ]
        indexes = [
            models.Index(fields=["school_unit", "status"]),
            models.Index(fields=["person", "status"]),
        ]

    def __str__(self) -> str:
        return f"Signal {self.pk} ({self.rule_id})"

    @property
    def is_closed(self) -> bool:
        return self.status == SignalStatus.CLOSED

    @property
    def reason_list(self) -> list[SignalReason]:
        """The signal's reasons in the rules' order (prefetched ``reasons`` when there)."""
        order = {rule_id: index for index, rule_id in enumerate(rules.RULE_IDS)}
        return sorted(self.reasons.all(), key=lambda r: (order.get(r.rule_id, 99), r.pk or 0))

    def is_waiting(self, today) -> bool:
        """Past its due date with no action recorded."""
        return self.status in WAITING and self.due_on < today


class SignalReason(models.Model):
    """One rule that holds (or held) for the signal's pupil: its reason with the numbers and
    the evidence it used. A rule that comes to hold while the signal is open is added as a
    reason; one that stops holding is kept, marked as no longer holding."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="reasons")
    rule_id = models.CharField(_("regel"), max_length=40, choices=RULE_CHOICES)
    reason = models.TextField(_("skäl"))
    evidence = models.JSONField(_("underlag"), default=dict)
    holds = models.BooleanField(_("gäller fortfarande"), default=True)
    raised_on = models.DateField(_("skapad"))

    class Meta:
        verbose_name = _("skäl")
        verbose_name_plural = _("skäl")
        ordering = ["signal_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["signal", "rule_id"], name="unique_signal_reason")
        ]

    def __str__(self) -> str:
        return f"{self.signal_id} {self.rule_id}"

    @property
    def text(self) -> str:
        """The reason in the reader's language, rebuilt from the evidence."""
        from lotsen.earlywarning.reasons import reason_text

        return reason_text(self.rule_id, self.evidence, self.reason)

    @property
    def title(self) -> str:
        return str(RULE_TITLES.get(self.rule_id, self.rule_id))


class SignalEventKind(models.TextChoices):
    RAISED = "raised", _("Signalen skapades")
    MERGED = "merged", _("Signaler om samma elev slogs ihop")
    REASON_ADDED = "reason_added", _("Nytt skäl")
    UPDATED = "updated", _("Underlaget uppdaterades")
    CLEARED = "cleared", _("Regeln gäller inte längre")
    ASSIGNED = "assigned", _("Tilldelad")
    ACKNOWLEDGED = "acknowledged", _("Kvitterad")
    ACTION_RECORDED = "action_recorded", _("Åtgärd")
    CLOSED = "closed", _("Avslutad")


class SignalEvent(models.Model):
    """One step in a signal's history. ``actor`` is empty when Lotsen itself raised or
    updated the signal from school data."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(max_length=20, choices=SignalEventKind.choices)
    text = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("händelse")
        verbose_name_plural = _("händelser")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"


# --- The learned model ------------------------------------------------------------------


class ModelVersion(models.Model):
    """One trained risk model, as it was trained: what it predicts, on which history, how
    well it did in cross-validation (with the fairness audit), its model card, and the
    fitted model itself.

    ``version`` is a hash of the training data and every setting that shaped the model
    (``signals.scoring.version_hash``): training twice on the same history gives the same
    version, and a score names exactly the model behind it. The fitted model is kept in the
    database rather than in a file, so that every application server sees the same model,
    backups and restores carry it, and a version row can never point at a missing or
    replaced file; ``model_sha256`` is checked on every load.
    """

    name = models.CharField(_("modell"), max_length=100)
    version = models.CharField(_("version"), max_length=40)
    trained_at = models.DateTimeField(_("tränad"))
    trained_as_of = models.DateField(_("utfall kända till och med"))
    horizon_years = models.PositiveSmallIntegerField(_("tidshorisont (år)"))
    n = models.PositiveIntegerField(_("elever med känt utfall"))
    positives = models.PositiveIntegerField(_("avbrott"))
    features = models.JSONField(_("prediktorer"), default=list)
    threshold = models.FloatField(_("arbetspunkt"))
    base_rate = models.FloatField(_("andel avbrott"))
    metrics = models.JSONField(_("mått"), default=dict)
    model_card = models.TextField(_("modellbeskrivning"))
    libraries = models.CharField(_("programversioner"), max_length=200)
    model_blob = models.BinaryField(editable=False)
    model_sha256 = models.CharField(max_length=64, editable=False)
    # A trained version scores nobody until a person activates it, and only after it has
    # been compared with the version in use on the same outcomes (``governance``). At most
    # one version is active; the one it replaced is retired, and both moments are kept.
    comparison = models.JSONField(_("jämförelse"), default=dict, blank=True)
    activated_at = models.DateTimeField(_("aktiverad"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("aktiverad av"),
    )
    activation_note = models.CharField(_("motivering"), max_length=500, blank=True)
    retired_at = models.DateTimeField(_("ersatt"), null=True, blank=True)

    class Meta:
        verbose_name = _("modellversion")
        verbose_name_plural = _("modellversioner")
        ordering = ["-trained_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="unique_model_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class RiskBand(models.TextChoices):
    LOW = "low", _("Låg")
    ELEVATED = "elevated", _("Förhöjd")
    HIGH = "high", _("Hög")


class RiskCapacity(models.Model):
    """How many of its pupils a school can follow up closely: the decision behind the
    bands. Of the pupils the model scores at a school unit, at most ``high_percent`` per
    cent (those with the highest risk) are marked high and at most ``close_percent`` per
    cent in all are marked high or elevated; nobody below the model's average risk is
    marked at all. A school unit's setting overrides its organiser's; without either the
    defaults hold. The probability shown stays the model's calibrated probability."""

    DEFAULT_CLOSE_PERCENT = 10
    DEFAULT_HIGH_PERCENT = 3

    organisation = models.OneToOneField(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="risk_capacity",
        verbose_name=_("organisation"),
    )
    close_percent = models.DecimalField(
        _("följs upp nära (procent av eleverna)"),
        max_digits=4,
        decimal_places=1,
        default=DEFAULT_CLOSE_PERCENT,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
    )
    high_percent = models.DecimalField(
        _("hög risk (procent av eleverna)"),
        max_digits=4,
        decimal_places=1,
        default=DEFAULT_HIGH_PERCENT,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
    )

    class Meta:
        verbose_name = _("kapacitet för uppföljning")
        verbose_name_plural = _("kapacitet för uppföljning")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.high_percent} % / {self.close_percent} %"

    def clean(self) -> None:
        if (
            self.high_percent is not None
            and self.close_percent is not None
            and self.high_percent > self.close_percent
        ):
            raise ValidationError({"high_percent": ERROR_HIGH_ABOVE_CLOSE})


ERROR_HIGH_ABOVE_CLOSE = _(
    "Andelen med hög risk kan inte vara större än andelen som följs upp nära."
)


class UnscoredPupil(models.Model):
    """A pupil the model was asked to score but did not, because the school knew too little
    about them on that date (``features.enough_data``): shown as "för lite underlag", never
    as a probability or a band."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="+")
    school_unit = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    features_as_of = models.DateField(_("uppgifter till och med"))
    scored_at = models.DateTimeField(_("beräknad"))

    class Meta:
        verbose_name = _("elev med för lite underlag")
        verbose_name_plural = _("elever med för lite underlag")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "model_version", "features_as_of"], name="unique_unscored_pupil"
            )
        ]
        indexes = [models.Index(fields=["person", "features_as_of"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.features_as_of}"


class PupilGradeFeatures(models.Model):
    """The grade features of one pupil (``features.GRADE_FEATURES``), kept between scoring
    runs so that a night reads only the grades that changed (issue 16).

    They hold for any date from ``as_of`` up to, not including, ``valid_before`` (the next
    registration date among the pupil's grades then, if any), as long as the pupil's
    ``school.GradeVersion`` still is ``grades_version``: the version read before the grades
    were, so that a change committed in between makes the row stale rather than wrong.
    Numbers only, derived from the grade table; deleted with the person. NaN is kept as
    NULL."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    grades_version = models.BigIntegerField()
    as_of = models.DateField()
    valid_before = models.DateField(null=True, blank=True)
    merit_value = models.FloatField(null=True)
    failed_subjects = models.FloatField(null=True)
    core_subjects_failed = models.FloatField(null=True)
    merit_change = models.FloatField(null=True)
    course_points_failed = models.FloatField(null=True)
    course_points_passed = models.FloatField(null=True)

    class Meta:
        verbose_name = _("elevs betygsunderlag")
        verbose_name_plural = _("elevers betygsunderlag")

    def __str__(self) -> str:
        return f"{self.person_id} {self.as_of}"


class RiskScore(models.Model):
    """A learned model's risk for one pupil on one date, with the model version behind it.

    A prompt for a conversation, never a decision. ``explanation`` lists the features that
    pushed the risk up most (feature, Swedish label, value, contribution in log-odds and a
    plain-language reason); it is worked out the first time a page shows the score and kept
    here (``scoring.risk_score_reasons``): None until then, an empty list for a risk below
    the average (nothing to explain). ``features`` holds every value the model saw, exactly,
    so that anyone can check the score against the school's records and the reasons can be
    worked out later from the same numbers; ``features_hash`` is their digest, so that a
    pupil whose data did not change is not scored again. ``school_unit`` is the school the
    pupil attended on ``features_as_of``: the one that sees the score.
    """

    # No index of their own for the foreign keys: the unique constraint and the indexes
    # below begin with them, and every index costs each night's writes.
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="risk_scores", db_index=False
    )
    model_version = models.ForeignKey(
        ModelVersion,
        on_delete=models.PROTECT,
        related_name="scores",
        verbose_name=_("modell"),
        db_index=False,
    )
    school_unit = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("skolenhet"),
        db_index=False,
    )
    probability = models.FloatField(_("sannolikhet"))
    band = models.CharField(_("nivå"), max_length=10, choices=RiskBand.choices)
    explanation = models.JSONField(_("förklaring"), null=True, blank=True, default=None)
    features = models.JSONField(_("underlag"), default=dict)
    features_hash = models.CharField(max_length=16, blank=True, default="")
    features_as_of = models.DateField(_("uppgifter till och med"))
    scored_at = models.DateTimeField(_("beräknad"))

    class Meta:
        verbose_name = _("riskbedömning")
        verbose_name_plural = _("riskbedömningar")
        ordering = ["-features_as_of", "-id"]
        constraints = [
            # Scoring twice with the same model on the same date updates the score.
            models.UniqueConstraint(
                fields=["person", "model_version", "features_as_of"], name="unique_risk_score"
            )
        ]
        indexes = [
            # Each pupil's latest score (pages; scoring's batches, where the planner passes
            # over the wider unique index at a tenth of the table).
            models.Index(fields=["person", "features_as_of"]),
            # A school unit's scores (the door's filter), and one night's of them for the
            # unit's capacity bands.
            models.Index(fields=["school_unit", "model_version", "features_as_of"]),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.features_as_of} {self.probability:.2f}"


class LearnedModelSwitch(models.Model):
    """An organisation's choice to turn the learned model off (the kill switch).

    Off for a municipality or a principal means off for every school unit under it: no new
    scores, and the scores already there are no longer shown. The transparent rules
    (``Signal``) go on as before. Every change is kept (who, when, why), newest last.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    learned_model_on = models.BooleanField(_("inlärd modell används"))
    reason = models.CharField(_("skäl"), max_length=500)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("av/på för inlärd modell")
        verbose_name_plural = _("av/på för inlärd modell")
        ordering = ["organisation_id", "changed_at", "id"]
        indexes = [models.Index(fields=["organisation", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.organisation_id} {'på' if self.learned_model_on else 'av'}"


class ScoreVerdict(models.TextChoices):
    AGREE = "agree", _("Ja, den stämmer")
    TOO_HIGH = "too_high", _("Nej, risken är lägre än modellen säger")
    TOO_LOW = "too_low", _("Nej, risken är högre än modellen säger")


class ScoreReview(models.Model):
    """What a member of staff made of a score: agreed, or thought it too high or too low,
    and why (human oversight, EU AI Act Art. 14). Kept as a history: the latest per person
    and score counts. How often staff disagree, per school, is shown to the model's owners.
    """

    score = models.ForeignKey(RiskScore, on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verdict = models.CharField(_("bedömning"), max_length=10, choices=ScoreVerdict.choices)
    reason = models.CharField(_("varför"), max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("personalens bedömning av en riskbedömning")
        verbose_name_plural = _("personalens bedömningar av riskbedömningar")
        ordering = ["score_id", "at", "id"]
        indexes = [models.Index(fields=["score", "user", "at"])]

    def __str__(self) -> str:
        return f"{self.score_id} {self.verdict}"


class ScoreObjection(models.Model):
    """The young person says the model's assessment of them is wrong (EU AI Act Art. 86:
    the right to an explanation, and a way to be heard). It lands as a task with the staff
    at the school that sees the score; their answer is shown back on "Mina sidor"."""

    score = models.ForeignKey(RiskScore, on_delete=models.CASCADE, related_name="objections")
    text = models.CharField(_("vad som inte stämmer"), max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    answer = models.CharField(_("svar"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invändning mot en riskbedömning")
        verbose_name_plural = _("invändningar mot riskbedömningar")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["score", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.score_id} {self.created_at:%Y-%m-%d}"
