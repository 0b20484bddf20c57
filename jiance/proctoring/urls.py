from __future__ import annotations

from django.urls import path

from jiance.proctoring import views, views_discipline

app_name = "proctoring"
urlpatterns = [
    path("", views.home, name="home"),
    path("time.json", views.server_time, name="time"),
    path("school/<str:code>/", views.school_page, name="school"),
    path("school/<str:code>/timekeeper/", views.timekeeper, name="timekeeper"),
    path("school/<str:code>/discipline/new/", views_discipline.case_new, name="case_new"),
    path("room/<int:test_room_id>/<str:session>/", views.room_page, name="room"),
    path("room/<int:test_room_id>/<str:session>/control/", views.room_control, name="control"),
    path("room/<int:test_room_id>/<str:session>/checkin/", views.room_checkin, name="checkin"),
    path("run/<int:run_id>/cancel/", views.run_cancel, name="cancel"),
    path("discipline/<int:case_id>/decide/", views_discipline.case_decide_view, name="decide"),
]
