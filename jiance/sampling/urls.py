from __future__ import annotations

from django.urls import path

from jiance.sampling import views

app_name = "sampling"
urlpatterns = [
    path("", views.sampling_home, name="home"),
    path("draws/", views.draws_page, name="draws"),
    path("draws/run/", views.draw_create, name="draw_create"),
    path("draw/<int:draw_id>/", views.draw_page, name="draw"),
    path("draw/<int:draw_id>/publish/", views.draw_publish, name="draw_publish"),
    path("draw/<int:draw_id>/verify/", views.draw_verify, name="draw_verify"),
    path("draw/<int:draw_id>/export.<str:fmt>", views.draw_export, name="draw_export"),
    path("replacement/<int:replacement_id>/decide/", views.replacement_decide, name="replacement_decide"),
    path("county/<str:code>/", views.county_page, name="county"),
    path("county/<str:code>/confirm/", views.confirm_all, name="confirm_all"),
    path("school/<int:sampled_id>/confirm/", views.confirm, name="confirm"),
    path("school/<int:sampled_id>/replace/", views.replacement_new, name="replacement_new"),
    path("school/", views.school_page, name="school"),
]
