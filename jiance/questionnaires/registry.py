"""What the questionnaires app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import (
    CITY_AND_ABOVE,
    COUNTY_STAFF,
    CYCLE_MANAGERS,
    PRINCIPAL,
    SCHOOL_OFFICE,
)
from jiance.apps_registry import AppEntry, HomeLink, NavEntry

APP = AppEntry(
    app="questionnaires",
    url_prefix="questionnaires",
    nav=(NavEntry(_("网络问卷"), "questionnaires:home", order=88, roles=CYCLE_MANAGERS),),
    home_links=(
        HomeLink(_("填答网络问卷"), "questionnaires:start", order=80, roles=PRINCIPAL, levels=("school",)),
        HomeLink(_("网络问卷登录条"), "questionnaires:slips", order=81, roles=SCHOOL_OFFICE, levels=("school",),
                 arg="unit"),
        HomeLink(_("问卷填答进度"), "questionnaires:progress", order=82,
                 roles=(*SCHOOL_OFFICE, *COUNTY_STAFF, *CITY_AND_ABOVE), arg="unit"),
    ),
    url_params=("code", "qcode", "number", "token", "fmt"),
    progress="jiance.questionnaires.progress",
)
