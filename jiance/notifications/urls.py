from __future__ import annotations

from django.urls import path

from jiance.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:notification_id>/read/", views.read, name="read"),
    path("read-all/", views.read_all, name="read_all"),
    path("remind/<str:code>/<int:milestone_id>/", views.remind, name="remind"),
]
