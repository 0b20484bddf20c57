"""The ``custody:`` section of a cycle template: the test materials (监测工具) a sample school
receives, and the clock rules of their custody (SPEC §6).

- 2022 national plan [001]: every sample school gets one box per test day (dated on the box),
  one pair per test room when the school has several; each box holds a listed set of bags that
  differ by test day and stage. "当天领取，当天送回"; a school more than 2 hours' drive away may,
  with the county's approval, take both days' boxes [000, 001].
- Chongqing 2020 [003]: one tool pack per school holding 3N + 2N + 1 + 2N bags for N paper rooms
  (fewer for M computer rooms: 2M + M + 1), and the school's barcode envelope; a school more than
  2 hours away may receive its pack the afternoon before.

A bag kind is counted ``per`` box, or per room of the box (``room``: every room, ``paper_room`` /
``computer_room``: rooms of that kind) — one room when boxes are per room, all the school's rooms
when the box is the school's. The rule that turns a room plan into boxes and bags is
``jiance_core.custody``. Plain pydantic, no Django.
"""

from __future__ import annotations

from datetime import time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator


def _hm(value: time) -> str:
    return value.strftime("%H:%M")


HM = Annotated[time, PlainSerializer(_hm, return_type=str, when_used="json")]
Stage = Literal["primary", "junior"]
BagPer = Literal["box", "room", "paper_room", "computer_room"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BagKind(_Strict):
    """One kind of bag (卷袋) in a box."""

    code: str = Field(pattern=r"^[A-Z]{1,6}$")  # printed in the bag's barcode
    name: str
    per: BagPer = "box"
    count: int = Field(default=1, ge=1)  # bags of this kind per box / per room
    days: list[int] = Field(default_factory=list)  # test-day numbers (1 = first); empty: every day
    stages: list[Stage] = Field(default_factory=list)  # empty: both stages
    note: str | None = None


class CustodyRules(_Strict):
    boxes_per: Literal["room", "school"] = "room"
    box_name: str = "监测工具箱"
    box_colours: dict[Stage, str] = Field(default_factory=dict)
    bags: list[BagKind] = Field(default_factory=list)
    # 当天送回: a box issued on day D is back in the county's secure room by this time of day D.
    return_by: HM = time(18, 0)
    # The exception for far schools: more than this many minutes' drive from the secure room, with
    # the county's prior approval, a school may take its boxes this many days early and keep them
    # until the return time of the last test day.
    far_minutes: int = Field(default=120, ge=1)
    early_days: int = Field(default=1, ge=0)
    far_rule: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _unique_codes(self) -> CustodyRules:
        codes = [b.code for b in self.bags]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"卷袋代码重复：{'、'.join(dupes)}")
        return self


def custody_issues(rules: CustodyRules | None, test_days: int) -> list[tuple[str, str]]:
    """(path, reason) of the custody rules that do not fit the template's test days."""
    if rules is None:
        return []
    out = []
    for i, bag in enumerate(rules.bags):
        wrong = [d for d in bag.days if not 1 <= d <= test_days]
        if wrong:
            out.append((f"custody.bags[{i}].days", f"测试日序号应在 1 到 {test_days} 之间：{wrong}"))
    return out
