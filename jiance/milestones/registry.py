"""What the milestones app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import ALL_OFFICES
from jiance.apps_registry import AppEntry, HomeLink, NavEntry
from jiance.milestones.inbox import inbox

APP = AppEntry(
    app="milestones",
    url_prefix="milestones",
    nav=(NavEntry(_("工作节点"), "milestones:index", order=35, roles=ALL_OFFICES),),
    home_links=(HomeLink(_("本单位工作节点"), "milestones:unit", order=15, roles=ALL_OFFICES, arg="unit"),),
    url_params=("code", "milestone_id"),
    inbox=inbox,
)
