from __future__ import annotations

from django.urls import path

from jiance.cbt import pc_views, views

app_name = "cbt"
urlpatterns = [
    path("", views.home, name="home"),
    path("bank/", views.bank, name="bank"),
    path("bank/example.json", views.example, name="example"),
    path("bank/<str:subject>.zip", views.export, name="export"),
    path("bank/<str:subject>/responses.csv", views.export_responses, {"fmt": "csv"}, name="responses_csv"),
    path("bank/<str:subject>/responses.xlsx", views.export_responses, {"fmt": "xlsx"}, name="responses_xlsx"),
    path("school/<str:code>/", views.school, name="school"),
    path("room/<int:test_room_id>/<str:session>/", views.console, name="console"),
    path("room/<int:test_room_id>/<str:session>/slips.pdf", views.slips_pdf, name="slips_pdf"),
    path("room/<int:test_room_id>/<str:session>/sitting/", views.sitting_action, name="sitting_act"),
    path("room/<int:test_room_id>/<str:session>/all/", views.room_action, name="room_act"),
    path("room/<int:test_room_id>/<str:session>/seat/<int:seat>/", views.seat_action, name="seat_act"),
    # the student's PC (no account: the slip)
    path("pc/<int:test_room_id>/<int:seat>/", pc_views.pc, name="pc"),
    path("pc/<int:test_room_id>/<int:seat>/start/", pc_views.start, name="pc_start"),
    path("pc/<int:test_room_id>/<int:seat>/save/", pc_views.save, name="pc_save"),
    path("pc/<int:test_room_id>/<int:seat>/submit/", pc_views.submit, name="pc_submit"),
    path("pc/<int:test_room_id>/<int:seat>/state/", pc_views.state, name="pc_state"),
    path("pc/<int:test_room_id>/<int:seat>/media/<str:media>", pc_views.media, name="pc_media"),
]
