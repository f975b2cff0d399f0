"""Programmes and sub-projects in the admin. Participations are not here: they name
persons, and every read of those goes through the selectors and the access log."""

from django.contrib import admin

from lotsen.programmes.models import Programme, SubProject, SubProjectGoal


class SubProjectGoalInline(admin.TabularInline):
    model = SubProjectGoal
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "framework", "start", "end", "lead_organisation"]
    search_fields = ["name"]


@admin.register(SubProject)
class SubProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "lead_organisation", "start", "end"]
    list_filter = ["programme"]
    search_fields = ["name"]
    filter_horizontal = ["organisations"]
    inlines = [SubProjectGoalInline]
