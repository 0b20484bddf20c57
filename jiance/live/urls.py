from __future__ import annotations

from django.urls import path

from jiance.live import views

app_name = "live"
urlpatterns = [
    path("", views.page, name="page"),
    path("figures/", views.figures_part, name="figures"),
]
