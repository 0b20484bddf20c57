from __future__ import annotations

from django.urls import path

from jiance.fieldtest import views

app_name = "fieldtest"

urlpatterns = [
    path("", views.home, name="home"),
    path("<str:code>/", views.unit_page, name="unit"),
    path("<str:code>/students/<int:student_id>/save/", views.save, name="save"),
    path("<str:code>/cards/<int:card_id>/check/", views.check, name="check"),
    path("<str:code>/export.xlsx", views.export, name="export"),
]
