"""What the questionnaires app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import CYCLE_MANAGERS, PRINCIPAL
from jiance.apps_registry import AppEntry, HomeLink, NavEntry

APP = AppEntry(
    app="questionnaires",
    url_prefix="questionnaires",
    nav=(NavEntry(_("网络问卷"), "questionnaires:home", order=88, roles=CYCLE_MANAGERS),),
    home_links=(HomeLink(_("填答网络问卷"), "questionnaires:start", order=80, roles=PRINCIPAL, levels=("school",)),),
    url_params=("qcode", "number", "token"),
)
