from __future__ import annotations

from django.urls import path

from jiance.analysis import views

app_name = "analysis"
urlpatterns = [
    path("weights/", views.weights_home, name="home"),
    path("weights/<str:stage>/", views.weights_page, name="weights"),
    path("weights/<str:stage>/students.<str:fmt>", views.weights_download, name="download"),
]
