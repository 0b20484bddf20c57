from __future__ import annotations

from django.urls import path

from jiance.cycles import edit_views, views

app_name = "cycles"
urlpatterns = [
    path("", views.cycle_list, name="list"),
    path("<slug:cycle_code>/", views.cycle_detail, name="detail"),
    path("<slug:cycle_code>/copy/", edit_views.cycle_copy_page, name="copy"),
    path("<slug:cycle_code>/activate/", views.cycle_activate_view, name="activate"),
    path("<slug:cycle_code>/edit/<slug:section>/", edit_views.cycle_edit, name="edit"),
    path("<slug:cycle_code>/edit/<slug:section>/row/", edit_views.cycle_edit_row, name="edit_row"),
    path("<slug:cycle_code>/flags/confirm/", edit_views.cycle_flag_confirm_view, name="flag_confirm"),
]
