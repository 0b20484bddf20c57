"""The after-test page's one save: every row of the page at once, or none.

Same rules as the one-row save (`services.tested_student_save`): school office only, list
released, report editable, window open, each row's `problems()`. On top of it the page's version:
a page drawn before someone else saved is refused, unless what it posts is already what is stored
(a repeated submission: acknowledged, nothing written again).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.aftertest.models import (
    AftertestError,
    ReportAction,
    TestedCorrection,
    TestedReport,
    TestedStudent,
)
from jiance.aftertest.services import (
    RowInput,
    _apply,
    _event,
    _locked_for_entry,
)
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.review import engine

STATE_FIELDS = ("attendance", "absent_sessions", "reason", "note", "name", "sex", "class_name")


class RowsRefused(AftertestError):
    """Some rows break a rule: nothing was saved. `rows` maps a tested-student pk to its message
    (which names the student)."""

    def __init__(self, rows: dict[int, str]) -> None:
        super().__init__("；".join(rows.values()))
        self.rows = rows


@dataclass(frozen=True)
class PageSaved:
    changed: int
    corrections: int
    repeated: bool = False  # the same page posted again: already stored, nothing written


def _state(t: TestedStudent) -> dict[str, Any]:
    return {f: getattr(t, f) for f in STATE_FIELDS}


def row_message(t: TestedStudent, text: str) -> str:
    return _("第 %(row)s 行（%(name)s）") % {"row": t.row, "name": t.sampled.student.name} + text


@transaction.atomic
def tested_students_save(*, scope: Scope, report: TestedReport, rows: Mapping[int, RowInput],
                         version: int | None, actor: Any) -> PageSaved:
    """Apply the page's rows (tested-student pk → input). Raises `RowsRefused` naming every bad
    row, or the chain's error (stale page, closed window, not editable)."""
    locked, by_pk = _locked_for_entry(scope, report)
    now = clock.now()
    if set(rows) - set(by_pk):
        raise AftertestError(_("页面数据有误，请刷新页面后再操作"))
    bad: dict[int, str] = {}
    staged: list[tuple[TestedStudent, dict[str, Any], list[TestedCorrection]]] = []
    for pk in sorted(rows, key=lambda k: by_pk[k].row):
        t = by_pk[pk]
        before = _state(t)
        corrections = _apply(t, rows[pk], actor=actor, now=now)
        problems = t.problems()
        if problems:
            bad[pk] = row_message(t, "；".join(f"“{c}”：{r}" for c, r in problems))
        elif corrections or _state(t) != before:
            staged.append((t, before, corrections))
    if bad:
        raise RowsRefused(bad)
    if version is not None and version != locked.version:
        if not staged:
            return PageSaved(0, 0, repeated=True)
        raise AftertestError(engine.stale_message(locked))
    if not staged:
        return PageSaved(0, 0)
    n_corr = 0
    for t, before, corrections in staged:
        t.save()
        TestedCorrection.objects.bulk_create(corrections)
        n_corr += len(corrections)
        after = _state(t)
        audit_record(action=Action.UPDATE, obj=t, unit=locked.school, actor=actor,
                     before={k: v for k, v in before.items() if v != after[k]},
                     after={k: v for k, v in after.items() if v != before[k]},
                     detail=_("测试生基本信息修改：第 %(row)s 行") % {"row": t.row}
                     + ("；" + _("更正 %(n)s 项") % {"n": len(corrections)} if corrections else ""))
    from_status = locked.status
    engine.bump(locked, status=locked.status)
    _event(locked, ReportAction.EDIT, actor, from_status,
           _("页面保存：%(n)s 名学生，更正 %(c)s 项") % {"n": len(staged), "c": n_corr})
    return PageSaved(len(staged), n_corr)
