from django.urls import path

from lotsen.youth import guardian_views, risk

app_name = "guardians"

urlpatterns = [
    path("", guardian_views.start, name="start"),
    path("fragor/<int:request_id>/", guardian_views.answer, name="answer"),
    path("varfor/<int:person_id>/", risk.guardian_why, name="why"),
    # Staff: ask a person's guardians for consent.
    path("be-om-samtycke/<int:person_id>/", guardian_views.request_create, name="request_create"),
]
