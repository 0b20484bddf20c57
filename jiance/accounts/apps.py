from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jiance.accounts"
    label = "accounts"
    verbose_name = "账号与角色"

    def ready(self) -> None:
        from jiance.accounts import signals  # noqa: F401  (connects the login audit)
