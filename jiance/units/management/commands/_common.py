"""Shared bits of the hierarchy commands: acting as a user (--as) and printing errors."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from jiance.accounts.models import User
from jiance.accounts.scoping import Scope
from jiance.units.selectors import manage_roots


def acting_user(username: str | None) -> tuple[Any, Scope | None, list[str] | None]:
    """(user, scope, roots) for --as USERNAME; (None, None, None) = unrestricted operator."""
    if not username:
        return None, None, None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"用户不存在或已停用：{username}")
    scope = Scope(user)
    roots = manage_roots(scope)
    if not roots:
        raise CommandError(f"用户 {username} 没有管理单位的角色（管理员或信息员）")
    return user, scope, roots
