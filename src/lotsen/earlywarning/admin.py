"""Rule settings are configuration: which rules an organisation uses, with which
thresholds. Signals themselves are about young people and are not registered here (the
admin would be a door around the policy and the access log)."""

from django.contrib import admin

from lotsen.earlywarning.models import RiskCapacity, RuleSetting


@admin.register(RuleSetting)
class RuleSettingAdmin(admin.ModelAdmin):
    list_display = ["organisation", "rule_id", "role", "enabled", "thresholds"]
    list_filter = ["rule_id", "role", "enabled"]
    search_fields = ["organisation__name", "organisation__school_unit_code"]
    autocomplete_fields = ["organisation"]


@admin.register(RiskCapacity)
class RiskCapacityAdmin(admin.ModelAdmin):
    """How many pupils a school (or all of an organiser's schools) can follow up closely:
    the bands of the learned model's scores are set from it at the next scoring run."""

    list_display = ["organisation", "close_percent", "high_percent"]
    search_fields = ["organisation__name", "organisation__school_unit_code"]
    autocomplete_fields = ["organisation"]
