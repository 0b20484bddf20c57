"""What the recordings app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import RECORDING_MONITORS
from jiance.apps_registry import AppEntry, HomeLink, NavEntry

APP = AppEntry(
    app="recordings",
    url_prefix="recordings",
    nav=(NavEntry(_("录音监控"), "recordings:home", order=90, roles=RECORDING_MONITORS),),
    home_links=(HomeLink(_("演唱与英语口语录音进度"), "recordings:monitor", order=74, roles=RECORDING_MONITORS,
                         arg="unit"),),
    url_params=("code", "test_room_id", "seat", "task", "sha256", "recording_id"),
)
