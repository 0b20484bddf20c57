from __future__ import annotations

from django.urls import path

from jiance.units import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("<str:code>/", views.unit_detail, name="detail"),
]
