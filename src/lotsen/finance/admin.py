from django.contrib import admin

from lotsen.finance.models import ActualCost, BudgetLine, FundingSource


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = ["subproject", "category", "year", "amount"]
    list_filter = ["category", "subproject__programme"]
    raw_id_fields = ["subproject", "created_by"]


@admin.register(FundingSource)
class FundingSourceAdmin(admin.ModelAdmin):
    list_display = ["subproject", "kind", "organisation", "hours", "hourly_rate", "amount"]
    list_filter = ["kind", "subproject__programme"]
    raw_id_fields = ["subproject", "organisation", "created_by"]


@admin.register(ActualCost)
class ActualCostAdmin(admin.ModelAdmin):
    list_display = ["subproject", "date", "category", "amount", "source", "import_reference"]
    list_filter = ["category", "source", "subproject__programme"]
    raw_id_fields = ["subproject", "created_by"]
    date_hierarchy = "date"
