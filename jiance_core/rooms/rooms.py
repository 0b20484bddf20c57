"""Test rooms of one sample school (监测室安排) [003, 001].

Rules (SPEC §5):

* **Paper rooms** (纸笔监测教室) have at most ``capacity`` single desks (42; from the cycle's
  ``sample_size.room_capacity``). A school with n sampled students gets k = ceil(n / capacity)
  test rooms (监测室) whose sizes are as even as possible, earlier rooms taking the extra students:
  ≤ 42 → one room; 43-84 → two rooms split evenly, room 1 takes the odd student
  ("两间监测室人数平分，若为单数，则第一间教室多一个考号"); 85 → 29/28/28; 127 → 32/32/32/31.
* **Computer rooms** (计算机监测教室) are the school's networked computer labs as it reports them
  (name, PCs, orientation of the students: ``front`` facing the front, ``sideways``). A lab can
  hold one test room when ``pcs >= students in the room + spare PCs`` (Chongqing: 3 spares,
  "另有3台备用计算机"; 2022 secondary online questionnaires: at least 2).
* Computer rooms are filled first: test rooms 1, 2, ... take, in the order the school reported
  them, the first unused lab big enough for them. When labs run out or are too small, the
  remaining test rooms are paper rooms ("若专用机房数不足，则剩余监测室采用纸笔测试的方式").
  Using labs never changes the number or the sizes of the test rooms, so the staffing that is
  counted per room stays what the even split gives.

Every decision about a lab is explained in Chinese in :attr:`RoomPlan.reasons`.

Test rooms are numbered across the school in the order of the split: 第1监测室, 第2监测室, ...; since
labs are offered to room 1 first, computer rooms normally come first (a lab too small for room 1
may still fit a room with one student fewer further on).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from jiance_core.rooms.seating import (
    PAPER_COLUMNS,
    RoomLayout,
    SeatedStudent,
    SeatPlan,
    paper_layout,
)

if TYPE_CHECKING:
    from jiance_core.cycles.schema import CycleTemplate

__all__ = [
    "DEFAULT_CAPACITY",
    "DEFAULT_SPARE_PCS",
    "ComputerRoom",
    "Orientation",
    "Room",
    "RoomKind",
    "RoomPlan",
    "cycle_room_settings",
    "plan_rooms",
    "seat_students",
    "split_evenly",
]

RoomKind = Literal["paper", "computer"]
Orientation = Literal["front", "sideways"]
ORIENTATION_NAMES: dict[str, str] = {"front": "面朝讲台", "sideways": "侧对讲台"}
KIND_NAMES: dict[str, str] = {"paper": "纸笔", "computer": "计算机"}

DEFAULT_CAPACITY = 42
DEFAULT_SPARE_PCS = 3
COMPUTER_COLUMNS = 6
"""columns of a computer room's grid when the school does not report them."""


def cycle_room_settings(template: CycleTemplate) -> tuple[int, int]:
    """``(capacity, spare_pcs)`` of a cycle: ``sample_size.room_capacity`` (default 42) and
    ``computer_spare_pcs`` (Chongqing 3), else ``questionnaire_room_spare_pcs_min`` (2022: 2),
    else 3."""
    ss = template.sample_size
    capacity = ss.room_capacity or DEFAULT_CAPACITY
    if ss.computer_spare_pcs is not None:
        return capacity, ss.computer_spare_pcs
    if ss.questionnaire_room_spare_pcs_min is not None:
        return capacity, ss.questionnaire_room_spare_pcs_min
    return capacity, DEFAULT_SPARE_PCS


def split_evenly(students: int, capacity: int = DEFAULT_CAPACITY) -> list[int]:
    """Sizes of the k = ceil(students / capacity) rooms; earlier rooms take the extra students.

    ``split_evenly(85) == [29, 28, 28]``; ``split_evenly(0) == []``.
    """
    if students < 0:
        raise ValueError("学生数不能为负")
    if capacity <= 0:
        raise ValueError("监测室容量必须为正整数")
    if students == 0:
        return []
    k = math.ceil(students / capacity)
    base, extra = divmod(students, k)
    return [base + 1 if i < extra else base for i in range(k)]


@dataclass(frozen=True, slots=True)
class ComputerRoom:
    """A networked computer lab as the school reports it."""

    name: str
    pcs: int
    orientation: Orientation = "front"
    columns: int | None = None
    """PCs per row as seen from the front; default :data:`COMPUTER_COLUMNS`."""

    def __post_init__(self) -> None:
        if self.pcs < 0:
            raise ValueError("计算机台数不能为负")
        if self.orientation not in ORIENTATION_NAMES:
            raise ValueError(f"未知的朝向：{self.orientation}（应为 front 或 sideways）")
        if self.columns is not None and self.columns <= 0:
            raise ValueError("列数必须为正整数")

    def usable(self, spare_pcs: int) -> int:
        """Students it can take with ``spare_pcs`` PCs kept free."""
        return max(0, self.pcs - spare_pcs)

    def layout(self) -> RoomLayout:
        """One cell per PC; horizontal S facing the front, vertical S sitting sideways."""
        pcs = max(self.pcs, 1)
        columns = min(self.columns or COMPUTER_COLUMNS, pcs)
        return RoomLayout(
            rows=math.ceil(pcs / columns),
            columns=columns,
            pattern="horizontal" if self.orientation == "front" else "vertical",
        )


@dataclass(frozen=True, slots=True)
class Room:
    """One test room (监测室) of a school."""

    number: int
    kind: RoomKind
    students: int
    layout: RoomLayout
    computer_room: ComputerRoom | None = None
    spare_pcs: int = 0

    @property
    def name(self) -> str:
        return f"第{self.number}监测室"

    def positions(self) -> tuple[tuple[int, int], ...]:
        """``(row, column)`` of seats 1..students."""
        return self.layout.positions(self.students)

    def describe(self) -> str:
        if self.kind == "computer" and self.computer_room is not None:
            lab = self.computer_room
            return (
                f"{self.name}（计算机，{lab.name}，{lab.pcs} 台，{ORIENTATION_NAMES[lab.orientation]}，"
                f"{self.layout.describe()}）：{self.students} 人，备用 {lab.pcs - self.students} 台"
            )
        return f"{self.name}（纸笔，{self.layout.describe()}）：{self.students} 人"


@dataclass(frozen=True, slots=True)
class RoomPlan:
    students: int
    rooms: tuple[Room, ...]
    reasons: tuple[str, ...]
    capacity: int
    spare_pcs: int

    @property
    def paper_rooms(self) -> int:
        return sum(1 for r in self.rooms if r.kind == "paper")

    @property
    def computer_rooms(self) -> int:
        return sum(1 for r in self.rooms if r.kind == "computer")

    def assignments(self) -> Iterator[tuple[Room, int, int, int]]:
        """``(room, seat, row, column)`` for students 0..n-1 in order."""
        for room in self.rooms:
            for seat, (row, column) in enumerate(room.positions(), start=1):
                yield room, seat, row, column

    def explain(self) -> str:
        head = (
            f"共 {self.students} 名学生，{len(self.rooms)} 间监测室"
            f"（计算机 {self.computer_rooms} 间，纸笔 {self.paper_rooms} 间）"
        )
        return "\n".join([head, *(r.describe() for r in self.rooms), *self.reasons])


def plan_rooms(
    students: int,
    computer_rooms: Sequence[ComputerRoom] = (),
    *,
    capacity: int = DEFAULT_CAPACITY,
    spare_pcs: int = DEFAULT_SPARE_PCS,
    paper_columns: int = PAPER_COLUMNS,
) -> RoomPlan:
    """Split ``students`` into test rooms and put as many of them as possible in computer labs."""
    if spare_pcs < 0:
        raise ValueError("备用计算机数不能为负")
    sizes = split_evenly(students, capacity)
    paper = paper_layout(capacity, paper_columns)
    reasons: list[str] = []
    labs = list(computer_rooms)
    used = [False] * len(labs)
    too_small: dict[int, int] = {}  # lab index -> largest room it was too small for
    rooms: list[Room] = []
    for number, size in enumerate(sizes, start=1):
        chosen = None
        for i, lab in enumerate(labs):
            if used[i]:
                continue
            if lab.pcs >= size + spare_pcs:
                chosen = i
                break
            too_small[i] = max(too_small.get(i, 0), size)
        if chosen is None:
            rooms.append(Room(number, "paper", size, paper))
            continue
        used[chosen] = True
        lab = labs[chosen]
        rooms.append(Room(number, "computer", size, lab.layout(), lab, spare_pcs))
    for i, lab in enumerate(labs):
        if used[i]:
            continue
        if i in too_small:
            need = too_small[i] + spare_pcs
            reasons.append(
                f"计算机教室“{lab.name}”只有 {lab.pcs} 台联网计算机，一间监测室 {too_small[i]} 名学生"
                f"另加 {spare_pcs} 台备用共需 {need} 台，不足，未用作计算机监测教室"
            )
        elif sizes:
            reasons.append(f"计算机教室“{lab.name}”未使用：监测室已全部安排")
    paper_count = sum(1 for r in rooms if r.kind == "paper")
    if labs and paper_count:
        reasons.append(
            f"计算机教室不足，{paper_count} 间监测室"
            f"（{sum(r.students for r in rooms if r.kind == 'paper')} 名学生）采用纸笔测试"
        )
    return RoomPlan(students, tuple(rooms), tuple(reasons), capacity, spare_pcs)


def seat_students(plan: RoomPlan, students: Sequence[str]) -> SeatPlan:
    """Seat ``students`` (in list order) room by room, seat 01 upwards; returns a fixed plan."""
    if len(students) != plan.students:
        raise ValueError(f"学生数 {len(students)} 与监测室安排的 {plan.students} 人不一致")
    seats = tuple(
        SeatedStudent(room.number, seat, row, column, student)
        for (room, seat, row, column), student in zip(plan.assignments(), students, strict=True)
    )
    return SeatPlan(seats)
