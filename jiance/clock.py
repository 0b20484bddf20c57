"""The injectable clock. Code asks `clock.now()`; tests freeze it with `frozen(at)`.

`JIANCE_NOW` (an ISO datetime, settings) starts the clock at that moment when the process starts
and lets it run from there: the test-day demo serves a morning of test day whatever the hour.
Never set in production (`check --deploy` refuses it)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

_frozen: dt.datetime | None = None
_offset: dt.timedelta | None = None


def _start_offset() -> dt.timedelta:
    from django.conf import settings
    from django.utils.dateparse import parse_datetime

    start = getattr(settings, "JIANCE_NOW", "")
    if not start:
        return dt.timedelta(0)
    at = parse_datetime(start)
    if at is None:
        raise ValueError(f"JIANCE_NOW is not an ISO datetime: {start!r}")
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    return at - timezone.now()


def restart() -> None:
    """Read `JIANCE_NOW` again at the next `now()` (after settings changed it)."""
    global _offset
    _offset = None


def now() -> dt.datetime:
    global _offset
    if _frozen is not None:
        return _frozen
    if _offset is None:
        _offset = _start_offset()
    return timezone.now() + _offset


def today() -> dt.date:
    return timezone.localdate(now())


@contextlib.contextmanager
def frozen(at: dt.datetime) -> Iterator[None]:
    global _frozen
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    previous, _frozen = _frozen, at
    try:
        yield
    finally:
        _frozen = previous
