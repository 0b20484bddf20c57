from __future__ import annotations

from django.urls import path

from jiance.accounts import views

app_name = "accounts"
urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/assign/", views.people_assign, name="people_assign"),
    path("people/revoke/", views.people_revoke, name="people_revoke"),
    path("people/reset-password/", views.people_reset_password, name="people_reset_password"),
    path("school-accounts/", views.school_accounts, name="school_accounts"),
]
