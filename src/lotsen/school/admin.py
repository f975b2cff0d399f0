"""SS 12000 sources in the admin: configured here, synced on the schedule or with "Synka
nu", with the last runs' status. The client secret is written, never read back: the form
says whether one is set, and a new value replaces it."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from lotsen.jobs.models import JobRun, JobTrigger
from lotsen.school.sources import SchoolDataSource
from lotsen.school.tasks import IMPORT_JOB, ss12000_import_start

LAST_RUNS = 5


class SchoolDataSourceForm(forms.ModelForm):
    client_secret = forms.CharField(
        label=_("klienthemlighet"),
        required=False,
        max_length=500,
        strip=True,
        # Never rendered back into the page, not even as dots.
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Sparas krypterad och visas aldrig igen. Lämna tomt för att behålla den som är satt."
        ),
    )

    class Meta:
        model = SchoolDataSource
        fields = ["name", "organisation", "base_url", "token_url", "client_id", "enabled"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("client_secret") and not self.instance.has_client_secret:
            self.add_error("client_secret", _("Ange klienthemligheten."))
        return cleaned

    def save(self, commit=True):
        source = super().save(commit=False)
        if self.cleaned_data.get("client_secret"):
            source.client_secret_set(self.cleaned_data["client_secret"])
        if commit:
            source.save()
        return source


def _runs_of(source: SchoolDataSource):
    return JobRun.objects.filter(name=IMPORT_JOB, params__source_id=source.pk).order_by(
        "-created_at", "-id"
    )


@admin.register(SchoolDataSource)
class SchoolDataSourceAdmin(admin.ModelAdmin):
    form = SchoolDataSourceForm
    list_display = ["name", "organisation", "base_url", "enabled", "secret_status", "last_run"]
    list_filter = ["enabled"]
    search_fields = ["name", "base_url", "organisation__name"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["secret_status", "last_runs"]
    actions = ["sync_now"]
    fieldsets = [
        (None, {"fields": ["name", "organisation", "enabled"]}),
        (
            _("Anslutning"),
            {"fields": ["base_url", "token_url", "client_id", "secret_status", "client_secret"]},
        ),
        (_("Senaste körningar"), {"fields": ["last_runs"]}),
    ]

    @admin.display(description=_("klienthemlighet"))
    def secret_status(self, source: SchoolDataSource) -> str:
        return _("satt") if source.has_client_secret else _("saknas")

    @admin.display(description=_("senaste körning"))
    def last_run(self, source: SchoolDataSource) -> str:
        run = _runs_of(source).first()
        if run is None:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:jobs_jobrun_change", args=[run.pk]),
            run.get_status_display(),
        )

    @admin.display(description=_("senaste körningar"))
    def last_runs(self, source: SchoolDataSource) -> str:
        if source.pk is None:
            return "–"
        runs = list(_runs_of(source)[:LAST_RUNS])
        if not runs:
            return _("Inga körningar ännu.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a>: {} {}</li>',
                (
                    (
                        reverse("admin:jobs_jobrun_change", args=[run.pk]),
                        f"{run.created_at:%Y-%m-%d %H:%M}",
                        run.get_status_display(),
                        run.error,
                    )
                    for run in runs
                ),
            ),
        )

    @admin.action(description=_("Synka nu"))
    def sync_now(self, request, queryset) -> None:
        started = 0
        for source in queryset:
            if ss12000_import_start(
                source_id=source.pk, trigger=JobTrigger.USER, started_by=request.user
            ):
                started += 1
        self.message_user(
            request,
            _("Import startad för %(started)d av %(total)d källor (övriga körs redan).")
            % {"started": started, "total": queryset.count()},
            messages.SUCCESS,
        )
