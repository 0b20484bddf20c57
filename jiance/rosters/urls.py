from __future__ import annotations

from django.urls import path

from jiance.rosters import changes_views, services, views
from jiance.windows.views import reopen_view

app_name = "rosters"
urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
    path("draw/", views.draw, name="draw"),
    path("school/<str:code>/", views.school_page, name="school"),
    path("school/<str:code>/window/reopen/", reopen_view(services.roster_window_reopen, "school"),
         name="window_reopen"),
    path("roster/<int:roster_id>/", views.roster_page, name="roster"),
    path("roster/<int:roster_id>/template.xlsx", views.template_download, name="template"),
    path("roster/<int:roster_id>/upload/", views.upload, name="upload"),
    path("roster/<int:roster_id>/rejected.xlsx", views.rejected_download, name="rejected"),
    path("roster/<int:roster_id>/teachers/rejected.xlsx", views.teacher_rejected_download, name="teacher_rejected"),
    path("roster/<int:roster_id>/export.xlsx", views.export, name="export"),
    path("roster/<int:roster_id>/students/add/", views.person_add, {"kind": "student"}, name="student_add"),
    path("roster/<int:roster_id>/students/<int:student_id>/delete/", views.person_delete, {"kind": "student"},
         name="student_delete"),
    path("roster/<int:roster_id>/teachers/template.xlsx", views.teacher_template_download, name="teacher_template"),
    path("roster/<int:roster_id>/teachers/upload/", views.teacher_upload, name="teacher_upload"),
    path("roster/<int:roster_id>/teachers/add/", views.person_add, {"kind": "teacher"}, name="teacher_add"),
    path("roster/<int:roster_id>/teachers/<int:teacher_id>/delete/", views.person_delete, {"kind": "teacher"},
         name="teacher_delete"),
    path("roster/<int:roster_id>/submit/", views.transition, {"action": "submit"}, name="submit"),
    path("roster/<int:roster_id>/approve/", views.transition, {"action": "approve"}, name="approve"),
    path("roster/<int:roster_id>/return/", views.transition, {"action": "return"}, name="return"),
    path("roster/<int:roster_id>/changes/", changes_views.changes, name="changes"),
    path("roster/<int:roster_id>/sampled/", views.sampled, name="sampled"),
    path("roster/<int:roster_id>/sampled.xlsx", views.sampled_export, name="sampled_export"),
]
