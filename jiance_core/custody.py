"""Custody of the test materials (监测工具, SPEC §6): the boxes and bags a school should receive,
their codes, and the clock rules of issue and return. Plain Python, no Django.

- ``expected_boxes``: a school's boxes and bags for every test day from its room plan and the
  cycle's ``custody:`` rules (``jiance_core.cycles.custody``): one box per room and day (2022
  national plan [001]: "如样本校有多个测试教室，则每个测试教室应接收2个监测工具箱") or one pack per
  school and day (Chongqing 2020 [003]: 3N + 2N + 1 + 2N bags for N paper rooms).
- ``earliest_issue`` / ``return_due``: "当天领取，当天送回" [000][001]; a school more than two hours
  away, with the county's prior approval, may take its boxes early and keep them to the last day.
- ``count_problems``: what a counted box lacks or has too many of, in Chinese.

Codes: a box is ``<school code>-<P|J><room>-D<day>`` (room ``0`` for a school's pack), a bag is
``<box code>-<bag code><n>``; they are printed as Code 128 barcodes on the labels and scanned.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from jiance_core.cycles.custody import BagKind, CustodyRules

STAGE_LETTER = {"primary": "P", "junior": "J"}
LETTER_STAGE = {v: k for k, v in STAGE_LETTER.items()}
BOX_CODE = re.compile(r"^(?P<school>[0-9A-Za-z]{1,20})-(?P<stage>[PJ])(?P<room>\d{1,2})-D(?P<day>\d)$")
BAG_CODE = re.compile(r"^(?P<box>[0-9A-Za-z]{1,20}-[PJ]\d{1,2}-D\d)-(?P<kind>[A-Z]{1,6})(?P<n>\d{1,2})$")


@dataclass(frozen=True)
class Room:
    """One test room of a school's plan (testday.TestRoom)."""

    stage: str
    number: int
    kind: str  # "paper" | "computer"


@dataclass(frozen=True)
class Bag:
    code: str
    kind: str  # the bag kind's code
    name: str
    room: int  # the room the bag serves (0: the whole box)


@dataclass(frozen=True)
class Box:
    code: str
    school: str
    stage: str
    room: int  # 0: the school's pack
    day: date
    day_number: int
    bags: tuple[Bag, ...]

    @property
    def bag_count(self) -> int:
        return len(self.bags)


@dataclass(frozen=True)
class CodeParts:
    school: str
    stage: str
    room: int
    day_number: int
    bag_kind: str = ""
    bag_number: int = 0


def box_code(school: str, stage: str, room: int, day_number: int) -> str:
    return f"{school}-{STAGE_LETTER[stage]}{room}-D{day_number}"


def parse_code(text: str) -> CodeParts | None:
    """The parts of a scanned or typed box or bag code (None: not one of ours)."""
    text = text.strip().upper()
    bag = BAG_CODE.match(text)
    if bag:
        box = BOX_CODE.match(bag["box"])
        if box:
            return CodeParts(box["school"], LETTER_STAGE[box["stage"]], int(box["room"]), int(box["day"]),
                             bag["kind"], int(bag["n"]))
    m = BOX_CODE.match(text)
    if m is None:
        return None
    return CodeParts(m["school"], LETTER_STAGE[m["stage"]], int(m["room"]), int(m["day"]))


def box_of(code: str) -> str:
    """The box code of a box or bag code ("" when it is neither)."""
    parts = parse_code(code)
    if parts is None:
        return ""
    return box_code(parts.school, parts.stage, parts.room, parts.day_number)


def _applies(bag: BagKind, stage: str, day_number: int) -> bool:
    return (not bag.days or day_number in bag.days) and (not bag.stages or stage in bag.stages)


def _bags(rules: CustodyRules, code: str, stage: str, day_number: int, rooms: list[Room]) -> tuple[Bag, ...]:
    out: list[Bag] = []
    for kind in rules.bags:
        if not _applies(kind, stage, day_number):
            continue
        if kind.per == "box":
            serving = [0] * kind.count
        else:
            wanted = {"room": ("paper", "computer"), "paper_room": ("paper",), "computer_room": ("computer",)}[kind.per]
            serving = [r.number for r in rooms if r.kind in wanted for _ in range(kind.count)]
        for i, room in enumerate(serving, start=1):
            out.append(Bag(f"{code}-{kind.code}{i}", kind.code, kind.name, room))
    return tuple(out)


def expected_boxes(rules: CustodyRules, *, school: str, rooms: list[Room], test_days: list[date]) -> list[Box]:
    """The boxes (with their bags) a school should receive, from its room plan: per test day, one
    box per room (``boxes_per: room``) or one pack per stage holding every room's bags
    (``boxes_per: school``). A school without rooms gets nothing yet (its plan is not made)."""
    out: list[Box] = []
    by_stage: dict[str, list[Room]] = {}
    for r in sorted(rooms, key=lambda r: (r.stage, r.number)):
        by_stage.setdefault(r.stage, []).append(r)
    for n, day in enumerate(sorted(test_days), start=1):
        for stage in sorted(by_stage, key=lambda s: STAGE_LETTER.get(s, s)):
            stage_rooms = by_stage[stage]
            groups = [[r] for r in stage_rooms] if rules.boxes_per == "room" else [stage_rooms]
            for group in groups:
                room_no = group[0].number if rules.boxes_per == "room" else 0
                code = box_code(school, stage, room_no, n)
                out.append(Box(code, school, stage, room_no, day, n, _bags(rules, code, stage, n, group)))
    return out


# --- the clock ------------------------------------------------------------------------------------
def earliest_issue(day: date, *, approved: bool, rules: CustodyRules) -> date:
    """The first day a box for test day `day` may leave the secure room: that day ("当天领取"), or
    `early_days` before it for a far school with the county's prior approval."""
    return day - timedelta(days=rules.early_days) if approved else day


def return_due(day: date, *, approved: bool, test_days: list[date], rules: CustodyRules) -> datetime:
    """When a box for `day` must be back in the secure room (naive local time): the return time of
    that day ("当天送回"), or of the last test day for an approved far school."""
    last = max([day, *test_days]) if approved else day
    return datetime.combine(last, rules.return_by)


def is_far(travel_minutes: int, rules: CustodyRules) -> bool:
    """The two-day exception applies only "车程超过 2 小时" (strictly more)."""
    return travel_minutes > rules.far_minutes


def count_problems(expected: dict[str, int], counted: dict[str, int], names: dict[str, str]) -> list[str]:
    """What a count of bags by kind lacks or has too many of (empty: as expected)."""
    out = []
    want, got = Counter(expected), Counter(counted)
    for kind in sorted(set(want) | set(got)):
        if want[kind] != got[kind]:
            out.append(f"{names.get(kind, kind)}：应有 {want[kind]} 袋，清点 {got[kind]} 袋")
    return out


def at_time(day: date, t: time) -> datetime:
    return datetime.combine(day, t)
