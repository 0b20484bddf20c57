"""What the jobs platform adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import CITY_AND_ABOVE
from jiance.apps_registry import AppEntry, KeptUpload, NavEntry

APP = AppEntry(
    app="jobs",
    url_prefix="jobs",
    nav=(NavEntry(_("后台任务"), "jobs:list", order=95, roles=CITY_AND_ABOVE),),
    # Job results (exports with personal data) are kept like uploads, then deleted.
    kept_uploads=(KeptUpload("job_files", _("后台任务结果文件"), model="jobs.JobFile"),),
    url_params=("job_id",),
)
