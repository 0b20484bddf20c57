from __future__ import annotations

from django.urls import path

from jiance.cycles import views

app_name = "cycles"
urlpatterns = [
    path("", views.cycle_list, name="list"),
    path("<slug:cycle_code>/", views.cycle_detail, name="detail"),
    path("<slug:cycle_code>/copy/", views.cycle_copy_view, name="copy"),
    path("<slug:cycle_code>/activate/", views.cycle_activate_view, name="activate"),
]
