from __future__ import annotations

from django.urls import path

from jiance.testday import views

app_name = "testday"
urlpatterns = [
    path("", views.home, name="home"),
]
