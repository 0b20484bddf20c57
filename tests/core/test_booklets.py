from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiance_core.cycles.loader import load_template
from jiance_core.rooms.booklets import SubjectForms, booklet_form, deal, subjects_with_forms
from jiance_core.rooms.rooms import plan_rooms, seat_students

TEMPLATES = Path(__file__).resolve().parents[2] / "jiance" / "cycles" / "templates_data"


def test_cyclic_by_seat() -> None:
    assert [booklet_form(s, 6) for s in range(1, 14)] == [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 1]
    assert [booklet_form(s, 2) for s in range(1, 6)] == [1, 2, 1, 2, 1]
    assert [booklet_form(s, 6, offset=2) for s in range(1, 5)] == [3, 4, 5, 6]
    with pytest.raises(ValueError):
        booklet_form(0, 6)
    with pytest.raises(ValueError):
        booklet_form(1, 0)


def test_pairing_booklet_with_same_card() -> None:
    (forms,) = deal([3], [SubjectForms("chinese", "语文", 6)])
    assert forms["chinese"].label == "语文-3 / 答题卡-3"
    (one,) = deal([9], [SubjectForms("q", "问卷", 1, paired=False)])
    assert one["q"].label == "问卷-1" and one["q"].answer_card is None
    for seat in range(1, 43):
        f = deal([seat], [SubjectForms("chinese", "语文", 6)])[0]["chinese"]
        assert f.booklet.split("-")[1] == f.answer_card.split("-")[1]  # type: ignore[union-attr]


def test_rotation_restarts_in_each_room() -> None:
    seats = seat_students(plan_rooms(43), [f"s{i}" for i in range(43)])
    subject = SubjectForms("english", "英语", 6)
    by_room: dict[int, list[int]] = {}
    for s in seats.seats:
        by_room.setdefault(s.room, []).append(deal([s.seat], [subject])[0]["english"].form)
    assert by_room[1][:7] == [1, 2, 3, 4, 5, 6, 1]
    assert by_room[2][:7] == [1, 2, 3, 4, 5, 6, 1]  # seat 01 of room 2 takes form 1 again
    assert by_room[1][21] == 4  # seat 22 -> (22-1) % 6 + 1


def test_forms_from_2022_template() -> None:
    template = load_template(TEMPLATES / "national-2022.yaml")
    g4 = {s.name: s.forms for s in subjects_with_forms(template, 4)}
    g8 = {s.name: s.forms for s in subjects_with_forms(template, 8)}
    assert g4 == {"语文": 6, "艺术": 2, "英语": 2}  # 心理健康 has no booklet: skipped
    assert g8 == {"语文": 6, "艺术": 2, "英语": 6}
    assert subjects_with_forms(template, 5) == []


@given(st.integers(1, 300), st.integers(1, 8), st.integers(0, 20))
def test_rotation_properties(students: int, forms: int, offset: int) -> None:
    seats = seat_students(plan_rooms(students), [f"s{i}" for i in range(students)])
    subject = SubjectForms("x", "科目", forms)
    by_room: dict[int, list[int]] = {}
    for s in seats.seats:
        by_room.setdefault(s.room, []).append(deal([s.seat], [subject], offset)[0]["x"].form)
    for dealt in by_room.values():
        assert dealt == [(k + offset) % forms + 1 for k in range(len(dealt))]
        counts = [dealt.count(f) for f in range(1, forms + 1)]
        assert max(counts) - min(counts) <= 1  # forms evenly spread within a room
        if forms > 1:
            assert all(a != b for a, b in itertools.pairwise(dealt))  # neighbours differ
