"""The one window rule: when may a unit do a kind of reporting work.

A window is read from the cycle's `windows` (one `ReportingWindow` per kind and reporting level),
plus any reopening the level above granted the unit (补报 / 重新开放). Pure date logic: the web
layer words the states in Chinese.

Rules an office expects:
* a kind the cycle sets no window for is not enforced (the seed gave no date), except the tested
  students, whose reporting only ever opens from the cycle (`CLOSED_WHEN_UNSET`);
* a window without a start opens with the cycle, except the tested students': after the last
  test day;
* dates are inclusive, the end day included;
* a reopening covers its own dates and counts even after the cycle's window closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

State = Literal["unset", "before", "open", "reopened", "closed"]

CLOSED_WHEN_UNSET = frozenset({"tested_students"})
AFTER_TEST = frozenset({"tested_students"})


@dataclass(frozen=True)
class Window:
    name: str
    start: dt.date | None
    end: dt.date | None
    reopen: bool = False  # granted to this unit by the level above
    by: str = ""  # who reopened (display name)
    reason: str = ""

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    @property
    def label(self) -> str:
        """"name（start至end）", or "name（end前）" without a start (the seeds' own wording)."""
        start, end = day_label(self.start), day_label(self.end)
        if start and end:
            return f"{self.name}（{start}至{end}）"
        return f"{self.name}（{end}前）" if end else f"{self.name}（{start}起）"


def day_label(d: dt.date | None) -> str:
    return d.strftime("%Y年%m月%d日") if d else ""


@dataclass(frozen=True)
class WindowState:
    state: State
    windows: tuple[Window, ...]
    current: Window | None = None  # the open one; the next one ("before"); the last one ("closed")

    @property
    def open(self) -> bool:
        return self.state in ("unset", "open", "reopened")

    @property
    def enforced(self) -> bool:
        return self.state != "unset"


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def cycle_windows(config: Mapping[str, Any], kind: str, *, level: str | None = None,
                  default_name: str = "") -> list[Window]:
    """The cycle's windows of `kind` (reported by `level`, when given), in the order of the cycle."""
    days = [d for d in (_date(x) for x in config.get("test_days") or []) if d]
    after_test = max(days) + dt.timedelta(days=1) if days and kind in AFTER_TEST else None
    out = []
    for w in config.get("windows") or []:
        if w.get("kind") != kind or (level and w.get("reported_by") and w.get("reported_by") != level):
            continue
        out.append(Window(str(w.get("name") or default_name), _date(w.get("start")) or after_test, _date(w.get("end"))))
    return out


def window_state(kind: str, windows: Sequence[Window], reopens: Iterable[Window], day: dt.date) -> WindowState:
    """Where `day` stands for the work of `kind`, given the cycle's windows and the unit's reopenings."""
    all_windows = (*windows, *reopens)
    if not all_windows:
        return WindowState("closed" if kind in CLOSED_WHEN_UNSET else "unset", ())
    current = [w for w in all_windows if w.covers(day)]
    if current:
        # prefer the cycle's own window; among reopenings the one lasting longest
        own = [w for w in current if not w.reopen]
        if own:
            return WindowState("open", all_windows, own[-1])
        return WindowState("reopened", all_windows, max(current, key=lambda w: w.end or dt.date.max))
    upcoming = sorted((w for w in all_windows if w.start and w.start > day), key=lambda w: w.start or day)
    if upcoming:
        return WindowState("before", all_windows, upcoming[0])
    last = max((w for w in all_windows if w.end), key=lambda w: w.end or day, default=None)
    return WindowState("closed", all_windows, last)
