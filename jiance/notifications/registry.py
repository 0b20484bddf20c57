"""What the notifications app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from jiance.apps_registry import AppEntry

# No nav entry: the top bar's "提醒" link (with the unread count) leads to the list on every page.
APP = AppEntry(
    app="notifications",
    url_prefix="notifications",
    url_params=("notification_id", "code", "milestone_id"),
)
