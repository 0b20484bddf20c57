"""What the accounts app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import ACCOUNT_MANAGERS, ADMINS
from jiance.apps_registry import AppEntry, HomeLink, NavEntry

APP = AppEntry(
    app="accounts",
    url_prefix="accounts",
    nav=(NavEntry(_("人员与账号"), "accounts:people", order=90, roles=ACCOUNT_MANAGERS),),
    home_links=(
        HomeLink(_("人员与账号"), "accounts:people", order=80, roles=ADMINS),
        HomeLink(_("修改密码"), "password_change", order=100),
    ),
)
