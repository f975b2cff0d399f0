from django.contrib import admin

from lotsen.events.models import Event, Registration


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_at", "format", "audience", "organiser", "registration_open"]
    list_filter = ["format", "audience", "registration_open"]
    search_fields = ["title"]
    inlines = [RegistrationInline]
