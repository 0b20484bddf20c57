from __future__ import annotations

from django.urls import path

from jiance.milestones import views

app_name = "milestones"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>/", views.unit_page, name="unit"),
    path("<str:code>/<int:milestone_id>/mark/", views.mark, name="mark"),
    path("<str:code>/<int:milestone_id>/undo/", views.undo, name="undo"),
    path("<str:code>/<int:milestone_id>/decide/", views.decide, name="decide"),
    path("<str:code>/<int:milestone_id>/file/", views.attachment, name="attachment"),
]
