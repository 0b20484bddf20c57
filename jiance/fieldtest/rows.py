"""What one row of a school's card table shows: the student, per item the value (as stored or as
just posted), its range and problem, the card's state and the buttons this person may use.
Built here so the page and the htmx row reply draw the same thing."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from jiance.accounts.scoping import Scope
from jiance.fieldtest.models import Attendance, CardStatus
from jiance.fieldtest.selectors import Row
from jiance.review.engine import allowed_actions
from jiance.stages import stage_label
from jiance_core.cycles.fieldtest import FieldItem, FieldTestRules
from jiance_core.fieldtest.card import in_range, items_for, parse_value, range_text

ATTENDANCE_CHOICES = list(Attendance.choices)


@dataclass
class Cell:
    item: FieldItem
    applies: bool
    value: str = ""
    range: str = ""
    error: str = ""
    out_of_range: bool = False
    confirmed: bool = False


@dataclass
class RowView:
    row: Row
    cells: list[Cell]
    attendance: str
    reason: str
    status: str = ""  # "" = not entered
    status_label: Any = ""
    editable: bool = True
    actions: set[str] = field(default_factory=set)
    own: bool = False  # entered by this person (may not check it)
    comment: str = ""
    errors: Mapping[str, str] = field(default_factory=dict)
    saved: bool = False

    @property
    def student(self) -> Any:
        return self.row.student


@dataclass
class StageTable:
    grade: int
    label: str
    items: list[FieldItem]
    rows: list[RowView]


def row_view(row: Row, rules: FieldTestRules, *, scope: Scope, user: Any, entering: bool, checking: bool,
             posted: Mapping[str, Any] | None = None, errors: Mapping[str, str] | None = None,
             saved: bool = False) -> RowView:
    card, grade, sex = row.card, row.grade, row.student.sex
    errors = errors or {}
    mine = {i.code for i in items_for(rules, grade, sex)}
    if posted is not None:
        values = {i.code: str(posted.get(f"v_{i.code}", "")) for i in rules.items}
        confirmed = set(posted.getlist("confirm")) if hasattr(posted, "getlist") else set()
        attendance, reason = str(posted.get("attendance", "present")), str(posted.get("reason", ""))
    elif card is not None:
        values, confirmed = dict(card.values), set(card.confirmed)
        attendance, reason = card.attendance, card.reason
    else:
        values, confirmed, attendance, reason = {}, set(), Attendance.PRESENT, ""
    cells = []
    for item in rules.items:
        if grade not in item.ranges:
            continue  # not on this grade's card
        cell = Cell(item, item.code in mine, value=values.get(item.code, ""), range=range_text(item, grade, sex),
                    error=errors.get(item.code, ""), confirmed=item.code in confirmed)
        if cell.applies and cell.value and attendance == Attendance.PRESENT:
            with contextlib.suppress(ValueError):
                cell.out_of_range = not in_range(item, grade, sex, parse_value(item, cell.value))
        cells.append(cell)
    view = RowView(row, cells, attendance, reason, errors=errors, saved=saved)
    if card is not None:
        view.status, view.status_label = card.status, card.get_status_display()
        view.editable = entering and card.status != CardStatus.CHECKED
        view.own = card.entered_by_id is not None and card.entered_by_id == getattr(user, "pk", None)
        view.actions = allowed_actions(card, scope) if checking and not view.own else set()
        view.comment = card.comment
    else:
        view.status_label = _("未录入")
        view.editable = entering
    return view


def stage_tables(views: list[RowView], rules: FieldTestRules) -> list[StageTable]:
    """One table per tested grade, with the items measured in it as columns."""
    grades = sorted({v.row.grade for v in views})
    out = []
    for grade in grades:
        items = [i for i in rules.items if grade in i.ranges]
        rows = [v for v in views if v.row.grade == grade]
        out.append(StageTable(grade, f"{stage_label(rows[0].row.sampled.roster.stage)} · {grade} 年级", items, rows))
    return out
