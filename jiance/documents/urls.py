from __future__ import annotations

from django.urls import path

from jiance.documents import views

app_name = "documents"

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/<str:code>/<str:doc_kind>/", views.kind_overview, name="kind"),
    path("overview/<str:code>/<str:doc_kind>/approved.zip", views.kind_zip, name="zip"),
    path("unit/<str:code>/<str:doc_kind>/", views.submission, name="submission"),
    path("unit/<str:code>/<str:doc_kind>/save/", views.save, name="save"),
    path("unit/<str:code>/<str:doc_kind>/upload/", views.upload, name="upload"),
    path("unit/<str:code>/<str:doc_kind>/submit/", views.submit, name="submit"),
    path("unit/<str:code>/<str:doc_kind>/review/", views.review, name="review"),
    path("unit/<str:code>/<str:doc_kind>/table.pdf", views.table_pdf, name="table_pdf"),
    path("unit/<str:code>/<str:doc_kind>/table.xlsx", views.table_xlsx, name="table_xlsx"),
    path("file/<int:file_id>/", views.file_download, name="file"),
    path("file/<int:file_id>/preview.png", views.file_thumb, name="thumb"),
    path("file/<int:file_id>/remove/", views.file_remove, name="remove"),
]
