"""What the analysis app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import CITY_AND_ABOVE, COUNTY_AND_ABOVE
from jiance.apps_registry import AppEntry, NavEntry

APP = AppEntry(
    app="analysis",
    url_prefix="analysis",
    nav=(
        NavEntry(_("学生权重"), "analysis:home", order=87, roles=CITY_AND_ABOVE),
        NavEntry(_("监测报告"), "analysis:reports", order=86, roles=COUNTY_AND_ABOVE),
    ),
    url_params=("stage", "fmt", "code"),
)
