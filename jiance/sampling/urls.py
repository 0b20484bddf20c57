from __future__ import annotations

from django.urls import path

from jiance.sampling import views

app_name = "sampling"
urlpatterns = [
    path("", views.sampling_home, name="home"),
]
