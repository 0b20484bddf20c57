"""Custody PINs (保管确认码): how the second person of a hand-over confirms on the first person's
phone. A person sets their own PIN after typing their password; it is stored with Django's
password hasher, never in clear; five wrong PINs lock it for 15 minutes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils.translation import gettext as _

from jiance import clock
from jiance.audit.services import audit_record
from jiance.custody.models import CustodyError, CustodyPin

PIN = re.compile(r"^\d{6}$")
MAX_FAILURES = 5
LOCK = dt.timedelta(minutes=15)
TRIVIAL = {"000000", "111111", "123456", "654321", "888888", "666666", "999999", "121212"}


@transaction.atomic
def pin_set(*, user: Any, password: str, pin: str) -> CustodyPin:
    if not user.check_password(password):
        raise CustodyError(_("登录密码不正确，保管确认码未设置。"))
    if not PIN.match(pin or ""):
        raise CustodyError(_("保管确认码应为 6 位数字。"))
    if pin in TRIVIAL or len(set(pin)) == 1:
        raise CustodyError(_("保管确认码过于简单（如 123456、连续相同数字），请换一个。"))
    now = clock.now()
    row, _created = CustodyPin.objects.update_or_create(
        user=user, defaults={"pin_hash": make_password(pin), "set_at": now, "failures": 0, "locked_until": None},
    )
    audit_record(action="custody.pin_set", obj=row, object_repr=str(user), actor=user,
                 detail="设置保管确认码")
    return row


def pin_confirm(*, username: str, pin: str) -> Any:
    """The active person `username` when `pin` is their custody PIN; otherwise a Chinese refusal.
    Failures are counted (in their own transaction, so a refused hand-over still counts them)."""
    user = get_user_model().objects.filter(username=(username or "").strip(), is_active=True).first()
    row = CustodyPin.objects.filter(user=user).first() if user is not None else None
    if user is None or row is None:
        raise CustodyError(_("第二人账号不存在或尚未设置保管确认码（在“保密材料 → 我的保管确认码”中设置）。"))
    now = clock.now()
    if row.locked_until and row.locked_until > now:
        raise CustodyError(_("第二人的保管确认码连续输错次数过多，已锁定 15 分钟。"))
    if not check_password(pin or "", row.pin_hash):
        with transaction.atomic():
            failures = row.failures + 1
            CustodyPin.objects.filter(pk=row.pk).update(
                failures=0 if failures >= MAX_FAILURES else failures,
                locked_until=now + LOCK if failures >= MAX_FAILURES else None,
            )
        raise CustodyError(_("第二人的保管确认码不正确。"))
    if row.failures:
        CustodyPin.objects.filter(pk=row.pk).update(failures=0)
    return user
