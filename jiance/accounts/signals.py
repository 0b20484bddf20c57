"""Logins, failed logins (with lockouts) and logouts go to the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from jiance.accounts.scoping import Scope
from jiance.audit.context import Actor, acting_as
from jiance.audit.middleware import client_ip
from jiance.audit.models import Action, Result
from jiance.audit.services import audit_record

ANONYMOUS = "匿名"


def _request_actor(request: Any, user: Any = None) -> Actor:
    ip = client_ip(request) if request is not None else None
    return Actor(user=user, ip=ip, label="web")


def home_unit(user: Any) -> Any:
    """Where a person's logins are filed: the highest unit where they hold a role."""
    return Scope(user).primary_unit if getattr(user, "pk", None) else None


def _known_user(username: str) -> Any:
    if not username:
        return None
    return get_user_model().objects.filter(username=username).first()


@receiver(user_logged_in, dispatch_uid="jiance_audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with acting_as(_request_actor(request, user)):
        audit_record(
            action=Action.LOGIN, obj=user, unit=home_unit(user), object_repr=user.username,
            actor=user,
        )


@receiver(user_logged_out, dispatch_uid="jiance_audit_logout")
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    with acting_as(_request_actor(request, user)):
        audit_record(
            action=Action.LOGOUT, obj=user, unit=home_unit(user), object_repr=user.username,
            actor=user,
        )


@receiver(user_login_failed, dispatch_uid="jiance_audit_login_failed")
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    """Who typed is unknown (anonymous, by address); the account tried is the object. Axes
    handles the signal first, so `axes_locked_out` already says whether this attempt locked (or
    hit) the username + address lock."""
    # Only the username: Django already masks the password in `credentials`, never store it.
    username = str(credentials.get("username") or "")[:150]
    user = _known_user(username)
    locked = bool(getattr(request, "axes_locked_out", False))
    ip = client_ip(request) if request is not None else None
    with acting_as(Actor(user=None, ip=ip, label=ANONYMOUS)):
        audit_record(
            action=Action.LOGIN_FAILED,
            object_type="accounts.user",
            object_id=str(user.pk) if user else "",
            object_repr=username,
            unit=home_unit(user),
            result=Result.LOCKED if locked else Result.FAILED,
            detail="登录失败，该账号在此地址已锁定 30 分钟" if locked else "用户名或密码错误",
        )
