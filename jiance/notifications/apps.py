from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "jiance.notifications"
    verbose_name = "提醒"
    default_auto_field = "django.db.models.BigAutoField"
