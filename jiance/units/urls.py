from __future__ import annotations

from django.urls import path

from jiance.units import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("template.xlsx", views.unit_template_download, name="template"),
    path("<str:code>/import/", views.unit_import, name="import"),
    path("<str:code>/import/confirm/", views.unit_import_confirm, name="import_confirm"),
    path("<str:code>/import/<str:token>/rejected.xlsx", views.unit_import_rejected, name="import_rejected"),
    path("<str:code>/export.xlsx", views.unit_export, name="export"),
    path("<str:code>/", views.unit_detail, name="detail"),
]
