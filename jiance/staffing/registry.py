"""What the staffing app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.apps_registry import AppEntry, NavEntry
from jiance.staffing.selectors import HOME_ROLES
from jiance.staffing.tables import county_group_table, school_staff_table

APP = AppEntry(
    app="staffing",
    url_prefix="staffing",
    nav=(NavEntry(_("工作人员"), "staffing:home", order=75, roles=HOME_ROLES),),
    url_params=("code", "member_id", "post_id", "badge_id", "token"),
    document_tables={
        "county_group_list": county_group_table,
        "city_group_list": county_group_table,
        "school_staff_list": school_staff_table,
    },
)
