from __future__ import annotations

from django.urls import path

from jiance.reporting import changes_views, services, views
from jiance.windows.views import reopen_view

app_name = "reporting"
urlpatterns = [
    path("frame/", views.frame_home, name="home"),
    path("frame/overview/", views.overview, name="overview"),
    path("frame/export.<str:fmt>", views.export, name="export"),
    path("frame/county/<str:code>/", views.county_page, name="county"),
    path("frame/county/<str:code>/template.xlsx", views.template_download, name="template"),
    path("frame/county/<str:code>/upload/", views.upload, name="upload"),
    path("frame/county/<str:code>/submit/", views.submit, name="submit"),
    path("frame/county/<str:code>/review/", views.review, name="review"),
    path("frame/county/<str:code>/changes/", changes_views.changes, name="changes"),
    path("frame/county/<str:code>/window/reopen/", reopen_view(services.frame_window_reopen, "county"),
         name="window_reopen"),
    path("frame/county/<str:code>/school/<str:school_code>/edit/", views.school_edit, name="school_edit"),
    path("frame/county/<str:code>/school/<str:school_code>/", views.school_row, name="school_row"),
    path("frame/upload/<int:pk>/", views.upload_detail, name="upload_detail"),
    path("frame/upload/<int:pk>/confirm/", views.upload_confirm, name="upload_confirm"),
    path("frame/upload/<int:pk>/rejected.xlsx", views.upload_rejected, name="upload_rejected"),
]
