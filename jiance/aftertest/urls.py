from __future__ import annotations

from django.urls import path

from jiance.aftertest import views

app_name = "aftertest"

urlpatterns = [
    path("", views.home, name="home"),
]
