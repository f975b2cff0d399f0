"""SS 12000 sources: the school systems Lotsen imports from, configured in the admin.

A source names the school organiser (huvudman) whose data it serves, the server's address,
its token endpoint and the client credentials. The client secret is kept encrypted at rest
with Fernet (``cryptography``): the key is ``LOTSEN_FIELD_ENCRYPTION_KEY``, one or more
Fernet keys separated by commas (the first encrypts, all decrypt, so a key can be
rotated), or, when that is empty, a key derived from ``SECRET_KEY``. A database dump or
backup therefore does not give away the credentials, and the admin never shows the secret
back: it says whether one is set, and a new one replaces it.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

ERROR_KEY = (
    "LOTSEN_FIELD_ENCRYPTION_KEY ska vara en eller flera Fernet-nycklar (44 tecken base64), "
    "åtskilda med kommatecken."
)
ERROR_UNREADABLE = (
    "Hemligheten kan inte läsas med nuvarande nyckel (LOTSEN_FIELD_ENCRYPTION_KEY eller "
    "SECRET_KEY har bytts). Ange hemligheten på nytt i administrationen."
)


def _derived_key(secret_key: str) -> bytes:
    # A key of its own for this use, so the Fernet key is not SECRET_KEY's bytes as such.
    digest = hashlib.sha256(b"lotsen.field-encryption\0" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def field_cipher() -> MultiFernet:
    configured = [k.strip() for k in settings.LOTSEN_FIELD_ENCRYPTION_KEY.split(",") if k.strip()]
    keys = configured or [_derived_key(settings.SECRET_KEY)]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(ERROR_KEY) from error


def secret_encrypt(plain: str) -> str:
    return field_cipher().encrypt(plain.encode()).decode()


def secret_decrypt(token: str) -> str:
    try:
        return field_cipher().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(ERROR_UNREADABLE) from error


class SchoolDataSource(models.Model):
    """One SS 12000 server to import from, on a schedule and with "Synka nu"."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="school_data_sources",
        verbose_name=_("huvudman"),
        help_text=_("Den huvudman vars skolenheter källan levererar data för."),
    )
    name = models.CharField(_("namn"), max_length=200)
    base_url = models.URLField(_("adress till SS 12000-tjänsten"), max_length=500)
    token_url = models.URLField(
        _("adress för åtkomsttoken"),
        max_length=500,
        blank=True,
        help_text=_("Lämna tomt om den är tjänstens adress följd av /token."),
    )
    client_id = models.CharField(_("klient-id"), max_length=200)
    # The Fernet token of the client secret; never shown, never logged.
    client_secret_encrypted = models.TextField(_("klienthemlighet (krypterad)"), blank=True)
    enabled = models.BooleanField(
        _("aktiv"),
        default=True,
        help_text=_("Bara aktiva källor importeras enligt schemat."),
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    class Meta:
        verbose_name = _("SS 12000-källa")
        verbose_name_plural = _("SS 12000-källor")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["base_url", "client_id"], name="one_source_per_client"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_client_secret(self) -> bool:
        return bool(self.client_secret_encrypted)

    def client_secret_set(self, plain: str) -> None:
        self.client_secret_encrypted = secret_encrypt(plain)

    def client_secret(self) -> str:
        return secret_decrypt(self.client_secret_encrypted) if self.client_secret_encrypted else ""
