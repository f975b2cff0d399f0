"""Machine clients of the API (issue 11): other systems that read, and where the API
writes, through OAuth2 client credentials.

A client is an ``ApiClient``: one organisation, one role and a set of scopes
(``lotsen.apiclients.areas``), linked to django-oauth-toolkit's ``Application``
(client-credentials grant only, its secret kept hashed). A token acts as the client's
own actor: the organisation and role it was given, through the same policies and the same
door as a person in that role, so a client of one organisation answers 404 for another
organisation's case exactly as a person would.

The client acts through a service account of its own (``ApiClient.user``): the access log
and the records a write leaves name a user, and each client is one. That account never
logs in: it has no usable password and is inactive, which both the password login and the
OpenID Connect login refuse. It holds no ``Membership`` row either: the organisation and
role live on the client, so it never shows up among an organisation's members nor gets
their notifications. Every access-log entry a client causes names the client too
(``AccessLogEntry.api_client``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import APPLICATION_MODEL

from lotsen.accounts.models import Organisation, Role

MAX_NAME = 100


class ApiClient(models.Model):
    name = models.CharField(_("namn"), max_length=MAX_NAME)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="api_clients",
    )
    role = models.CharField(_("roll"), max_length=32, choices=Role.choices)
    scopes = models.JSONField(_("behörigheter"), default=list)
    # Null once revoked: the application, and with it every token, is deleted then.
    application = models.OneToOneField(
        APPLICATION_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="api_client",
    )
    # The application's client id, kept after revocation so that the log still reads.
    client_id = models.CharField(_("klient-id"), max_length=100, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_client",
        verbose_name=_("tjänstekonto"),
    )
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("skapad av"),
    )
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("återkallad av"),
    )

    class Meta:
        verbose_name = _("API-klient")
        verbose_name_plural = _("API-klienter")
        ordering = ["organisation__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.application_id is not None
