"""The one window rule (pure dates): before, inside, after, reopened, reopen expired, unset."""

from __future__ import annotations

import datetime as dt

from jiance_core.cycles.windows import Window, cycle_windows, window_state

D = dt.date
CONFIG = {
    "test_days": ["2022-05-25", "2022-05-26"],
    "windows": [
        {"kind": "school_frame", "name": "属地学校信息上报", "reported_by": "county", "start": "2022-03-10",
         "end": "2022-03-25"},
        {"kind": "student_roster", "name": "学生信息上报", "reported_by": "school", "end": "2022-04-27"},
        {"kind": "office_staff", "name": "县级人员", "reported_by": "county", "end": "2022-03-01"},
        {"kind": "office_staff", "name": "学校人员", "reported_by": "school", "end": "2022-04-01"},
        {"kind": "tested_students", "name": "测试生基本信息上报", "reported_by": "school", "end": "2022-06-06"},
    ],
}


def frame() -> list[Window]:
    return cycle_windows(CONFIG, "school_frame", level="county")


def test_before_inside_after_with_inclusive_days() -> None:
    assert window_state("school_frame", frame(), [], D(2022, 3, 9)).state == "before"
    assert window_state("school_frame", frame(), [], D(2022, 3, 10)).state == "open"
    assert window_state("school_frame", frame(), [], D(2022, 3, 25)).open
    after = window_state("school_frame", frame(), [], D(2022, 3, 26))
    assert after.state == "closed" and not after.open and after.current == frame()[0]


def test_reopened_then_expired() -> None:
    reopen = Window("重新开放", D(2022, 3, 28), D(2022, 3, 30), reopen=True, by="南昌市管理员", reason="漏报")
    st = window_state("school_frame", frame(), [reopen], D(2022, 3, 29))
    assert st.state == "reopened" and st.open and st.current == reopen
    assert window_state("school_frame", frame(), [reopen], D(2022, 3, 27)).state == "before"
    assert window_state("school_frame", frame(), [reopen], D(2022, 3, 31)).state == "closed"
    # inside the cycle's own window the cycle's window is the one shown
    assert window_state("school_frame", frame(), [reopen], D(2022, 3, 20)).state == "open"


def test_no_start_opens_with_the_cycle_and_level_filters() -> None:
    roster = cycle_windows(CONFIG, "student_roster", level="school")
    assert window_state("student_roster", roster, [], D(2021, 9, 1)).state == "open"
    assert [w.name for w in cycle_windows(CONFIG, "office_staff", level="school")] == ["学校人员"]


def test_unset_is_not_enforced_except_for_tested_students() -> None:
    st = window_state("teacher_roster", cycle_windows(CONFIG, "teacher_roster"), [], D(2022, 4, 1))
    assert st.state == "unset" and st.open
    assert not window_state("tested_students", [], [], D(2022, 6, 1)).open


def test_tested_students_open_after_the_last_test_day() -> None:
    (w,) = cycle_windows(CONFIG, "tested_students", level="school")
    assert w.start == D(2022, 5, 27)
    assert window_state("tested_students", [w], [], D(2022, 5, 26)).state == "before"
    assert w.label == "测试生基本信息上报（2022年05月27日至2022年06月06日）"
