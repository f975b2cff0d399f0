"""Coordinated support: one case per young person and owning organisation, a team that
exists only through consent, one plan in the shape of a SIP, and the work around it.

Everything here that names a person is read through ``support.selectors``, which asks the
privacy policy (``support.policy.CasePolicy``) and logs what it returns.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Method(models.Model):
    """The methods catalogue: what interventions are chosen from, and what the programmes'
    "what works" follow-up is broken down by."""

    name = models.CharField(_("namn"), max_length=200, unique=True)
    description = models.TextField(_("beskrivning"), blank=True)
    target_group = models.CharField(_("målgrupp"), max_length=300, blank=True)
    sources = models.TextField(_("källor"), blank=True)
    evidence_note = models.TextField(_("kunskapsläge"), blank=True)
    active = models.BooleanField(_("används"), default=True)

    class Meta:
        verbose_name = _("metod")
        verbose_name_plural = _("metoder")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TargetGroup(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("Risk att inte bli behörig till gymnasiet")
    DROPOUT = "dropout", _("Risk för avhopp")
    NO_DIPLOMA = "no_diploma", _("Risk att inte ta examen")
    KAA = "kaa", _("Inom aktivitetsansvaret")
    NEET = "neet", _("Varken arbetar eller studerar (20–29 år)")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Pågår")
    CLOSED = "closed", _("Avslutat")


class CaseOrigin(models.TextChoices):
    SIGNAL = "signal", _("Från en signal")
    KAA = "kaa", _("Från aktivitetsansvaret")
    MANUAL = "manual", _("Öppnat för hand")
    REFERRAL = "referral", _("Från en remiss")


class CaseCloseReason(models.TextChoices):
    GOAL_REACHED = "goal_reached", _("Målen är nådda")
    IN_STUDIES = "in_studies", _("Studerar")
    IN_WORK = "in_work", _("Arbetar")
    MOVED = "moved", _("Har flyttat")
    DECLINED = "declined", _("Den unga vill inte ha stödet")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Samtycket är återkallat")
    TRANSFERRED = "transferred", _("Överlämnat till annan organisation")
    OTHER = "other", _("Annat")


class Case(models.Model):
    """The support one organisation gives one young person. Other organisations take part
    through the team, and only while a consent names them."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="cases")
    owner = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("ansvarig organisation"),
        on_delete=models.PROTECT,
        related_name="owned_cases",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    origin = models.CharField(_("öppnat"), max_length=16, choices=CaseOrigin.choices)
    signal = models.ForeignKey(
        "signals.Signal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_on = models.DateField(_("öppnat den"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_on = models.DateField(_("avslutat den"), null=True, blank=True)
    close_reason = models.CharField(
        _("skäl"), max_length=32, choices=CaseCloseReason.choices, blank=True
    )
    outcome = models.TextField(_("resultat"), blank=True)
    # Two cases about the same young person in different organisations are linked, never
    # merged: each stays the record of the organisation that keeps it.
    linked = models.ManyToManyField("self", blank=True, symmetrical=True)

    class Meta:
        verbose_name = _("ärende")
        verbose_name_plural = _("ärenden")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "owner"],
                condition=models.Q(status="open"),
                name="one_open_case_per_person_and_owner",
            )
        ]

    def __str__(self) -> str:
        return f"Ärende {self.pk}"


class CaseTargetGroup(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="target_groups")
    group = models.CharField(max_length=32, choices=TargetGroup.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "group"], name="unique_case_target_group")
        ]

    def __str__(self) -> str:
        return self.get_group_display()


class TeamMemberRole(models.TextChoices):
    CONTACT_PERSON = "contact_person", _("Kontaktperson")
    MEMBER = "member", _("Deltar")


class TeamMember(models.Model):
    """An organisation, and optionally a named person in it, on the case's team. Being on
    the team grants nothing by itself: the policy also asks for an active consent."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_memberships",
    )
    role = models.CharField(
        _("roll i ärendet"),
        max_length=16,
        choices=TeamMemberRole.choices,
        default=TeamMemberRole.MEMBER,
    )
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("deltagare i ärendet")
        verbose_name_plural = _("teamet")
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return str(self.organisation)


class NoteCategory(models.TextChoices):
    """The data category of a journal note: it decides who beyond the writing organisation
    may read it (``privacy.models.Category`` values)."""

    SUPPORT = "support", _("Stöd och insatser")
    SCHOOL = "school", _("Skola")
    HEALTH = "health", _("Hälsorelaterat")


class Note(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    category = models.CharField(_("sort"), max_length=16, choices=NoteCategory.choices)
    text = models.TextField(_("anteckning"))
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("journalanteckning")
        verbose_name_plural = _("journalanteckningar")
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return f"Anteckning {self.pk}"


class ContactChannel(models.TextChoices):
    MEETING = "meeting", _("Möte")
    PHONE = "phone", _("Telefon")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-post")
    DIGITAL = "digital", _("Digitalt möte")
    HOME_VISIT = "home_visit", _("Hembesök")
    LETTER = "letter", _("Brev")


class Contact(models.Model):
    """A contact, or an attempt at one (``reached`` false)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    date = models.DateField(_("datum"))
    channel = models.CharField(_("kanal"), max_length=16, choices=ContactChannel.choices)
    reached = models.BooleanField(_("nådde den unga"))
    outcome = models.CharField(_("resultat"), max_length=200, blank=True)
    note = models.CharField(_("kort anteckning"), max_length=500, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("kontakt")
        verbose_name_plural = _("kontakter")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"Kontakt {self.pk}"


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Väntar på svar")
    ACCEPTED = "accepted", _("Accepterad")
    DECLINED = "declined", _("Avböjd")
    REVOKED = "revoked", _("Återtagen")


class Referral(models.Model):
    """A request from one organisation that another takes part. It rests on a consent that
    names the receiver; without it, the receiver sees nothing."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    from_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="sent_referrals"
    )
    to_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("mottagare"),
        on_delete=models.PROTECT,
        related_name="received_referrals",
    )
    consent = models.ForeignKey(
        "privacy.Consent", verbose_name=_("samtycke"), on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField(_("meddelande"))
    status = models.CharField(
        max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(_("skäl"), blank=True)

    class Meta:
        verbose_name = _("remiss")
        verbose_name_plural = _("remisser")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"Remiss {self.pk}"


class HandoverKind(models.TextChoices):
    TO_UPPER_SECONDARY = "gr_gy", _("Grundskola till gymnasieskola")
    TO_INTRODUCTION = "nat_im", _("Nationellt program till introduktionsprogram")
    TO_NATIONAL = "im_nat", _("Introduktionsprogram till nationellt program")
    OTHER = "other", _("Annan skolövergång")


class Handover(models.Model):
    """What one school passes on to the next about a pupil, seen by the receiving school
    only when a consent names it and school data."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="handovers")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="handovers"
    )
    kind = models.CharField(_("övergång"), max_length=16, choices=HandoverKind.choices)
    from_school = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    to_school = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("mottagande skola"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    strengths = models.TextField(_("styrkor"))
    what_has_worked = models.TextField(_("det här har fungerat"))
    support_needed = models.TextField(_("stöd som behövs"))
    own_words = models.TextField(_("den ungas egna ord"), blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("överlämning")
        verbose_name_plural = _("överlämningar")
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return f"Överlämning {self.pk}"


class LeadParty(models.TextChoices):
    NONE = "", _("Ingen särskild")
    SOCIAL_SERVICES = "social_services", _("Socialtjänsten")
    HEALTH_CARE = "health_care", _("Hälso- och sjukvården")


class Plan(models.Model):
    """One plan per case in the shape of a coordinated individual plan (SIP).

    ``version`` is the optimistic lock: a save names the version it started from and is
    refused when someone else has saved since (see ``support.services.plan_update``).
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="plan")
    own_goal = models.TextField(_("den ungas eget mål, med egna ord"), blank=True)
    lead_party = models.CharField(
        _("vem leder arbetet"), max_length=16, choices=LeadParty.choices, blank=True
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("planer")

    def __str__(self) -> str:
        return f"Plan {self.pk}"


class PlanRevision(models.Model):
    """The plan as it was saved at one version: the history, and what a conflicting save
    is shown ("this is what changed since you opened the plan")."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "version"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "version"], name="unique_plan_revision")
        ]

    def __str__(self) -> str:
        return f"Plan {self.plan_id} v{self.version}"


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Inte påbörjat")
    IN_PROGRESS = "in_progress", _("Pågår")
    REACHED = "reached", _("Uppnått")
    NOT_REACHED = "not_reached", _("Inte uppnått")


class Goal(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(_("mål"), max_length=300)
    target_date = models.DateField(_("ska vara klart"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text


class PlanAction(models.Model):
    """Who does what, and when it is followed up: the follow-up date becomes a task."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    text = models.CharField(_("insats eller aktivitet"), max_length=300)
    responsible_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("ansvarig organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ansvarig person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    follow_up_on = models.DateField(_("följs upp"))
    done_on = models.DateField(_("klar"), null=True, blank=True)

    class Meta:
        ordering = ["follow_up_on", "id"]

    def __str__(self) -> str:
        return self.text


class InterventionEndReason(models.TextChoices):
    COMPLETED = "completed", _("Genomförd")
    DROPPED_OUT = "dropped_out", _("Den unga avbröt")
    NOT_SUITABLE = "not_suitable", _("Passade inte")
    MOVED = "moved", _("Flyttade")
    OTHER = "other", _("Annat")


class Intervention(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="interventions")
    method = models.ForeignKey(
        Method, verbose_name=_("metod"), on_delete=models.PROTECT, related_name="interventions"
    )
    provider = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("utförare"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    start = models.DateField(_("startdatum"))
    end = models.DateField(_("slutdatum"), null=True, blank=True)
    hours_per_week = models.DecimalField(
        _("timmar per vecka"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    end_reason = models.CharField(
        _("varför insatsen slutade"),
        max_length=16,
        choices=InterventionEndReason.choices,
        blank=True,
    )

    class Meta:
        verbose_name = _("insats")
        verbose_name_plural = _("insatser")
        ordering = ["-start", "-id"]

    def __str__(self) -> str:
        return str(self.method)


class WellbeingCheckin(models.Model):
    """The young person's own "how am I doing": the WHO-5 wellbeing index.

    Five items scored 0–5; the raw sum (0–25) times four is the 0–100 score the index is
    reported on (WHO 1998). A score at or below 50 suggests low wellbeing, but here it is the
    young person's own view over time, never a screening decision.
    """

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="wellbeing_checkins"
    )
    answered_at = models.DateTimeField(default=timezone.now)
    item1 = models.PositiveSmallIntegerField()
    item2 = models.PositiveSmallIntegerField()
    item3 = models.PositiveSmallIntegerField()
    item4 = models.PositiveSmallIntegerField()
    item5 = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["answered_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__lte=100), name="who5_score_at_most_100"
            )
        ]

    def __str__(self) -> str:
        return f"WHO-5 {self.score}"


class YouthMessage(models.Model):
    """ "What I want you to know": free text from the young person to their case team."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="youth_messages"
    )
    text = models.TextField(_("det här vill jag att ni vet"))
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return f"Meddelande {self.pk}"
