from django.contrib import admin

from lotsen.accounts.mfa.models import SecondFactorAttempt


@admin.register(SecondFactorAttempt)
class SecondFactorAttemptAdmin(admin.ModelAdmin):
    """Read-only: the audit is written by the login, never by hand."""

    list_display = ["at", "user", "method", "purpose", "outcome", "ip_address"]
    list_filter = ["outcome", "method", "purpose"]
    search_fields = ["user__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
