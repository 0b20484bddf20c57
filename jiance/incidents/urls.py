from __future__ import annotations

from django.urls import path

from jiance.incidents import hotline_views, views

app_name = "incidents"
urlpatterns = [
    path("", views.home, name="home"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("unit/<str:code>/", views.unit_page, name="unit"),
    path("unit/<str:code>/new/", views.record, name="record"),
    path("unit/<str:code>/report.<str:fmt>", views.report, name="report"),
    path("<int:incident_id>/", views.detail, name="detail"),
    path("<int:incident_id>/edit/", views.edit, name="edit"),
    path("<int:incident_id>/step/", views.step, name="step"),
    path("<int:incident_id>/centre/", views.report_centre, name="report_centre"),
    path("<int:incident_id>/evaluation/", views.evaluate, name="evaluate"),
    path("hotline/<str:code>/", hotline_views.calls, name="hotline"),
    path("hotline/call/<int:call_id>/incident/", hotline_views.call_to_incident, name="call_to_incident"),
]
