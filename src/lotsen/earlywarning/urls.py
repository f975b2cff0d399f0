from django.urls import path

from lotsen.earlywarning import views

app_name = "signals"
urlpatterns = [
    path("<int:signal_id>/", views.signal_detail, name="detail"),
    path("<int:signal_id>/ta/", views.signal_assign_to_me, name="assign_to_me"),
    path("<int:signal_id>/kvittera/", views.signal_acknowledge_view, name="acknowledge"),
    path("<int:signal_id>/atgard/", views.signal_action_view, name="record_action"),
    path("<int:signal_id>/avsluta/", views.signal_close_view, name="close"),
]
