from __future__ import annotations

from django.urls import path

from jiance.cycles import views

app_name = "cycles"
urlpatterns = [
    path("", views.cycle_list, name="list"),
    path("<slug:code>/", views.cycle_detail, name="detail"),
]
