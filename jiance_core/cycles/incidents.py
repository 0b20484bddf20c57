"""The incident section of a cycle template (应急事件处置预案, SPEC §8): the three grades with what
each means and who handles it, the catalogue of kinds (each with its default grade and handling
instructions, quoted from the seeds), and the report-to-the-centre rule where the cycle has one
(Chongqing: "于处置后1小时内向市基础教育质量监测中心报告情况" [003]).

The catalogue is data of the cycle: the web app records incidents against its codes and shows
the handling text to the school and the inspector. Exactly one kind is ``other`` (a free
description is then required).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Grade = Literal[1, 2, 3]
GRADES: tuple[int, ...] = (1, 2, 3)

HandlingRule = Literal["drop_by_seat"]
"""A rule the platform applies itself: ``drop_by_seat`` = fewer booklets than students, drop
students from the highest seat number down (卷袋内测试卷数少于实测学生数 [003])."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IncidentGrade(_Strict):
    grade: Grade
    definition: str
    """分级: what an incident of this grade is."""
    handling: str
    """处置办法: who reports to whom and who decides."""


class IncidentKind(_Strict):
    code: str
    name: str
    grade: Grade
    group: str | None = None
    """the heading of the seed's list (关于测试遇阻, 关于学生检录, …)."""
    handling: str = ""
    """处置办法 of the seed, verbatim where the seed gives one."""
    rule: HandlingRule | None = None
    other: bool = False
    """"其他": the school describes the kind in its own words."""
    grade_assumed: bool = False
    """the seed names the kind but gives no grade: the grade is our reading (documented)."""
    source: str | None = None


class IncidentRules(_Strict):
    grades: list[IncidentGrade] = Field(default_factory=list)
    kinds: list[IncidentKind] = Field(default_factory=list)
    report_to: str | None = None
    """who receives the report after handling (Chongqing: 市基础教育质量监测中心)."""
    report_within_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    """the report is due this long after handling (Chongqing: 60); none: no such clock."""
    report_from_grade: Grade = 2
    """the clock runs for incidents of this grade and above (those the school and inspector cannot
    settle themselves, [003] 紧急情况处置 (二))."""
    phones: list[str] = Field(default_factory=list)
    """the centre's emergency lines (应急处置热线电话)."""

    @model_validator(mode="after")
    def _consistent(self) -> IncidentRules:
        codes = [k.code for k in self.kinds]
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            raise ValueError(f"应急事件类别代码重复：{'、'.join(dup)}")
        if self.kinds and sum(1 for k in self.kinds if k.other) != 1:
            raise ValueError("应急事件类别中须有且只有一个“其他”类别（other: true）")
        grades = [g.grade for g in self.grades]
        if self.grades and sorted(grades) != list(GRADES):
            raise ValueError("应急事件分级须依次写出 1、2、3 级各一次")
        if self.report_within_minutes is not None and not self.report_to:
            raise ValueError("写明了处置后报告时限，须同时写明报告对象（report_to）")
        return self

    def kind(self, code: str) -> IncidentKind | None:
        return next((k for k in self.kinds if k.code == code), None)

    def other_kind(self) -> IncidentKind | None:
        return next((k for k in self.kinds if k.other), None)
