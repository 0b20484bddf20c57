from __future__ import annotations

from django.urls import path

from jiance.analysis import report_views, score_views, views

app_name = "analysis"
urlpatterns = [
    path("weights/", views.weights_home, name="home"),
    path("weights/<str:stage>/", views.weights_page, name="weights"),
    path("weights/<str:stage>/students.<str:fmt>", views.weights_download, name="download"),
    path("scores/", score_views.scores_page, name="scores"),
    path("scores/<str:stage>/", score_views.scores_upload, name="scores_upload"),
    path("reports/", report_views.reports_home, name="reports"),
    path("reports/<str:stage>/<str:code>/", report_views.report_page, name="report"),
    path("reports/<str:stage>/<str:code>/report.<str:fmt>", report_views.report_download, name="report_file"),
    path("reports/<str:stage>/<str:code>/job/", report_views.report_job, name="report_job"),
]
