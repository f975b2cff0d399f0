from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lotsen.accounts import codes


class OrganisationKind(models.TextChoices):
    REGION = "region", _("Region")
    MUNICIPALITY = "municipality", _("Kommun")
    SCHOOL_ORGANISER = "school_organiser", _("Huvudman")
    SCHOOL_UNIT = "school_unit", _("Skolenhet")
    SOCIAL_SERVICES = "social_services", _("Socialtjänst")
    HEALTH_CARE = "health_care", _("Hälso- och sjukvård")
    EMPLOYMENT_SERVICE = "employment_service", _("Arbetsförmedlingen")
    OTHER = "other", _("Annan")


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("Systemadministratör")
    ORGANISATION_ADMIN = "organisation_admin", _("Organisationsadministratör")
    KAA_COORDINATOR = "kaa_coordinator", _("KAA-samordnare")
    MENTOR = "mentor", _("Mentor")
    STUDENT_HEALTH = "student_health", _("Elevhälsan")
    COUNSELLOR = "counsellor", _("Studie- och yrkesvägledare")
    CASE_WORKER = "case_worker", _("Coach/handläggare")
    PROJECT_LEADER = "project_leader", _("Projektledare")
    EVALUATOR = "evaluator", _("Utvärderare")
    YOUNG_PERSON = "young_person", _("Ung person")


class Organisation(models.Model):
    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("typ"), max_length=32, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("ingår i"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    municipality_code = models.CharField(_("kommunkod"), max_length=4, blank=True, db_index=True)
    school_unit_code = models.CharField(_("skolenhetskod"), max_length=8, blank=True, db_index=True)
    organisation_number = models.CharField(_("organisationsnummer"), max_length=11, blank=True)
    # The organisation's own rule on consent: below this age a guardian must consent too
    # (e.g. social services for young children); empty means the young person's own
    # consent is enough when they are mature enough to give it.
    guardian_consent_below_age = models.PositiveSmallIntegerField(
        _("vårdnadshavare samtycker också för unga under (år)"),
        null=True,
        blank=True,
        help_text=_("Lämna tomt om den ungas eget samtycke räcker."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_unit_code"],
                condition=~models.Q(school_unit_code=""),
                name="unique_school_unit_code",
            ),
            # A municipality code identifies one municipality; other organisations may
            # carry the code of the municipality they belong to.
            models.UniqueConstraint(
                fields=["municipality_code"],
                condition=models.Q(kind="municipality"),
                name="unique_municipality_code",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.municipality_code and not codes.is_municipality_code(self.municipality_code):
            errors["municipality_code"] = codes.ERROR_MUNICIPALITY_CODE
        if self.kind == OrganisationKind.MUNICIPALITY and not self.municipality_code:
            errors["municipality_code"] = codes.ERROR_MUNICIPALITY_CODE
        if self.school_unit_code and not codes.is_school_unit_code(self.school_unit_code):
            errors["school_unit_code"] = codes.ERROR_SCHOOL_UNIT_CODE
        if self.organisation_number:
            normalized = codes.normalize_organisation_number(self.organisation_number)
            if normalized is None:
                errors["organisation_number"] = codes.ERROR_ORGANISATION_NUMBER
            else:
                self.organisation_number = normalized
        if errors:
            raise ValidationError(errors)


class User(AbstractUser):
    """A person who logs in. Staff act through a Membership; a young person is linked to
    their own Person record and sees only that."""

    person = models.OneToOneField(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user_account",
        verbose_name=_("egen personpost"),
    )

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("roll"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="unique_membership"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"

    def clean(self) -> None:
        # A young person's own account reaches their own record only; a staff role on it
        # would mix the two doors (see accounts.services.ERROR_PERSON_LINKED_USER).
        if self.user_id and self.user.person_id and self.role != Role.YOUNG_PERSON:
            raise ValidationError(
                {"user": _("Ett konto som hör till en ung person kan inte få en personalroll.")}
            )


class GrantStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("Väntar på godkännande")
    INVITED = "invited", _("Inbjuden")
    ACTIVE = "active", _("Beviljad")
    REJECTED = "rejected", _("Inte godkänd")
    DECLINED = "declined", _("Avböjd")
    EXPIRED = "expired", _("Utgången")


OPEN_GRANT_STATUSES = (GrantStatus.AWAITING_APPROVAL, GrantStatus.INVITED)


class RoleGrant(models.Model):
    """A role on its way to a user: granted at once, or waiting for a second administrator's
    approval (four eyes) and/or for the user to accept an invitation to the organisation.
    The membership exists only once every step is done."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("roll"), max_length=32, choices=Role.choices)
    status = models.CharField(_("status"), max_length=20, choices=GrantStatus.choices)
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    needs_approval = models.BooleanField(default=False)
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    is_invitation = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("behörighetsbeslut")
        verbose_name_plural = _("behörighetsbeslut")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=models.Q(status__in=["awaiting_approval", "invited"]),
                name="one_open_role_grant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"

    @property
    def is_expired(self) -> bool:
        return (
            self.status == GrantStatus.INVITED
            and self.expires_at is not None
            and self.expires_at <= timezone.now()
        )


class GrantEventKind(models.TextChoices):
    GRANTED = "granted", _("fick rollen")
    REQUESTED = "requested", _("begärdes, väntar på godkännande")
    APPROVED = "approved", _("godkändes")
    REJECTED = "rejected", _("godkändes inte")
    INVITED = "invited", _("bjöds in")
    ACCEPTED = "accepted", _("accepterade inbjudan")
    DECLINED = "declined", _("avböjde inbjudan")
    EXPIRED = "expired", _("inbjudan gick ut")
    REMOVED = "removed", _("rollen togs bort")


class GrantEvent(models.Model):
    """The audit trail of role administration: who did what to whose role, in which
    organisation, when. Written in the same transaction as the change.

    Append-only in the database (see migration 0004). Names are copied in so that the trail
    still reads after a user or organisation is deleted; the foreign keys carry no database
    constraint for the same reason.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    event = models.CharField(_("händelse"), max_length=16, choices=GrantEventKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    username = models.CharField(max_length=150)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    organisation_name = models.CharField(max_length=200)
    role = models.CharField(_("roll"), max_length=32, choices=Role.choices)
    grant = models.ForeignKey(
        RoleGrant,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("händelse i behörighetsloggen")
        verbose_name_plural = _("behörighetslogg")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organisation", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.event} {self.role}"


class ProviderKind(models.TextChoices):
    STAFF = "staff", _("Personalens inloggning (kommunens eller regionens IdP)")
    E_ID = "e_id", _("E-legitimation för unga (e-ID-broker)")


class UserField(models.TextChoices):
    USERNAME = "username", _("Användarnamn (t.ex. anställningsnummer)")
    EMAIL = "email", _("E-postadress")


class IdentityProvider(models.Model):
    """An OpenID Connect provider that people log in through: a municipality's or
    region's identity provider for staff, or an e-ID broker for young people.

    Configured in Django admin. The client secret is best kept in the environment
    (``client_secret_env`` names the variable); ``client_secret`` is for a provider that
    can only be configured here. A staff provider matches users by one claim and creates a
    user only when it is trusted to: it never gives anyone a role.
    """

    name = models.CharField(
        _("namn"), max_length=100, help_text=_("Visas på knappen: Logga in med <namn>.")
    )
    slug = models.SlugField(_("kortnamn i adressen"), max_length=50, unique=True)
    kind = models.CharField(_("typ"), max_length=16, choices=ProviderKind.choices)
    enabled = models.BooleanField(_("aktiv"), default=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="identity_providers",
        help_text=_("Lämna tomt för en inloggning som flera organisationer delar."),
    )
    issuer = models.URLField(
        _("utfärdare (issuer)"),
        help_text=_("Adressen som /.well-known/openid-configuration finns under."),
    )
    client_id = models.CharField(_("klient-id"), max_length=200)
    client_secret = models.CharField(_("klienthemlighet"), max_length=200, blank=True)
    client_secret_env = models.CharField(
        _("miljövariabel med klienthemligheten"),
        max_length=100,
        blank=True,
        help_text=_("Används före klienthemligheten ovan när variabeln finns."),
    )
    scopes = models.CharField(_("scopes"), max_length=300, default="openid email profile")
    acr_values = models.CharField(
        _("begärd tillitsnivå (acr_values)"),
        max_length=300,
        blank=True,
        help_text=_("T.ex. http://id.elegnamnden.se/loa/1.0/loa3 för en e-ID-broker."),
    )
    user_claim = models.CharField(
        _("claim som identifierar användaren"),
        max_length=200,
        default="email",
        help_text=_("Bara för personalens inloggning, t.ex. email eller employee_id."),
    )
    user_field = models.CharField(
        _("matchas mot"), max_length=16, choices=UserField.choices, default=UserField.EMAIL
    )
    creates_users = models.BooleanField(
        _("får skapa användare"),
        default=False,
        help_text=_(
            "Skapar ett konto utan roller för den som saknar konto. Roller delas alltid ut "
            "av organisationens administratör."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("inloggningstjänst (OpenID Connect)")
        verbose_name_plural = _("inloggningstjänster (OpenID Connect)")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InvitationStatus(models.TextChoices):
    OPEN = "open", _("Väntar på svar")
    ACCEPTED = "accepted", _("Accepterad")
    WITHDRAWN = "withdrawn", _("Återkallad")
    EXPIRED = "expired", _("Utgången")


class UserInvitation(models.Model):
    """An invitation by e-mail for somebody who has no account yet (lotsen.accounts.invitations).

    Only a hash of the link's token is kept: whoever reads the database cannot accept on
    the invitee's behalf. The invitee chooses a username and password; the role then goes
    the way of any other grant (four eyes, audit trail). Deleted once it has expired
    (the nightly accounts.invitations_retention job); its InvitationEvents stay.
    """

    email = models.EmailField(_("e-postadress"), max_length=254)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="user_invitations"
    )
    role = models.CharField(_("roll"), max_length=32, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.OPEN
    )
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # The account the invitee made when accepting.
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("inbjudan via e-post")
        verbose_name_plural = _("inbjudningar via e-post")
        ordering = ["-invited_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "organisation", "role"],
                condition=models.Q(status="open"),
                name="one_open_user_invitation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} – {self.get_role_display()} – {self.organisation}"


class InvitationEventKind(models.TextChoices):
    INVITED = "invited", _("bjöds in via e-post")
    WITHDRAWN = "withdrawn", _("inbjudan drogs tillbaka")
    EXPIRED = "expired", _("inbjudan gick ut")
    ACCEPTED = "accepted", _("accepterade inbjudan och skapade ett konto")


class InvitationEvent(models.Model):
    """The audit trail of invitations by e-mail: who invited which address to which role
    in which organisation, and what became of it. Append-only in the database (migration
    0006); names are copied in and the foreign keys carry no constraint, so the trail
    outlives the invitation, the users and the organisation (like GrantEvent)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    event = models.CharField(_("händelse"), max_length=16, choices=InvitationEventKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    email = models.EmailField(max_length=254)
    # The username the invitee chose, once they accepted.
    username = models.CharField(max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    organisation_name = models.CharField(max_length=200)
    role = models.CharField(_("roll"), max_length=32, choices=Role.choices)
    invitation = models.ForeignKey(
        UserInvitation,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("händelse i inbjudningsloggen")
        verbose_name_plural = _("inbjudningslogg")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organisation", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.email} {self.event} {self.role}"
