"""What the units app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from jiance.apps_registry import AppEntry, HomeLink, KeptUpload, NavEntry
from jiance.units import uploads
from jiance.units.models import Level

ABOVE_SCHOOL = (Level.CENTRE, Level.PROVINCE, Level.CITY, Level.COUNTY)


def _sweep(cutoff: dt.datetime) -> int:
    # Import files wait a day at most for their confirmation, whatever the keep period.
    return uploads.sweep()


APP = AppEntry(
    app="units",
    url_prefix="units",
    nav=(NavEntry(_("单位"), "units:list", order=20),),
    home_links=(
        HomeLink(_("本校信息"), "units:detail", order=10, levels=(Level.SCHOOL,), arg="unit"),
        HomeLink(_("下级单位与学校"), "units:detail", order=10, levels=ABOVE_SCHOOL, arg="unit"),
    ),
    kept_uploads=(KeptUpload("unit_imports", _("单位导入待确认文件"), purge=_sweep),),
    url_params=("code", "token"),
)
