from django.urls import path

from lotsen.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.survey_list, name="list"),
    path("ny/", views.survey_new, name="create"),
    path("<int:survey_id>/", views.survey_detail, name="detail"),
    path("<int:survey_id>/oppna/", views.survey_open, name="set_open"),
    path("<int:survey_id>/resultat/", views.survey_results_page, name="results"),
    path("<int:survey_id>/resultat.csv", views.survey_results_csv, name="results_csv"),
    path("svara/<str:token>/", views.survey_answer, name="answer"),
    path("svara/<str:token>/tack/", views.survey_thanks, name="thanks"),
]
