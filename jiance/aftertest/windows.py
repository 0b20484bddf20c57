"""When tested-student reporting is open: the cycle's `tested_students` windows, plus any 补报
(a reopening of that window) the county granted the school. The rule is `jiance.windows`'; this
module keeps the after-test's own wording (the cycle's 补报 window bounds a county's 补报 dates)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiance.windows.services import WindowView, window_label
from jiance.windows.services import window_state as _window_state
from jiance_core.cycles.windows import Window, cycle_windows

KIND = "tested_students"
SUPPLEMENTARY_MARK = "补报"

__all__ = ["KIND", "Window", "WindowView", "supplementary_bounds", "window_label", "window_state"]


def supplementary_bounds(cycle: Any) -> Window | None:
    """The cycle's own 补报 window, if it has one: a county's 补报 dates must lie inside it."""
    config = getattr(cycle, "config", None) or {}
    return next((w for w in cycle_windows(config, KIND, level="school") if SUPPLEMENTARY_MARK in w.name), None)


def window_state(cycle: Any, school: Any, today: dt.date) -> WindowView:
    """Is reporting open for `school` on `today`, and what to tell the user (in Chinese)."""
    return _window_state(cycle=cycle, kind=KIND, unit=school, today=today)
