from __future__ import annotations

from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "jiance.questionnaires"
    verbose_name = "网络问卷"
    default_auto_field = "django.db.models.BigAutoField"
