"""What the PE field-test app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import FIELDTEST_READERS, FIELDTEST_VALUES
from jiance.apps_registry import AppEntry, HomeLink, NavEntry
from jiance.units.models import Level

APP = AppEntry(
    app="fieldtest",
    url_prefix="fieldtest",
    nav=(NavEntry(_("体育现场测试"), "fieldtest:home", order=76, roles=FIELDTEST_READERS),),
    home_links=(
        HomeLink(_("体育现场测试记录卡"), "fieldtest:unit", order=76, roles=FIELDTEST_VALUES,
                 levels=(Level.SCHOOL,), arg="unit"),
        HomeLink(_("体育现场测试进度"), "fieldtest:unit", order=77, roles=FIELDTEST_READERS,
                 levels=(Level.COUNTY, Level.CITY), arg="unit"),
    ),
    url_params=("code", "student_id", "card_id"),
)
