from __future__ import annotations

from django.urls import path

from jiance.custody import views

app_name = "custody"

urlpatterns = [
    path("", views.home, name="home"),
    path("pin/", views.pin, name="pin"),
    path("<str:code>/", views.unit, name="unit"),
    path("<str:code>/record/", views.record, name="record"),
    path("<str:code>/correct/<int:entry_id>/", views.correct, name="correct"),
    path("<str:code>/verify/", views.verify, name="verify"),
    path("<str:code>/labels.pdf", views.labels, name="labels"),
    path("<str:code>/report/<str:report>.<str:fmt>", views.report, name="report"),
]
