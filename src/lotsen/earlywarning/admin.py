"""Rule settings are configuration: which rules an organisation uses, with which
thresholds. Signals themselves are about young people and are not registered here (the
admin would be a door around the policy and the access log)."""

from django.contrib import admin

from lotsen.earlywarning.models import RuleSetting


@admin.register(RuleSetting)
class RuleSettingAdmin(admin.ModelAdmin):
    list_display = ["organisation", "rule_id", "enabled", "thresholds"]
    list_filter = ["rule_id", "enabled"]
    search_fields = ["organisation__name", "organisation__school_unit_code"]
    autocomplete_fields = ["organisation"]
