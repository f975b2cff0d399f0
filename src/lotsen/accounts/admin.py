"""Django admin is for configuration only: organisations, users and memberships.

Young people's records are deliberately not registered here: the admin would be a second
door around the privacy policy and the access log. Memberships are granted and removed
through the same services as the members page, so the same rules (no data role to
oneself, no staff role on a young person's account, invitations, four eyes) and the same
audit trail apply; the inline on the user page only shows them.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import (
    GrantEvent,
    IdentityProvider,
    Membership,
    Organisation,
    Role,
    RoleGrant,
    User,
)
from lotsen.accounts.selectors import actor_is_system_admin
from lotsen.accounts.services import (
    membership_grant,
    membership_grant_check,
    membership_remove,
    user_delete,
)


def admin_actor(request) -> Actor:
    """The system admin acting in Django admin: the session's actor when it is one, the
    user's system-admin membership otherwise, or a superuser without memberships."""
    actor = getattr(request, "actor", None)
    if actor is not None and actor_is_system_admin(actor):
        return actor
    membership = (
        Membership.objects.filter(user=request.user, role=Role.SYSTEM_ADMIN)
        .select_related("organisation", "user")
        .first()
    )
    level = getattr(request, "assurance_level", "")
    if membership is not None:
        return Actor.for_membership(membership, assurance_level=level)
    candidate = Actor(user=request.user, membership=None, assurance_level=level)
    if not request.user.memberships.exists() and actor_is_system_admin(candidate):
        return candidate
    raise PermissionDenied


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["organisation", "role", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "organisation", "role"]

    def clean(self):
        cleaned = super().clean()
        user, organisation, role = (cleaned.get(k) for k in ("user", "organisation", "role"))
        if user and organisation and role:
            try:
                membership_grant_check(
                    actor=self.actor, organisation=organisation, user=user, role=role
                )
            except PermissionDenied as exc:
                raise ValidationError(str(exc)) from exc
            except ValidationError as exc:
                # The service names the members page's "username" field; here it is "user".
                raise ValidationError(
                    {
                        ("user" if field == "username" else field): errors
                        for field, errors in exc.message_dict.items()
                    }
                ) from exc
        return cleaned


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = admin_actor(request)
        return form

    def has_change_permission(self, request, obj=None) -> bool:
        # A membership is granted or removed, never edited into another role.
        return False

    def save_model(self, request, obj, form, change) -> None:
        grant = membership_grant(
            actor=admin_actor(request),
            organisation=obj.organisation,
            username=obj.user.username,
            role=obj.role,
        )
        obj.pk = grant.membership_id
        request.lotsen_grant = grant

    def log_addition(self, request, obj, message):
        # The grant is in the role-administration audit trail, with its outcome.
        return None

    def response_add(self, request, obj, post_url_continue=None):
        grant = request.lotsen_grant
        outcome = f"{grant.user} – {grant.get_role_display()}: {grant.get_status_display()}"
        self.message_user(request, outcome)
        return HttpResponseRedirect(reverse("admin:accounts_membership_changelist"))

    def delete_model(self, request, obj) -> None:
        try:
            membership_remove(actor=admin_actor(request), membership=obj)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level=messages.ERROR)

    def delete_queryset(self, request, queryset) -> None:
        for membership in queryset:
            self.delete_model(request, membership)


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RoleGrant)
class RoleGrantAdmin(_ReadOnlyAdmin):
    list_display = ["user", "organisation", "role", "status", "requested_by", "requested_at"]
    list_filter = ["status", "role"]


@admin.register(GrantEvent)
class GrantEventAdmin(_ReadOnlyAdmin):
    list_display = ["at", "actor_username", "username", "role", "organisation_name", "event"]
    list_filter = ["event", "role"]
    search_fields = ["username", "actor_username", "organisation_name"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "municipality_code", "school_unit_code", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "municipality_code", "school_unit_code"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    # The link to a young person's own record is set by the services that create their
    # account, never typed in here.
    readonly_fields = ["person"]
    fieldsets = [*BaseUserAdmin.fieldsets, ("Lotsen", {"fields": ["person"]})]

    def delete_model(self, request, obj) -> None:
        user_delete(actor=admin_actor(request), user=obj)

    def delete_queryset(self, request, queryset) -> None:
        for user in queryset:
            user_delete(actor=admin_actor(request), user=user)


class IdentityProviderForm(forms.ModelForm):
    issuer = forms.URLField(
        label=IdentityProvider._meta.get_field("issuer").verbose_name,
        help_text=IdentityProvider._meta.get_field("issuer").help_text,
        assume_scheme="https",
    )

    class Meta:
        model = IdentityProvider
        fields = [
            "name",
            "slug",
            "kind",
            "enabled",
            "organisation",
            "issuer",
            "client_id",
            "client_secret",
            "client_secret_env",
            "scopes",
            "acr_values",
            "user_claim",
            "user_field",
            "creates_users",
        ]
        # The secret is written, never shown back: leaving the field empty keeps it.
        widgets = {"client_secret": forms.PasswordInput(render_value=False)}

    def clean_client_secret(self) -> str:
        secret = self.cleaned_data.get("client_secret", "")
        if not secret and self.instance.pk:
            return self.instance.client_secret
        return secret


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    form = IdentityProviderForm
    list_display = ["name", "kind", "organisation", "issuer", "enabled", "creates_users"]
    list_filter = ["kind", "enabled"]
    prepopulated_fields = {"slug": ["name"]}
