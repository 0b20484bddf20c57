"""What the web app (the home page) adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.apps_registry import AppEntry, NavEntry

APP = AppEntry(
    app="web",
    url_prefix="work",
    nav=(NavEntry(_("首页"), "home", order=10),),
    url_params=("code", "milestone_id"),
)
