from __future__ import annotations

from django.urls import path

from jiance.aftertest import views

app_name = "aftertest"

urlpatterns = [
    path("", views.home, name="home"),
    path("supplementary/", views.supplementary, name="supplementary"),
    path("school/<str:code>/", views.school, name="school"),
    path("school/<str:code>/<str:stage>/open/", views.open_report, name="open"),
    path("school/<str:code>/<str:stage>/", views.report, name="report"),
    path("school/<str:code>/<str:stage>/row/<int:tested_id>/", views.row_save, name="row"),
    path("school/<str:code>/<str:stage>/save/", views.save_page, name="save"),
    path("school/<str:code>/<str:stage>/submit/", views.submit, name="submit"),
    path("school/<str:code>/<str:stage>/review/", views.review, name="review"),
    path("school/<str:code>/<str:stage>/template.xlsx", views.template, name="template"),
    path("school/<str:code>/<str:stage>/upload/", views.upload, name="upload"),
    path("school/<str:code>/<str:stage>/rejected.xlsx", views.rejected, name="rejected"),
]
