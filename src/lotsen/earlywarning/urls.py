from django.urls import path

from lotsen.earlywarning import model_views, views

app_name = "signals"
urlpatterns = [
    path("<int:signal_id>/", views.signal_detail, name="detail"),
    path("<int:signal_id>/ta/", views.signal_assign_to_me, name="assign_to_me"),
    path("<int:signal_id>/kvittera/", views.signal_acknowledge_view, name="acknowledge"),
    path("<int:signal_id>/atgard/", views.signal_action_view, name="record_action"),
    path("<int:signal_id>/avsluta/", views.signal_close_view, name="close"),
    path("modell/", model_views.model_versions, name="model_versions"),
    path("modell/av-pa/", model_views.model_switch, name="model_switch"),
    path("modell/av-pa/andra/", model_views.model_switch_set, name="model_switch_set"),
    path("modell/<slug:version>/", model_views.model_version, name="model_version"),
    path("modell/<slug:version>/jamfor/", model_views.model_compare, name="model_compare"),
    path(
        "modell/<slug:version>/aktivera/",
        model_views.model_activate_view,
        name="model_activate",
    ),
    path(
        "modell/<slug:version>/<slug:document>.<slug:fmt>",
        model_views.model_document,
        name="model_document",
    ),
    path("bedomning/<int:score_id>/omdome/", model_views.score_review, name="score_review"),
    path(
        "invandning/<int:objection_id>/svar/",
        model_views.objection_answer_view,
        name="objection_answer",
    ),
]
