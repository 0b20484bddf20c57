"""What the audit app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import ADMINS, AUDIT_READERS
from jiance.apps_registry import AppEntry, HomeLink, NavEntry

APP = AppEntry(
    app="audit",
    url_prefix="audit",
    nav=(NavEntry(_("审计日志"), "audit:list", order=100, roles=AUDIT_READERS),),
    # On the home page only for the admins (the officers and principals find it in the nav).
    home_links=(HomeLink(_("审计日志"), "audit:list", order=90, roles=ADMINS),),
)
