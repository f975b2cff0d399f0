"""Consent, emergency access and the access log: the records behind the one door."""

from __future__ import annotations

from django.conf import settings
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ERROR_ACCESS_LOG_APPEND_ONLY = "The access log is append-only: an entry cannot be changed."


class Purpose(models.TextChoices):
    KAA = "kaa", _("Kommunala aktivitetsansvaret")
    SCHOOL = "school", _("Skolans arbete med sina elever")
    SUPPORT = "support", _("Samordnat stöd")
    PROGRAMME = "programme", _("Uppföljning av projektdeltagande")
    SELF = "self", _("Egna uppgifter")
    GUARDIAN = "guardian", _("Vårdnadshavarens samtycke")
    EMERGENCY = "emergency", _("Nödåtkomst")


class Category(models.TextChoices):
    IDENTITY = "identity", _("Identitet")
    SCHOOL = "school", _("Skoluppgifter")
    KAA = "kaa", _("Aktivitetsansvar")
    SUPPORT = "support", _("Stöd och insatser")
    HEALTH = "health", _("Hälsorelaterade anteckningar")
    PROGRAMME = "programme", _("Projektdeltagande")


class Action(models.TextChoices):
    VIEW = "view", _("läste")
    SEARCH = "search", _("sökte fram")
    CREATE = "create", _("registrerade")
    UPDATE = "update", _("ändrade")
    EXPORT = "export", _("exporterade")
    EMERGENCY = "emergency", _("läste med nödåtkomst")


class ConsentGiver(models.TextChoices):
    YOUNG_PERSON = "young_person", _("Den unga")
    GUARDIAN = "guardian", _("Vårdnadshavare")
    BOTH = "both", _("Den unga och vårdnadshavare")


class Consent(models.Model):
    """The young person's (and where required a guardian's) consent that named
    organisations may share named categories of data about them."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="consents")
    given_by = models.CharField(_("lämnat av"), max_length=16, choices=ConsentGiver.choices)
    guardian_name = models.CharField(_("vårdnadshavarens namn"), max_length=200, blank=True)
    organisations = models.ManyToManyField(
        "accounts.Organisation", related_name="consents", verbose_name=_("organisationer")
    )
    given_on = models.DateField(_("lämnat"))
    expires_on = models.DateField(_("gäller till"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("återkallat"), null=True, blank=True)
    evidence = models.TextField(_("hur samtycket lämnades"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # The organisation the consent was recorded in: it sees the consent along with the
    # organisations the consent names, and nobody else on the staff side does.
    recorded_in = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("samtycke")
        verbose_name_plural = _("samtycken")
        ordering = ["-given_on", "-id"]

    def __str__(self) -> str:
        return f"Samtycke {self.pk}"

    def is_active(self, on=None) -> bool:
        on = on or timezone.localdate()
        return (
            self.withdrawn_at is None
            and self.given_on <= on
            and (self.expires_on is None or self.expires_on >= on)
        )


class ConsentCategory(models.Model):
    """One data category a consent covers (a row each, so the policy can filter on it)."""

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="categories")
    category = models.CharField(max_length=16, choices=Category.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consent", "category"], name="unique_consent_category")
        ]

    def __str__(self) -> str:
        return self.get_category_display()


class EmergencyAccess(models.Model):
    """Access outside every ordinary legal basis, opened with a reason and reviewed later."""

    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("skäl"))
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("nödåtkomst")
        verbose_name_plural = _("nödåtkomster")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"Nödåtkomst {self.pk}"


class AccessLogQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Every insert goes onto the hash chain, whoever makes it."""
        from lotsen.privacy.accesslog import chain_link  # accesslog imports this module

        objs = list(objs)
        if not objs:
            return objs
        with transaction.atomic(using=self.db, savepoint=False):
            chain_link(objs, using=self.db)
            return super().bulk_create(objs, *args, **kwargs)


class AccessLogEntry(models.Model):
    """Who did what with whose data, when and why: ids only, never personal data.

    Append-only. Database triggers (see migrations 0002 and 0005) make UPDATE, DELETE and
    REPLACE fail on SQLite and PostgreSQL alike, so not even a bug or a shell session can
    rewrite history. What a trigger cannot stop (the table's owner dropping it, someone
    editing the SQLite file) the hash chain makes visible: every entry carries the hash of
    the one before it, and ``lotsen accesslog verify`` finds the first broken link. Write
    entries only through ``lotsen.privacy.accesslog``, which serialises the chain.
    The foreign keys carry no database constraint so that deleting a person under a
    retention rule never has to touch this table.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    person = models.ForeignKey(
        "people.Person",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True)
    # Everything the entry stands for: within one request all reads of one person for one
    # purpose become one entry, and this lists each object shown ("case:12"), bounded.
    shown = models.JSONField(default=list, blank=True)
    # The level of assurance of the login that did it ("loa3", "local_password"; see
    # lotsen.accounts.assurance); empty for entries from before it was kept and for work
    # outside a login (commands, jobs).
    assurance_level = models.CharField(max_length=32, blank=True, default="", db_default="")
    # A machine client of the API (lotsen.apiclients) when one did it, beside its service
    # account in actor_user; empty for people.
    api_client = models.ForeignKey(
        "apiclients.ApiClient",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    prev_hash = models.CharField(max_length=64, default="")
    entry_hash = models.CharField(max_length=64, default="")

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("loggpost")
        verbose_name_plural = _("åtkomstlogg")
        ordering = ["-at", "-id"]
        # "Who read this person" and "what did this actor read", newest first as the pages
        # show them; with the id, so that on PostgreSQL's monthly partitions (migration
        # 0009) the newest entries come straight off the index, partition by partition.
        indexes = [
            models.Index(fields=["person", "-at", "-id"], name="privacy_log_person_at_idx"),
            models.Index(fields=["actor_user", "-at", "-id"], name="privacy_log_actor_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError(ERROR_ACCESS_LOG_APPEND_ONLY)
        from lotsen.privacy.accesslog import chain_link  # accesslog imports this module

        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            chain_link([self], using=using)
            super().save(*args, **kwargs)
