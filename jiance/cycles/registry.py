"""What the cycles app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import OFFICES
from jiance.apps_registry import AppEntry, HomeLink, NavEntry

APP = AppEntry(
    app="cycles",
    url_prefix="cycles",
    nav=(NavEntry(_("监测周期"), "cycles:list", order=30),),
    home_links=(
        HomeLink(_("本周期工作节点"), "cycles:detail", order=20, arg="cycle"),
        HomeLink(_("监测周期模板"), "cycles:list", order=70, roles=OFFICES),
    ),
    url_params=("cycle_code", "section"),
)
