from __future__ import annotations

from django.urls import path

from jiance.web import views

app_name = "web"
urlpatterns = [
    path("<str:code>/lagging/", views.lagging, name="lagging"),
    path("<str:code>/owing/<int:milestone_id>/", views.owing, name="owing"),
]
