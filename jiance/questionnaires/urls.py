from __future__ import annotations

from django.urls import path

from jiance.questionnaires import export_views, progress_views, respond_views, slips_views, views

app_name = "questionnaires"
urlpatterns = [
    path("", views.home, name="home"),
    path("progress/<str:code>/", progress_views.progress, {"practice": False}, name="progress"),
    path("progress/<str:code>/figures/", progress_views.figures, {"practice": False}, name="progress_figures"),
    path("progress/<str:code>/practice/", progress_views.progress, {"practice": True}, name="practice_progress"),
    path("progress/<str:code>/practice/figures/", progress_views.figures, {"practice": True},
         name="practice_progress_figures"),
    path("slips/<str:code>/", slips_views.slips, name="slips"),
    path("slips/<str:code>/issue/", slips_views.issue, name="issue"),
    path("slips/<str:code>/students.pdf", slips_views.students_pdf, name="slips_students_pdf"),
    path("slips/<str:code>/staff.pdf", slips_views.staff_pdf, name="slips_staff_pdf"),
    path("slips/<str:code>/parents.pdf", slips_views.parents_pdf, name="slips_parents_pdf"),
    path("<str:qcode>/upload/", views.upload, name="upload"),
    path("<str:qcode>/example.xlsx", views.example, name="example"),
    path("<str:qcode>/v<int:number>/", views.preview, name="preview"),
    path("<str:qcode>/v<int:number>/publish/", views.publish, name="publish"),
    path("<str:qcode>/v<int:number>/export/", export_views.page, name="export"),
    path("<str:qcode>/v<int:number>/export/<str:fmt>/", export_views.answers, name="export_answers"),
    path("<str:qcode>/v<int:number>/export-job/<str:fmt>/", export_views.answers_job, name="export_job"),
    path("<str:qcode>/v<int:number>/export-identified/", export_views.identified, name="export_identified"),
    path("<str:qcode>/v<int:number>/codebook/<str:fmt>/", export_views.codebook, name="codebook"),
    # respondents (students and teachers by slip, parents by link, principals and county managers by account)
    path("sw.js", respond_views.service_worker, name="sw"),
    path("answer/", respond_views.start, name="start"),
    path("answer/leave/", respond_views.leave, name="leave"),
    path("p/<str:token>/", respond_views.parent_link, name="parent"),
    path("answer/<str:qcode>/", respond_views.answer, {"practice": False}, name="answer"),
    path("answer/<str:qcode>/save/", respond_views.save, {"practice": False}, name="save"),
    path("answer/<str:qcode>/submit/", respond_views.submit, {"practice": False}, name="submit"),
    path("practice/<str:qcode>/", respond_views.answer, {"practice": True}, name="practice"),
    path("practice/<str:qcode>/save/", respond_views.save, {"practice": True}, name="practice_save"),
    path("practice/<str:qcode>/submit/", respond_views.submit, {"practice": True}, name="practice_submit"),
]
