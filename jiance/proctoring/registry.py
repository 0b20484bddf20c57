"""What the proctoring app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import CHECKIN_STAFF, PROCTORING_NAV, ROOM_WATCHERS, TIMEKEEPING
from jiance.apps_registry import AppEntry, HomeLink, NavEntry
from jiance.proctoring.attendance import attendance
from jiance.proctoring.inbox import inbox

APP = AppEntry(
    app="proctoring",
    url_prefix="proctoring",
    nav=(NavEntry(_("检录与场次"), "proctoring:home", order=72,
                  roles=(*PROCTORING_NAV, *ROOM_WATCHERS)),),
    home_links=(HomeLink(_("检录与场次"), "proctoring:school", order=72, roles=(*CHECKIN_STAFF, *TIMEKEEPING),
                         levels=("school",), arg="unit"),),
    url_params=("code", "test_room_id", "session", "run_id", "case_id"),
    attendance=attendance,
    progress="jiance.proctoring.progress",
    inbox=inbox,
)
