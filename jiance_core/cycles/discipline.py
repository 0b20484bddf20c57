"""The discipline catalogue of a cycle (违纪处理规定), as data.

Seed 003 (Chongqing 2020, 违纪处理规定) puts staff offences in three tiers — county criticism;
county criticism plus a sanction proposed to the county education bureau; city criticism, and a
sanction for serious cases — and student offences in two tiers, both ending the student's
participation (取消监测资格): criticism by the school, or a school disciplinary sanction.
A template lists the tiers with their offences; "other" (其他) is always available with a free
description, so the list need not foresee everything.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Decider = Literal["school", "county", "city"]
"""Who deals out the handling of a tier: 学校, 区县政府教育督导室 / 区县教委, 市人民政府教育督导室."""

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Offence(_Strict):
    code: str
    text: str


class Tier(_Strict):
    tier: int
    handling: str
    """what follows, in the seed's words (e.g. 由区县政府教育督导室给予通报批评)."""
    decided_by: Decider
    ends_participation: bool = False
    """a student offence of this tier ends the student's participation (取消监测资格)."""
    offences: list[Offence] = Field(default_factory=list)


class Discipline(_Strict):
    staff: list[Tier] = Field(default_factory=list)
    student: list[Tier] = Field(default_factory=list)
    note: str | None = None

    def tiers(self, kind: str) -> list[Tier]:
        return self.staff if kind == "staff" else self.student

    def offence(self, code: str) -> tuple[str, Tier, Offence] | None:
        """(kind, tier, offence) of an offence code, or None."""
        for kind in ("staff", "student"):
            for tier in self.tiers(kind):
                for offence in tier.offences:
                    if offence.code == code:
                        return kind, tier, offence
        return None


def discipline_issues(d: Discipline | None) -> list[tuple[str, str]]:
    """(path, reason) of every problem of a discipline section (none: consistent)."""
    if d is None:
        return []
    out: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for kind in ("staff", "student"):
        numbers: set[int] = set()
        for i, tier in enumerate(d.tiers(kind)):
            p = f"discipline.{kind}[{i}]"
            if tier.tier <= 0 or tier.tier in numbers:
                out.append((f"{p}.tier", f"等级 {tier.tier} 重复或不是正整数"))
            numbers.add(tier.tier)
            if not tier.offences:
                out.append((f"{p}.offences", "每个等级至少要列出一种违纪情形"))
            if kind == "student" and not tier.ends_participation:
                out.append((f"{p}.ends_participation", "学生违纪均取消监测资格，应为 true"))
            if kind == "staff" and tier.ends_participation:
                out.append((f"{p}.ends_participation", "工作人员违纪不涉及学生的监测资格"))
            for j, offence in enumerate(tier.offences):
                op = f"{p}.offences[{j}].code"
                if not _CODE.match(offence.code) or offence.code == "other":
                    out.append((op, f"代码“{offence.code}”只能由小写字母、数字、连字符组成（other 为保留字）"))
                elif offence.code in seen:
                    out.append((op, f"代码“{offence.code}”与 {seen[offence.code]} 重复"))
                else:
                    seen[offence.code] = op
    return out
