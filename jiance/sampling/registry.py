"""What the school-sampling app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import CITY_AND_ABOVE, COUNTY_OFFICE, OFFICES, SCHOOL_OFFICE
from jiance.apps_registry import AppEntry, HomeLink, MilestoneEvent, NavEntry
from jiance.sampling.inbox import inbox
from jiance.units.models import Level

APP = AppEntry(
    app="sampling",
    url_prefix="sampling",
    nav=(NavEntry(_("样本校抽样"), "sampling:home", order=50,
                  roles=(*CITY_AND_ABOVE, *COUNTY_OFFICE, *SCHOOL_OFFICE)),),
    home_links=(
        HomeLink(_("样本校抽样"), "sampling:home", order=40, roles=OFFICES),
        HomeLink(_("样本校通知"), "sampling:school", order=50, roles=SCHOOL_OFFICE, levels=(Level.SCHOOL,)),
    ),
    # A county has confirmed every school of its published sample.
    milestone_events=(MilestoneEvent("sample_confirmed", "county", _("县级确认全部样本校")),),
    url_params=("code", "draw_id", "fmt", "replacement_id", "sampled_id"),
    inbox=inbox,
)
