from django.urls import path

from lotsen.youth import risk, views

app_name = "youth"

urlpatterns = [
    path("", views.start, name="start"),
    path("plan/", views.plan, name="plan"),
    path("plan/<int:case_id>/", views.plan, name="plan_case"),
    path("kontakter/", views.contacts, name="contacts"),
    path("kontakter/<int:case_id>/", views.contacts, name="contacts_case"),
    path("hur-mar-jag/", views.wellbeing, name="wellbeing"),
    path("det-har-vill-jag-att-ni-vet/", views.message, name="message"),
    path("samtycken/", views.consents, name="consents"),
    path(
        "samtycken/<int:consent_id>/ta-tillbaka/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("vem-har-last/", views.access_log, name="access_log"),
    path("varfor/", risk.why, name="why"),
]
