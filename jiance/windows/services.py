"""Reporting windows for the web layer: the state of a unit's window worded in Chinese, the
refusal every reporter's edit, import and submit goes through, and the reopening by the level
above (reason required, audited).

Reviews by the level above are never refused by a window: an office that closes reporting on the
deadline still checks, approves and returns afterwards. A return after the close leaves the
reporter unable to correct until the reviewer reopens the window (the reviewer's page offers it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiance import clock
from jiance.accounts import roles
from jiance.accounts.scoping import Scope
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.units.models import Level, Unit
from jiance.windows.models import WindowReopen
from jiance_core.cycles import windows as rule
from jiance_core.cycles.windows import Window, day_label


@dataclass(frozen=True)
class Work:
    """A kind of reporting work: who reports it, who may reopen it (the level above)."""

    kind: str
    name: Any  # lazy Chinese name, when the cycle's window has none
    reporter: str  # Level
    reopeners: roles.Roles


WORKS: dict[str, Work] = {w.kind: w for w in (
    Work("school_frame", gettext_lazy("属地学校信息上报"), Level.COUNTY, roles.CITY_OFFICE),
    Work("student_roster", gettext_lazy("学生名单上报"), Level.SCHOOL, roles.COUNTY_OFFICE),
    Work("teacher_roster", gettext_lazy("教师名单上报"), Level.SCHOOL, roles.COUNTY_OFFICE),
    Work("tested_students", gettext_lazy("测试生基本信息上报"), Level.SCHOOL, roles.COUNTY_OFFICE),
)}


class WindowClosed(ValueError):
    """Refused because the unit's window for this work is not open (message in Chinese)."""


def window_label(w: Window) -> str:
    return w.label


@dataclass(frozen=True)
class WindowView:
    """A window's state for a page and for refusals."""

    kind: str
    state: str  # jiance_core.cycles.windows.State
    open: bool
    message: str
    windows: tuple[Window, ...]
    current: Window | None
    reopens: tuple[WindowReopen, ...]

    @property
    def enforced(self) -> bool:
        return self.state != "unset"


def _reopen_window(r: WindowReopen) -> Window:
    return Window(str(_("重新开放")), r.start, r.end, reopen=True, by=r.opener_name, reason=r.reason)


def _message(work: Work, st: rule.WindowState) -> str:
    w = st.current
    facts = {"work": w.name if w and not w.reopen else work.name, "label": window_label(w) if w else "", "start": day_label(w.start) if w else "",
             "end": day_label(w.end) if w else "", "by": w.by if w else "", "reason": w.reason if w else ""}
    if st.state == "unset":
        return _("本周期未设置%(work)s时间，不限时。") % facts
    if st.state == "open":
        return _("上报开放中：%(name)s，截止 %(end)s。") % {**facts, "name": w.name if w else ""}
    if st.state == "reopened":
        return _("上报重新开放中：%(work)s由 %(by)s 开放至 %(end)s（原因：%(reason)s）。") % facts
    if st.state == "before":
        return _("上报尚未开放，将于 %(start)s 开放：%(label)s。") % facts
    if w is None:
        return _("本周期未设置%(work)s时间，暂不能上报。") % facts
    return _("%(label)s已于 %(end)s 截止，不能再修改或提交；如需补报，请联系上级重新开放。") % facts


def window_state(*, cycle: Any, kind: str, unit: Unit, today: dt.date | None = None) -> WindowView:
    """The state of `unit`'s window for `kind` on `today` (the clock's today by default)."""
    work = WORKS[kind]
    today = today or clock.today()
    own = rule.cycle_windows(getattr(cycle, "config", None) or {}, kind, level=work.reporter,
                             default_name=str(work.name))
    reopens = tuple(WindowReopen.objects.filter(cycle=cycle, kind=kind, unit=unit)
                    .select_related("opened_by").order_by("start", "pk"))
    st = rule.window_state(kind, own, [_reopen_window(r) for r in reopens], today)
    return WindowView(kind, st.state, st.open, _message(work, st), st.windows, st.current, reopens)


def window_require(*, cycle: Any, kinds: Iterable[str], unit: Unit, error: type[Exception] = WindowClosed) -> None:
    """Refuse (with the first closed window's message) unless one of `kinds` is open for `unit`."""
    states = [window_state(cycle=cycle, kind=k, unit=unit) for k in kinds]
    if not any(s.open for s in states):
        raise error(states[0].message)


@transaction.atomic
def window_reopen(*, scope: Scope, cycle: Any, kind: str, unit: Unit, until: dt.date, reason: str, actor: Any,
                  start: dt.date | None = None, error: type[Exception] = WindowClosed) -> WindowReopen:
    """The level above reopens `kind` for `unit` from `start` (today) to `until`, with a reason."""
    work = WORKS[kind]
    if unit.level != work.reporter:
        raise error(_("%(work)s只能为%(level)s重新开放") % {"work": work.name, "level": Level(work.reporter).label})
    scope.require(work.reopeners, unit)
    reason = (reason or "").strip()
    if not reason:
        raise error(_("请填写重新开放的原因"))
    today = clock.today()
    start = start or today
    if until < start:
        raise error(_("截止日期不能早于开始日期"))
    if until < today:
        raise error(_("截止日期已过，请重新选择"))
    reopen = WindowReopen.objects.create(cycle=cycle, kind=kind, unit=unit, start=start, end=until,
                                         reason=reason[:200], opened_by=actor, opened_at=clock.now())
    audit_record(action=Action.CREATE, obj=reopen, unit=unit, actor=actor,
                 after={"kind": kind, "start": start, "end": until, "reason": reopen.reason},
                 detail=_("重新开放%(work)s：%(start)s 至 %(end)s，原因：%(reason)s")
                 % {"work": work.name, "start": start, "end": until, "reason": reopen.reason})
    return reopen
