"""What the rosters app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import CITY_AND_ABOVE, COUNTY_OFFICE, SCHOOL_OFFICE
from jiance.apps_registry import AppEntry, HomeLink, KeptUpload, MilestoneEvent, NavEntry
from jiance.rosters.inbox import inbox
from jiance.units.models import Level

APP = AppEntry(
    app="rosters",
    url_prefix="rosters",
    nav=(NavEntry(_("学生名单"), "rosters:home", order=60,
                  roles=(*COUNTY_OFFICE, *CITY_AND_ABOVE, *SCHOOL_OFFICE)),),
    home_links=(HomeLink(_("学生名单"), "rosters:home", order=60, roles=SCHOOL_OFFICE, levels=(Level.SCHOOL,)),),
    kept_uploads=(KeptUpload("roster_rejected", _("学生/教师名单未通过的文件"), model="rosters.RosterUpload"),),
    # A school has submitted all its rosters.
    milestone_events=(MilestoneEvent("roster_submitted", "school", _("学校提交全部名单")),),
    url_params=("code", "roster_id", "student_id", "teacher_id"),
    inbox=inbox,
)
