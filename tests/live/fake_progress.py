"""A progress source injected by the live tests (declared by a fake app `fake`): the figures come
from `FIGURES` (school code → counts), read with one query, like a real source's GROUP BY."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiance.units.models import Unit

COLUMNS = [("fake_open", "未处理事件"), ("fake_late", "未按时归还"), ("fake_done", "已完成")]
ATTENTION = {"fake_late": 40, "fake_open": 10}
FIGURES: dict[str, dict[str, int]] = {}
CALLS: list[dict[str, Any]] = []


def school_progress(*, cycle: Any, school_ids: list[int], day: dt.date) -> dict[int, dict[str, int]]:
    CALLS.append({"cycle": cycle, "school_ids": list(school_ids), "day": day})
    codes = dict(Unit.objects.filter(pk__in=school_ids).values_list("code", "pk"))
    return {codes[code]: dict(values) for code, values in FIGURES.items() if code in codes}
