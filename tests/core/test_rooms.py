from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiance_core.rooms.rooms import ComputerRoom, plan_rooms, seat_students, split_evenly


@pytest.mark.parametrize(
    ("students", "sizes"),
    [
        (0, []),
        (1, [1]),
        (42, [42]),
        (43, [22, 21]),
        (84, [42, 42]),
        (85, [29, 28, 28]),
        (126, [42, 42, 42]),
        (127, [32, 32, 32, 31]),
        (30, [30]),
        (61, [31, 30]),
    ],
)
def test_split_evenly(students: int, sizes: list[int]) -> None:
    assert split_evenly(students) == sizes


@given(st.integers(0, 2000), st.integers(1, 60))
def test_split_properties(n: int, cap: int) -> None:
    sizes = split_evenly(n, cap)
    assert sum(sizes) == n
    assert len(sizes) == math.ceil(n / cap)
    assert all(s <= cap for s in sizes)
    if sizes:
        assert max(sizes) - min(sizes) <= 1
        assert sizes == sorted(sizes, reverse=True)  # earlier rooms take the extra students


def test_split_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        split_evenly(-1)
    with pytest.raises(ValueError):
        split_evenly(10, 0)


def test_paper_only_plan() -> None:
    plan = plan_rooms(85)
    assert [r.students for r in plan.rooms] == [29, 28, 28]
    assert [r.kind for r in plan.rooms] == ["paper"] * 3
    assert [r.name for r in plan.rooms] == ["第1监测室", "第2监测室", "第3监测室"]
    assert plan.rooms[0].layout.rows == 7 and plan.rooms[0].layout.columns == 6
    assert plan.reasons == ()
    assert plan_rooms(0).rooms == ()


def test_computer_room_filled_first() -> None:
    plan = plan_rooms(60, [ComputerRoom("机房一", 40)], spare_pcs=3)
    assert [(r.kind, r.students) for r in plan.rooms] == [("computer", 30), ("paper", 30)]
    assert plan.rooms[0].computer_room is not None
    assert plan.rooms[0].computer_room.name == "机房一"
    assert any("纸笔" in r for r in plan.reasons)


def test_spares_respected_exactly() -> None:
    # 30 students + 3 spares = 33 PCs needed.
    assert plan_rooms(30, [ComputerRoom("A", 33)], spare_pcs=3).rooms[0].kind == "computer"
    small = plan_rooms(30, [ComputerRoom("A", 32)], spare_pcs=3)
    assert small.rooms[0].kind == "paper"
    assert "只有 32 台" in small.reasons[0] and "共需 33 台" in small.reasons[0]
    # 2022 online questionnaire room: at least 2 spares.
    assert plan_rooms(30, [ComputerRoom("A", 32)], spare_pcs=2).rooms[0].kind == "computer"


def test_too_small_lab_skipped_for_next_lab_in_reported_order() -> None:
    labs = [ComputerRoom("小机房", 20), ComputerRoom("大机房", 50), ComputerRoom("中机房", 45)]
    plan = plan_rooms(84, labs, spare_pcs=3)
    assert [(r.kind, r.computer_room.name if r.computer_room else None) for r in plan.rooms] == [
        ("computer", "大机房"),
        ("computer", "中机房"),
    ]
    assert len(plan.reasons) == 1 and "小机房" in plan.reasons[0]


def test_all_labs_too_small_gives_paper_rooms_with_reasons() -> None:
    plan = plan_rooms(42, [ComputerRoom("机房", 40)], spare_pcs=3)
    assert plan.computer_rooms == 0 and plan.paper_rooms == 1
    text = plan.explain()
    assert "机房" in text and "不足" in text and "纸笔" in text


def test_unused_lab_reported() -> None:
    plan = plan_rooms(20, [ComputerRoom("A", 30), ComputerRoom("B", 30)], spare_pcs=3)
    assert plan.computer_rooms == 1
    assert any("“B”未使用" in r for r in plan.reasons)


def test_room_count_never_grows_with_labs() -> None:
    for n in (1, 30, 43, 85, 127):
        labs = [ComputerRoom(f"L{i}", p) for i, p in enumerate((10, 25, 50, 35))]
        assert [r.students for r in plan_rooms(n, labs).rooms] == split_evenly(n)


def test_seat_students_in_order() -> None:
    plan = plan_rooms(43)
    names = [f"s{i}" for i in range(43)]
    seats = seat_students(plan, names)
    first, second = seats.seats[0], seats.seats[22]
    assert (first.room, first.seat, first.row, first.column) == (1, 1, 1, 1)
    assert (second.room, second.seat, second.row, second.column) == (2, 1, 1, 1)
    assert (seats.seat_of("s7").row, seats.seat_of("s7").column) == (7, 2)  # seat 08 turns
    assert seats.seat_of("s7").seat == 8
    with pytest.raises(ValueError):
        seat_students(plan, names[:-1])


def test_computer_layout_from_reported_columns() -> None:
    lab = ComputerRoom("机房", 33, "front", columns=8)
    layout = lab.layout()
    assert (layout.rows, layout.columns, layout.pattern) == (5, 8, "horizontal")
    assert ComputerRoom("机房", 33, "sideways", columns=8).layout().pattern == "vertical"
    with pytest.raises(ValueError):
        ComputerRoom("机房", 33, "upside-down")  # type: ignore[arg-type]


def test_cycle_room_settings() -> None:
    from pathlib import Path

    from jiance_core.cycles.loader import load_template
    from jiance_core.rooms.rooms import cycle_room_settings

    templates = Path(__file__).resolve().parents[2] / "jiance" / "cycles" / "templates_data"
    assert cycle_room_settings(load_template(templates / "chongqing-2020.yaml")) == (42, 3)
    assert cycle_room_settings(load_template(templates / "national-2022.yaml")) == (42, 2)
    assert cycle_room_settings(load_template(templates / "national-2024.yaml")) == (42, 3)
