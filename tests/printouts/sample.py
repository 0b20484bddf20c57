"""Plain test-day data for the renderer tests: no database."""

from __future__ import annotations

import datetime as dt

from jiance.printouts import Phone, RoomSheet, SessionLine, StudentLine, TestDayData

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["子涵", "欣怡", "梓轩", "浩然", "雨桐", "一诺", "思远", "佳琪", "宇航", "诗涵", "欧阳明辉", "晨"]


def student_name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)]


def room(number: int, students: int, *, start: int = 0, kind: str = "paper", absent: set[int] | None = None,
         forms: tuple[int, ...] = (6, 2)) -> RoomSheet:
    lines = []
    for seat in range(1, students + 1):
        i = start + seat - 1
        lines.append(StudentLine(
            seat=seat, name=student_name(i), sex="男" if i % 2 else "女", class_name=f"四年级（{i % 3 + 1}）班",
            student_no=f"2022{i:04d}", masked_id="*" * 14 + f"{1000 + i:04d}",
            booklets=tuple(f"{(seat - 1) % f + 1}" for f in forms), absent=seat in (absent or set()),
        ))
    return RoomSheet(number=number, kind=kind, computer_room="计算机教室一" if kind == "computer" else "",
                     seats=42 if kind == "paper" else students + 3, students=tuple(lines))


SESSIONS = (
    SessionLine(1, "s1-math", dt.date(2020, 10, 29), "数学学科学业质量监测", "09:00", "10:20"),
    SessionLine(2, "s2-math-q", dt.date(2020, 10, 29), "数学相关因素及身心健康问卷调查", "10:50", "11:40"),
    SessionLine(3, "s3-english-q", dt.date(2020, 10, 29), "英语相关因素及身心健康问卷调查", "13:30", "14:20"),
    SessionLine(4, "s4-english", dt.date(2020, 10, 29), "英语学科学业质量监测", "14:50", "16:10"),
)


def data(*rooms: RoomSheet, sessions: tuple[SessionLine, ...] = SESSIONS, **extra: object) -> TestDayData:
    fields: dict[str, object] = dict(
        cycle_code="chongqing-2020", cycle_name="2020 年重庆市义务教育质量监测", cycle_year=2020,
        school_code="5001140001", school_name="黔江区城东街道第一小学", county_name="黔江区", stage="primary",
        grade=5, rooms=rooms or (room(1, 22), room(2, 21, start=22)), sessions=sessions,
        booklet_subjects=("数学", "英语"),
        phones=(Phone("重庆市基础教育质量监测中心", "023-67716391"),
                Phone("黔江区义务教育质量监测实施办公室", "79222354，79237298")),
    )
    fields.update(extra)
    return TestDayData(**fields)  # type: ignore[arg-type]
