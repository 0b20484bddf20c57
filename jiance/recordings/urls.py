from __future__ import annotations

from django.urls import path

from jiance.recordings import pc_views, views

app_name = "recordings"
urlpatterns = [
    path("", views.home, name="home"),
    path("unit/<str:code>/", views.monitor, name="monitor"),
    path("unit/<str:code>/table/", views.table, name="table"),
    path("play/<int:recording_id>/", views.play, name="play"),
    # the student's PC (signed in with the slip through jiance.cbt)
    path("pc/<int:test_room_id>/<int:seat>/", pc_views.record, name="pc"),
    path("pc/<int:test_room_id>/<int:seat>/status/", pc_views.status, name="pc_status"),
    path("pc/<int:test_room_id>/<int:seat>/mark/<str:task>/", pc_views.mark, name="pc_mark"),
    path("pc/<int:test_room_id>/<int:seat>/upload/<str:task>/<str:sha256>/", pc_views.upload, name="pc_upload"),
]
