from __future__ import annotations

from django.urls import path

from jiance.staffing import views

app_name = "staffing"
urlpatterns = [
    path("", views.home, name="home"),
    path("group/<str:code>/", views.group, name="group"),
    path("group/<str:code>/add/", views.group_add, name="group_add"),
    path("group/member/<int:member_id>/delete/", views.group_delete, name="group_delete"),
    path("county/<str:code>/", views.county, name="county"),
    path("county/<str:code>/submit/", views.sheet_step, {"step": "submit"}, name="submit"),
    path("county/<str:code>/withdraw/", views.sheet_step, {"step": "withdraw"}, name="withdraw"),
    path("county/<str:code>/accounts/", views.accounts, name="accounts"),
    path("site/<str:code>/", views.site, name="site"),
    path("site/<str:code>/add/", views.site_add, name="site_add"),
    path("post/<int:post_id>/delete/", views.post_delete, name="post_delete"),
    path("badges/<str:code>/", views.badges, name="badges"),
    path("badges/<str:code>/issue/", views.badges_issue, name="badges_issue"),
    path("badges/<str:code>/sheet.pdf", views.badge_sheet, name="badge_sheet"),
    path("badge/<int:badge_id>.pdf", views.badge_pdf, name="badge_pdf"),
    path("badge/<int:badge_id>/revoke/", views.badge_revoke, name="badge_revoke"),
    path("verify/<str:token>/", views.verify, name="verify"),
]
