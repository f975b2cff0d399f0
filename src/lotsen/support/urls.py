from django.urls import path

from lotsen.support import views

app_name = "support"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("ny/<int:person_id>/", views.case_open_view, name="case_open"),
    path("fran-signal/<int:signal_id>/", views.case_open_from_signal_view, name="case_from_signal"),
    path("<int:case_id>/", views.case_detail, name="case_detail"),
    path("<int:case_id>/plan/", views.plan_edit, name="plan_edit"),
    path("<int:case_id>/plan/mal/", views.goal_create, name="goal_create"),
    path("<int:case_id>/plan/insats/", views.action_create, name="action_create"),
    path("<int:case_id>/plan/insats/<int:action_id>/klar/", views.action_done, name="action_done"),
    path("<int:case_id>/insats/", views.intervention_create, name="intervention_create"),
    path(
        "<int:case_id>/insats/<int:intervention_id>/avsluta/",
        views.intervention_end_view,
        name="intervention_end",
    ),
    path("<int:case_id>/kontakt/", views.contact_create, name="contact_create"),
    path("<int:case_id>/anteckning/", views.note_create, name="note_create"),
    path("<int:case_id>/team/", views.team_add, name="team_add"),
    path("<int:case_id>/team/<int:member_id>/ta-bort/", views.team_remove, name="team_remove"),
    path("<int:case_id>/remiss/", views.referral_create, name="referral_create"),
    path("<int:case_id>/avsluta/", views.case_close_view, name="case_close"),
    path("remiss/<int:referral_id>/", views.referral_detail, name="referral_detail"),
    path("remiss/<int:referral_id>/acceptera/", views.referral_accept_view, name="referral_accept"),
    path("remiss/<int:referral_id>/avboj/", views.referral_decline_view, name="referral_decline"),
    path("remiss/<int:referral_id>/aterta/", views.referral_revoke_view, name="referral_revoke"),
    path("overlamning/ny/<int:person_id>/", views.handover_create_view, name="handover_create"),
    path("overlamning/<int:handover_id>/", views.handover_detail, name="handover_detail"),
]
