"""What the test-day app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import CITY_AND_ABOVE, COUNTY_STAFF, SCHOOL_TESTDAY
from jiance.apps_registry import AppEntry, NavEntry

APP = AppEntry(
    app="testday",
    url_prefix="testday",
    nav=(NavEntry(_("测试日"), "testday:home", order=70, roles=(*COUNTY_STAFF, *CITY_AND_ABOVE, *SCHOOL_TESTDAY)),),
    url_params=("code", "fmt", "kind", "phone_id", "room_id", "seat_id", "stage"),
    progress="jiance.testday.progress",
)
