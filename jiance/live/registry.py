"""What the live progress pages add to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import TESTDAY_WATCHERS
from jiance.apps_registry import AppEntry, NavEntry

APP = AppEntry(
    app="live",
    url_prefix="live",
    nav=(NavEntry(_("实时进度"), "live:page", order=71, roles=TESTDAY_WATCHERS),),
)
