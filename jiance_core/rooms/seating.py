"""Seat numbering inside one test room (监测室座位编排) [003].

A room is a grid of ``rows`` x ``columns`` desks (or PCs). Coordinates are 1-based and seen from
the front (讲台) of the room:

* ``row`` 1 is the row nearest the front, ``row`` = rows the back row;
* ``column`` 1 is the column along the entrance wall (教室入口一侧的墙), ``column`` = columns the
  far side.

Seat 01 is therefore always ``(1, 1)``: "教室入口靠墙前排座位号为该考场的01号". From there the numbers
run as a snake (S形):

* ``vertical`` S (竖向S型) — column-wise serpentine: down the first column from the front to the
  back, up the second column from the back to the front, down the third, ... Paper rooms always;
  computer rooms where the students sit sideways to the front (侧面对着讲台).
* ``horizontal`` S (横向S型) — row-wise serpentine: along the front row away from the entrance
  wall, back along the second row, ... Computer rooms where every student faces the front.

Example, 3 rows x 4 columns::

    vertical S          horizontal S
    01 06 07 12         01 02 03 04
    02 05 08 11         08 07 06 05
    03 04 09 10         09 10 11 12

The printout draws the room map from :func:`seat_positions`. A seat plan is fixed once it is
made: marking a student absent leaves the seat empty and never moves or replaces anyone
("缺测学生座位留空"; "测试生缺席不得再由其他学生替补").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

__all__ = [
    "PAPER_COLUMNS",
    "PAPER_ROWS",
    "Pattern",
    "RoomLayout",
    "SeatPlan",
    "SeatedStudent",
    "paper_layout",
    "seat_positions",
]

Pattern = Literal["vertical", "horizontal"]
PATTERN_NAMES: dict[str, str] = {"vertical": "竖向S型", "horizontal": "横向S型"}

#: default paper room: 6 columns x 7 rows = 42 single desks.
PAPER_COLUMNS = 6
PAPER_ROWS = 7


@lru_cache(maxsize=256)
def _serpentine(rows: int, columns: int, pattern: Pattern) -> tuple[tuple[int, int], ...]:
    cells: list[tuple[int, int]] = []
    if pattern == "vertical":
        for c in range(1, columns + 1):
            down = range(1, rows + 1) if c % 2 == 1 else range(rows, 0, -1)
            cells.extend((r, c) for r in down)
    else:
        for r in range(1, rows + 1):
            across = range(1, columns + 1) if r % 2 == 1 else range(columns, 0, -1)
            cells.extend((r, c) for c in across)
    return tuple(cells)


def seat_positions(
    rows: int, columns: int, pattern: Pattern, count: int | None = None
) -> tuple[tuple[int, int], ...]:
    """``(row, column)`` of seats 1..count (default: every desk of the grid), in seat order."""
    if rows <= 0 or columns <= 0:
        raise ValueError("行数和列数必须为正整数")
    if pattern not in PATTERN_NAMES:
        raise ValueError(f"未知的排列方式：{pattern}")
    cells = _serpentine(rows, columns, pattern)
    if count is None:
        return cells
    if not 0 <= count <= len(cells):
        raise ValueError(f"座位数 {count} 超出 {rows} 行 x {columns} 列")
    return cells[:count]


@dataclass(frozen=True, slots=True)
class RoomLayout:
    """The desk grid of one room and how its seats are numbered."""

    rows: int
    columns: int
    pattern: Pattern

    def __post_init__(self) -> None:
        if self.rows <= 0 or self.columns <= 0:
            raise ValueError("行数和列数必须为正整数")

    @property
    def desks(self) -> int:
        return self.rows * self.columns

    def position(self, seat: int) -> tuple[int, int]:
        """``(row, column)`` of seat number ``seat`` (1-based)."""
        cells = _serpentine(self.rows, self.columns, self.pattern)
        if not 1 <= seat <= len(cells):
            raise ValueError(f"座位号 {seat} 超出本室 {len(cells)} 个座位")
        return cells[seat - 1]

    def positions(self, count: int | None = None) -> tuple[tuple[int, int], ...]:
        return seat_positions(self.rows, self.columns, self.pattern, count)

    def grid(self, count: int | None = None) -> list[list[int | None]]:
        """The room map: ``grid[row-1][column-1]`` is the seat number there (None = no seat)."""
        out: list[list[int | None]] = [[None] * self.columns for _ in range(self.rows)]
        for seat, (r, c) in enumerate(self.positions(count), start=1):
            out[r - 1][c - 1] = seat
        return out

    def describe(self) -> str:
        return f"{self.rows}行 x {self.columns}列，{PATTERN_NAMES[self.pattern]}"


def paper_layout(capacity: int = 42, columns: int = PAPER_COLUMNS) -> RoomLayout:
    """A paper room: ``columns`` columns (default 6) and enough rows for ``capacity`` desks."""
    if capacity <= 0:
        raise ValueError("监测室容量必须为正整数")
    columns = max(1, min(columns, capacity))
    return RoomLayout(rows=math.ceil(capacity / columns), columns=columns, pattern="vertical")


@dataclass(frozen=True, slots=True)
class SeatedStudent:
    """One seat of a seat plan. ``student`` is whatever the caller seats (an index, an id)."""

    room: int
    seat: int
    row: int
    column: int
    student: str
    absent: bool = False

    @property
    def seat_label(self) -> str:
        return f"{self.seat:02d}"


@dataclass(frozen=True)
class SeatPlan:
    """The seats of one school, fixed once made.

    :meth:`mark_absent` returns a new plan with the same seats and flags; nobody moves and no one
    is put in an absent student's seat.
    """

    seats: tuple[SeatedStudent, ...]
    _by_student: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self._by_student:
            index = {s.student: i for i, s in enumerate(self.seats)}
            if len(index) != len(self.seats):
                raise ValueError("同一学生不能占两个座位")
            object.__setattr__(self, "_by_student", index)

    def seat_of(self, student: str) -> SeatedStudent:
        return self.seats[self._by_student[student]]

    def mark_absent(self, students: set[str] | frozenset[str] | list[str]) -> SeatPlan:
        wanted = set(students)
        unknown = wanted - self._by_student.keys()
        if unknown:
            raise KeyError(f"不在座位表中的学生：{'、'.join(sorted(unknown))}")
        seats = tuple(replace(s, absent=True) if s.student in wanted else s for s in self.seats)
        return SeatPlan(seats, dict(self._by_student))

    def empty_seats(self) -> list[tuple[int, int]]:
        """``(room, seat)`` left empty by absent students."""
        return [(s.room, s.seat) for s in self.seats if s.absent]
