from __future__ import annotations

from django.urls import path

from jiance.testday import views

app_name = "testday"
urlpatterns = [
    path("", views.home, name="home"),
    path("school/<str:code>/", views.school_page, name="school"),
    path("school/<str:code>/labs/add/", views.lab_add, name="lab_add"),
    path("school/<str:code>/labs/<int:room_id>/delete/", views.lab_delete, name="lab_delete"),
    path("school/<str:code>/plan/", views.plan, name="plan"),
    path("school/<str:code>/<str:stage>/seats/", views.seats, name="seats"),
    path("school/<str:code>/seats/<int:seat_id>/absence/", views.absence, name="absence"),
    path("school/<str:code>/<str:stage>/<str:kind>.<str:fmt>", views.printout, name="printout"),
    path("phones/<str:code>/", views.phones, name="phones"),
    path("phones/<str:code>/add/", views.phone_add, name="phone_add"),
    path("phones/delete/<int:phone_id>/", views.phone_delete, name="phone_delete"),
]
