"""What the computer-based tests app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import CBT_ITEM_KEEPERS, ROOM_STAFF
from jiance.apps_registry import AppEntry, HomeLink, NavEntry

APP = AppEntry(
    app="cbt",
    url_prefix="cbt",
    nav=(NavEntry(_("网络测试题目"), "cbt:bank", order=89, roles=CBT_ITEM_KEEPERS),),
    home_links=(HomeLink(_("计算机测试监考台"), "cbt:school", order=73, roles=ROOM_STAFF, levels=("school",),
                         arg="unit"),),
    url_params=("code", "test_room_id", "session", "seat", "subject", "media"),
    progress="jiance.cbt.progress",
)
