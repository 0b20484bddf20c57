"""Booklet and answer-card rotation (题本与答题卡的循环发放) [003, 001].

Each subject has, per grade, a number of booklet forms (题本套数; 2022: 语文 6, 艺术 2, 英语 2 in
grade 4 and 6 in grade 8). Every booklet form has its own answer-card form with the same number
(题卡分离, "A题本配A答题卡"), and the proctor hands the pairs out "按照学生座位序号循环发放":

    form = ((seat - 1 + offset) mod forms) + 1

so seat 01 gets form 1, seat 02 form 2, ..., seat forms+1 form 1 again.

Decisions (documented here because the seeds leave them implicit):

* **The rotation restarts in every test room.** Seats are numbered 01.. in each room and the
  seeds deal "按座位序号" room by room (each room receives its own sealed bag), so seat 01 of every
  room takes form 1. Neighbours therefore never share a form except where the snake turns.
* **No offset per school by default** (``offset=0``). An office that wants to vary which form
  seat 01 receives may pass an offset (for example derived from the school), applied in every
  room of that school alike.
* In computer rooms the same rule gives the booklet number shown on the student's screen; the
  proctor hands out the answer card with that number.
* Subjects without booklet forms for the grade (questionnaire-only ones, or forms not yet
  configured) are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jiance_core.cycles.schema import CycleTemplate

__all__ = [
    "BookletForm",
    "SubjectForms",
    "booklet_form",
    "deal",
    "forms_in_grade",
    "subjects_from_config",
    "subjects_with_forms",
]


def booklet_form(seat: int, forms: int, offset: int = 0) -> int:
    """The booklet (and answer-card) form number, 1..forms, for seat number ``seat`` (1-based)."""
    if forms <= 0:
        raise ValueError("题本套数必须为正整数")
    if seat <= 0:
        raise ValueError("座位号从 1 开始")
    return (seat - 1 + offset) % forms + 1


@dataclass(frozen=True, slots=True)
class SubjectForms:
    code: str
    name: str
    forms: int
    paired: bool = True


@dataclass(frozen=True, slots=True)
class BookletForm:
    """What one seat receives for one subject."""

    subject: str
    form: int
    paired: bool = True

    @property
    def booklet(self) -> str:
        return f"{self.subject}-{self.form}"

    @property
    def answer_card(self) -> str | None:
        return f"答题卡-{self.form}" if self.paired else None

    @property
    def label(self) -> str:
        """``语文-3 / 答题卡-3`` (the booklet alone when booklet and card are one)."""
        card = self.answer_card
        return f"{self.booklet} / {card}" if card else self.booklet


def forms_in_grade(booklet_forms: Mapping[Any, Any] | None, grade: int) -> int:
    """A subject's booklet forms in ``grade``: 0 when it has none (keys are ints in a template,
    strings once the template has been stored as JSON)."""
    if not isinstance(booklet_forms, Mapping):
        return 0
    return int(booklet_forms.get(grade, booklet_forms.get(str(grade), 0)) or 0)


def subjects_with_forms(template: CycleTemplate, grade: int) -> list[SubjectForms]:
    """The subjects of ``template`` that have booklet forms in ``grade``, in template order."""
    return [
        SubjectForms(s.code, s.name, n, s.answer_card_paired)
        for s in template.subjects
        if (n := forms_in_grade(s.booklet_forms, grade)) > 0
    ]


def subjects_from_config(subjects: Iterable[Mapping[str, Any]], grade: int) -> list[SubjectForms]:
    """The same from a stored cycle's ``config["subjects"]`` (plain dicts)."""
    return [
        SubjectForms(str(s.get("code", "")), str(s.get("name") or s.get("code", "")), n,
                     bool(s.get("answer_card_paired", True)))
        for s in subjects
        if (n := forms_in_grade(s.get("booklet_forms"), grade)) > 0
    ]


def deal(
    seats: Sequence[int], subjects: Sequence[SubjectForms], offset: int = 0
) -> list[dict[str, BookletForm]]:
    """Forms for each seat number of one room (seats restart at 1 in every room)."""
    return [
        {
            s.code: BookletForm(s.name, booklet_form(seat, s.forms, offset), s.paired)
            for s in subjects
        }
        for seat in seats
    ]
