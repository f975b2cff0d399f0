from django.contrib import admin

from lotsen.surveys.models import Question, Survey


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "programme", "anonymous", "is_open"]
    list_filter = ["anonymous", "is_open"]
    inlines = [QuestionInline]
