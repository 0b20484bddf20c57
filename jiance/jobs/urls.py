from __future__ import annotations

from django.urls import path

from jiance.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:job_id>/file/", views.job_file, name="file"),
    path("<int:job_id>/retry/", views.retry, name="retry"),
]
