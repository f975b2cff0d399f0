"""Machine clients in Django admin, for the system admin: create one (its secret shown
once, on the page that answers the creation, and never again), see them, revoke them.

django-oauth-toolkit's own application, grant and token pages are taken away: an
application made there would be no Lotsen client (its tokens reach nothing), and the
client's page says all there is about its application.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from lotsen.accounts.admin import admin_actor
from lotsen.accounts.models import Role
from lotsen.apiclients.areas import SCOPES
from lotsen.apiclients.models import ApiClient
from lotsen.apiclients.services import CLIENT_ROLES, api_client_create, api_client_revoke

for _model in (
    get_application_model(),
    get_access_token_model(),
    get_grant_model(),
    get_id_token_model(),
    get_refresh_token_model(),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class ApiClientAddForm(forms.ModelForm):
    role = forms.ChoiceField(
        label="Roll", choices=[(r.value, r.label) for r in Role if r in CLIENT_ROLES]
    )
    scopes = forms.MultipleChoiceField(
        label="Behörigheter",
        choices=list(SCOPES.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text="Bara de delar av API:t som systemet behöver.",
    )

    class Meta:
        model = ApiClient
        fields = ["name", "organisation", "role", "scopes"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "role", "client_id", "created_at", "revoked_at"]
    list_filter = ["role", "revoked_at"]
    search_fields = ["name", "client_id", "organisation__name"]
    autocomplete_fields = ["organisation"]
    actions = ["revoke"]
    readonly_fields = [
        "name",
        "organisation",
        "role",
        "scopes",
        "client_id",
        "user",
        "created_at",
        "created_by",
        "revoked_at",
        "revoked_by",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiClientAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ApiClientAddForm.Meta.fields

    def has_delete_permission(self, request, obj=None) -> bool:
        # Revoked, never deleted: the access log names the client.
        return False

    def save_model(self, request, obj, form, change) -> None:
        if change:
            return
        client, secret = api_client_create(
            actor=admin_actor(request),
            name=form.cleaned_data["name"],
            organisation=form.cleaned_data["organisation"],
            role=form.cleaned_data["role"],
            scopes=form.cleaned_data["scopes"],
        )
        obj.pk = client.pk
        obj.client_id = client.client_id
        request.lotsen_client_secret = secret

    def response_add(self, request, obj, post_url_continue=None):
        # The secret only in this answer (never stored, never in a message that would go
        # through the session).
        return TemplateResponse(
            request,
            "apiclients/admin_secret.html",
            {
                **self.admin_site.each_context(request),
                "title": "Klientens hemlighet",
                "client": obj,
                "secret": request.lotsen_client_secret,
                "opts": self.model._meta,
            },
        )

    @admin.action(description="Återkalla valda klienter")
    def revoke(self, request, queryset) -> None:
        actor = admin_actor(request)
        for client in queryset:
            try:
                api_client_revoke(actor=actor, client=client)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{client.name}: {exc}", level=messages.ERROR)
            else:
                self.message_user(request, f"{client.name} är återkallad.")
