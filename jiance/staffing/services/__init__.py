"""Services of the staffing app: `sheets` (groups and staffing, the submit step), `badges`,
`accounts` (test-day accounts in bulk)."""

from __future__ import annotations

from jiance.staffing.services.accounts import staff_accounts_create
from jiance.staffing.services.badges import badge_revoke, badges_issue
from jiance.staffing.services.sheets import (
    group_member_add,
    group_member_delete,
    staff_post_add,
    staff_post_delete,
    staffing_submit,
    staffing_withdraw,
)

__all__ = [
    "badge_revoke", "badges_issue", "group_member_add", "group_member_delete", "staff_accounts_create",
    "staff_post_add", "staff_post_delete", "staffing_submit", "staffing_withdraw",
]
