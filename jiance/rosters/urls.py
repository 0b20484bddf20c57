from __future__ import annotations

from django.urls import path

from jiance.rosters import views

app_name = "rosters"
urlpatterns = [
    path("", views.home, name="home"),
]
