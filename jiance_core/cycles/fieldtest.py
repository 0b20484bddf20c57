"""The ``fieldtest:`` section of a cycle template: the 体育现场测试记录卡 (PE field-test record card)
as data — its items, the unit and decimal places of each, and per grade and sex the plausible range
of a value (a value outside it is not refused but needs an explicit confirmation at entry).

The 2024 national plan [002] says the field test measures 身体形态、机能、体能 and that its
results are written on the record card, entered by the school's information officer and checked
by the PE proctors; it names the 15 米折返跑 (practised before test day) but not the card's other
items. The shipped template's items follow the 国家学生体质健康标准 (2014) for the tested grades
with the 15 米折返跑 as the endurance item; a cycle changes them here. Plain pydantic, no Django.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Sex = Literal["男", "女"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldRange(_Strict):
    """The plausible values of an item for one grade and sex (both ends included)."""

    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> FieldRange:
        if self.low > self.high:
            raise ValueError(f"合理范围下限 {self.low} 大于上限 {self.high}")
        return self


class FieldItem(_Strict):
    """One item of the record card. It is measured for a (grade, sex) iff `ranges` names it."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,19}$")
    name: str
    unit: str
    """the unit written on the card (厘米, 千克, 秒, 次)."""
    decimals: int = Field(ge=0, le=3)
    """decimal places of the value as recorded (50 米跑 to 0.1 s); more are refused at entry."""
    ranges: dict[int, dict[Sex, FieldRange]]
    """grade → sex → plausible range."""
    note: str | None = None


class FieldTestRules(_Strict):
    """体育现场测试记录卡: the card's items for the cycle's tested grades."""

    card: str = "体育现场测试记录卡"
    subject: str = "pe"
    """the cycle subject whose field test this is."""
    items: list[FieldItem]
    absence_reasons: list[str] = Field(default_factory=lambda: ["病假", "事假", "其他"])
    exemption_reasons: list[str] = Field(default_factory=lambda: ["伤病免测", "残疾免测", "其他"])
    note: str | None = None

    @model_validator(mode="after")
    def _unique(self) -> FieldTestRules:
        codes = [i.code for i in self.items]
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            raise ValueError(f"体育测试项目代码重复：{', '.join(dup)}")
        if not self.items:
            raise ValueError("体育现场测试记录卡至少应有一个项目")
        return self
