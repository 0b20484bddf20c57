"""What the cycles app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import OFFICES
from jiance.apps_registry import AppEntry, HomeLink, MilestoneEvent, NavEntry

APP = AppEntry(
    app="cycles",
    url_prefix="cycles",
    nav=(NavEntry(_("监测周期"), "cycles:list", order=30),),
    home_links=(
        HomeLink(_("本周期工作节点"), "cycles:detail", order=20, arg="cycle"),
        HomeLink(_("监测周期模板"), "cycles:list", order=70, roles=OFFICES),
    ),
    url_params=("cycle_code", "section"),
    # Conditions of any level with a parameter: `document_approved:<document code>` (the
    # documents app reports it on approval) and `subunits_done:<number>` (jiance.cycles.completion
    # reports it when the last taking-part sub-unit has done task <number> of the level below).
    milestone_events=(
        MilestoneEvent("document_approved", "", _("实施材料审核通过"), param="document"),
        MilestoneEvent("subunits_done", "", _("下级单位均已完成某项任务"), param="milestone"),
    ),
)
