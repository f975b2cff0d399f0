from django.contrib import admin

from lotsen.jobs.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """Runs are a record: read in the admin, never edited there."""

    list_display = ("name", "status", "trigger", "started_by", "attempts", "created_at")
    list_filter = ("status", "name", "trigger")
    readonly_fields = [field.name for field in JobRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
