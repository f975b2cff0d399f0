"""The admin holds the configurable lists: measure types and each period's code lists."""

from django.contrib import admin

from lotsen.kaa.models import MeasureType, ReportCode, ReportPeriod, RetentionRun


@admin.register(MeasureType)
class MeasureTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "active", "sort_order"]
    list_editable = ["active", "sort_order"]


class ReportCodeInline(admin.TabularInline):
    model = ReportCode
    extra = 0


@admin.register(ReportPeriod)
class ReportPeriodAdmin(admin.ModelAdmin):
    list_display = ["code", "starts_on", "ends_on", "codes_verified"]
    inlines = [ReportCodeInline]


@admin.register(RetentionRun)
class RetentionRunAdmin(admin.ModelAdmin):
    list_display = ["ran_at", "today", "dry_run", "counts"]
    readonly_fields = ["ran_at", "today", "dry_run", "counts"]
