from __future__ import annotations

from typing import Any

from django import template

from jiance.accounts.roles import ACCOUNT_MANAGERS

register = template.Library()


@register.filter
def manages_accounts(scope: Any) -> bool:
    """True when the person may manage accounts and roles (used by the navigation)."""
    return bool(scope) and scope.holds(ACCOUNT_MANAGERS)
