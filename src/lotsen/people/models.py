from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from lotsen.people.identity import InvalidIdentityNumber, parse_identity_number


class Gender(models.TextChoices):
    """Self-described gender. Never derived from the personnummer."""

    WOMAN = "woman", _("Kvinna")
    MAN = "man", _("Man")
    OTHER = "other", _("Annat")
    NOT_STATED = "not_stated", _("Vill inte ange")


class Person(models.Model):
    """A young person. Reached only through ``lotsen.privacy`` (see people.selectors)."""

    personal_identity_number = models.CharField(
        _("personnummer eller samordningsnummer"),
        max_length=12,
        unique=True,
        help_text=_("Lagras med tolv siffror utan skiljetecken."),
    )
    is_coordination_number = models.BooleanField(_("samordningsnummer"), default=False)
    date_of_birth = models.DateField(_("födelsedatum"))
    given_name = models.CharField(_("förnamn"), max_length=100)
    family_name = models.CharField(_("efternamn"), max_length=100)
    gender = models.CharField(
        _("kön"), max_length=16, choices=Gender.choices, default=Gender.NOT_STATED
    )
    home_municipality_code = models.CharField(
        _("folkbokföringskommun"), max_length=4, db_index=True
    )
    protected_identity = models.BooleanField(_("skyddad folkbokföring"), default=False)
    confidentiality_marking = models.BooleanField(_("sekretessmarkering"), default=False)
    street_address = models.CharField(_("adress"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=6, blank=True)
    city = models.CharField(_("ort"), max_length=100, blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("personer")
        ordering = ["family_name", "given_name", "id"]
        indexes = [models.Index(fields=["family_name", "given_name"])]

    def __str__(self) -> str:
        # Names only: the identity number never goes into logs or error messages.
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def identity_number_display(self) -> str:
        n = self.personal_identity_number
        return f"{n[:8]}-{n[8:]}"

    @property
    def is_protected(self) -> bool:
        return self.protected_identity or self.confidentiality_marking


class Guardian(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="guardians")
    name = models.CharField(_("namn"), max_length=200)
    # What a guardian's e-ID login is matched against (issue 11): without it the guardian
    # cannot log in as this person's guardian. Twelve digits, checked like the person's.
    personal_identity_number = models.CharField(
        _("vårdnadshavarens personnummer"),
        max_length=12,
        blank=True,
        db_index=True,
        help_text=_("Lagras med tolv siffror utan skiljetecken."),
    )
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    email = models.EmailField(_("e-post"), blank=True)

    class Meta:
        verbose_name = _("vårdnadshavare")
        verbose_name_plural = _("vårdnadshavare")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.personal_identity_number:
            return
        try:
            number = parse_identity_number(self.personal_identity_number)
        except InvalidIdentityNumber as exc:
            raise ValidationError({"personal_identity_number": str(exc)}) from exc
        self.personal_identity_number = number.normalized


class GuardianAccount(models.Model):
    """The account a guardian logs in with through e-ID, to answer consent requests for
    their minors. A login kind of its own: never a staff user's account and never a young
    person's, so a guardian who also works in Lotsen keeps two separate logins. Which
    minors it reaches is not stored here: it is read from ``Guardian`` rows by number on
    every request, so a guardianship removed from the register ends access at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardian_account"
    )
    personal_identity_number = models.CharField(max_length=12, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vårdnadshavares konto")
        verbose_name_plural = _("vårdnadshavares konton")

    def __str__(self) -> str:
        # Never the number: it shows in admin lists and logs.
        return f"Vårdnadshavare {self.pk}"
