"""What the frame-reporting app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import COUNTY_AND_ABOVE, OFFICES
from jiance.apps_registry import AppEntry, HomeLink, KeptUpload, MilestoneEvent, NavEntry
from jiance.reporting.inbox import inbox
from jiance.units.models import Level

APP = AppEntry(
    app="reporting",
    url_prefix="reporting",
    nav=(NavEntry(_("学校信息上报"), "reporting:home", order=40, roles=COUNTY_AND_ABOVE),),
    home_links=(
        HomeLink(_("属地学校信息上报"), "reporting:home", order=30, roles=OFFICES,
                 levels=(Level.CITY, Level.COUNTY)),
    ),
    kept_uploads=(KeptUpload("frame_uploads", _("属地学校信息上传文件"), model="reporting.FrameUpload"),),
    milestone_events=(
        MilestoneEvent("frame_submitted", "county", _("县级提交属地学校信息")),
        MilestoneEvent("frame_approved", "county", _("属地学校信息经市级审核通过")),
    ),
    url_params=("code", "fmt", "pk", "school_code"),
    inbox=inbox,
)
