"""What the after-test app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import COUNTY_AND_ABOVE, SCHOOL_OFFICE
from jiance.aftertest.inbox import inbox
from jiance.apps_registry import AppEntry, KeptUpload, MilestoneEvent, NavEntry

APP = AppEntry(
    app="aftertest",
    url_prefix="aftertest",
    nav=(NavEntry(_("测后上报"), "aftertest:home", order=80, roles=(*COUNTY_AND_ABOVE, *SCHOOL_OFFICE)),),
    kept_uploads=(KeptUpload("tested_rejected", _("测试生信息未通过的文件"), model="aftertest.TestedUpload"),),
    # A school has submitted all its tested-student reports.
    milestone_events=(MilestoneEvent("tested_submitted", "school", _("学校提交全部测试生信息")),),
    url_params=("code", "stage", "tested_id"),
    inbox=inbox,
)
