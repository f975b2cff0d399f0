"""Django admin is for configuration only: organisations, users and memberships.

Young people's records are deliberately not registered here: the admin would be a second
door around the privacy policy and the access log.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from lotsen.accounts.models import Membership, Organisation, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


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
