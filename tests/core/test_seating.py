from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiance_core.rooms.rooms import ComputerRoom, plan_rooms, seat_students
from jiance_core.rooms.seating import RoomLayout, paper_layout, seat_positions


def test_vertical_s_small_grid() -> None:
    assert RoomLayout(3, 4, "vertical").grid() == [
        [1, 6, 7, 12],
        [2, 5, 8, 11],
        [3, 4, 9, 10],
    ]


def test_horizontal_s_small_grid() -> None:
    assert RoomLayout(3, 4, "horizontal").grid() == [
        [1, 2, 3, 4],
        [8, 7, 6, 5],
        [9, 10, 11, 12],
    ]


def test_paper_room_default_is_vertical_s_6_by_7() -> None:
    layout = paper_layout()
    assert (layout.rows, layout.columns, layout.pattern) == (7, 6, "vertical")
    grid = layout.grid()
    assert grid[0] == [1, 14, 15, 28, 29, 42]
    assert [row[0] for row in grid] == [1, 2, 3, 4, 5, 6, 7]
    assert [row[1] for row in grid] == [14, 13, 12, 11, 10, 9, 8]
    assert layout.position(1) == (1, 1)  # front seat by the entrance wall
    assert layout.position(42) == (1, 6)


def test_computer_front_is_horizontal_s() -> None:
    room = plan_rooms(7, [ComputerRoom("机房", 10, "front", columns=4)], spare_pcs=3).rooms[0]
    assert room.kind == "computer"
    assert room.layout.grid(room.students) == [
        [1, 2, 3, 4],
        [None, 7, 6, 5],
        [None, None, None, None],
    ]


def test_computer_sideways_is_vertical_s() -> None:
    room = plan_rooms(7, [ComputerRoom("机房", 10, "sideways", columns=4)], spare_pcs=3).rooms[0]
    assert room.layout.pattern == "vertical"
    assert room.layout.grid(room.students) == [
        [1, 6, 7, None],
        [2, 5, None, None],
        [3, 4, None, None],
    ]


def test_partial_grid_and_bounds() -> None:
    assert seat_positions(2, 2, "vertical", 3) == ((1, 1), (2, 1), (2, 2))
    with pytest.raises(ValueError):
        seat_positions(2, 2, "vertical", 5)
    with pytest.raises(ValueError):
        RoomLayout(2, 2, "vertical").position(0)
    with pytest.raises(ValueError):
        RoomLayout(0, 2, "vertical")


@given(st.integers(1, 12), st.integers(1, 12), st.sampled_from(["vertical", "horizontal"]))
def test_snake_visits_every_desk_once_with_adjacent_steps(
    rows: int, cols: int, pattern: str
) -> None:
    cells = seat_positions(rows, cols, pattern)  # type: ignore[arg-type]
    assert len(set(cells)) == rows * cols
    assert cells[0] == (1, 1)
    for (r1, c1), (r2, c2) in itertools.pairwise(cells):
        assert abs(r1 - r2) + abs(c1 - c2) == 1  # consecutive seats are neighbours


def test_absent_students_keep_empty_seats_no_substitutes() -> None:
    plan = seat_students(plan_rooms(5), ["a", "b", "c", "d", "e"])
    marked = plan.mark_absent({"b"})
    assert [(s.room, s.seat, s.row, s.column, s.student) for s in marked.seats] == [
        (s.room, s.seat, s.row, s.column, s.student) for s in plan.seats
    ]
    assert marked.seat_of("b").absent and not plan.seat_of("b").absent
    assert marked.empty_seats() == [(1, 2)]
    assert marked.seat_of("c").seat == 3  # nobody moves up
    with pytest.raises(KeyError):
        marked.mark_absent({"z"})  # only seated students can be absent; no one is added
