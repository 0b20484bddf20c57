"""When tested-student reporting is open: the cycle's `tested_students` windows, plus any 补报
window a county opened for the school (`SupplementaryWindow`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from jiance.aftertest.models import SupplementaryWindow

KIND = "tested_students"
SUPPLEMENTARY_MARK = "补报"


@dataclass(frozen=True)
class Window:
    name: str
    start: dt.date | None
    end: dt.date | None
    supplementary: bool = False

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    @property
    def label(self) -> str:
        start = self.start.strftime("%Y年%m月%d日") if self.start else ""
        end = self.end.strftime("%Y年%m月%d日") if self.end else ""
        return f"{self.name}（{start}至{end}）" if start else f"{self.name}（{end}前）"


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def cycle_windows(cycle: Any) -> list[Window]:
    """The cycle's tested-student windows; one without a start opens after the last test day."""
    config = getattr(cycle, "config", None) or {}
    days = [_date(d) for d in config.get("test_days") or []]
    after_test = max(d for d in days if d) + dt.timedelta(days=1) if any(days) else None
    out = []
    for w in config.get("windows") or []:
        if w.get("kind") != KIND:
            continue
        name = str(w.get("name") or _("测试生基本信息上报"))
        out.append(Window(name, _date(w.get("start")) or after_test, _date(w.get("end")),
                          SUPPLEMENTARY_MARK in name))
    return out


def supplementary_bounds(cycle: Any) -> Window | None:
    """The cycle's own 补报 window, if it has one: a county's 补报 dates must lie inside it."""
    return next((w for w in cycle_windows(cycle) if w.supplementary), None)


def school_windows(cycle: Any, school: Any) -> list[Window]:
    extra = [
        Window(_("补报（县级开放）"), w.start, w.end, True)
        for w in SupplementaryWindow.objects.filter(cycle=cycle, school=school).order_by("start", "pk")
    ]
    return [*cycle_windows(cycle), *extra]


@dataclass(frozen=True)
class WindowState:
    open: bool
    message: str
    windows: list[Window]


def window_state(cycle: Any, school: Any, today: dt.date) -> WindowState:
    """Is reporting open for `school` on `today`, and what to tell the user (in Chinese)."""
    windows = school_windows(cycle, school)
    current = [w for w in windows if w.covers(today)]
    if current:
        w = current[-1]
        end = w.end.strftime("%Y年%m月%d日") if w.end else ""
        return WindowState(True, _("上报开放中：%(name)s，截止 %(end)s。") % {"name": w.name, "end": end}, windows)
    if not windows:
        return WindowState(False, _("本周期未设置测试生基本信息上报时间，暂不能上报。"), windows)
    upcoming = sorted((w for w in windows if w.start and w.start > today), key=lambda w: w.start or today)
    if upcoming:
        w = upcoming[0]
        return WindowState(False, _("上报尚未开放，将于 %(start)s 开放：%(label)s。")
                           % {"start": w.start.strftime("%Y年%m月%d日") if w.start else "", "label": w.label},
                           windows)
    last = max((w for w in windows if w.end), key=lambda w: w.end or today, default=None)
    end = last.end.strftime("%Y年%m月%d日") if last and last.end else ""
    return WindowState(False, _("上报已于 %(end)s 截止；如需补报，请联系县级开放补报。") % {"end": end}, windows)
