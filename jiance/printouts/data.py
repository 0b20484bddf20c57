"""Plain data the printout renderers take: no Django, no database.

The test-day app (`jiance.testday`) fills these from its seat plan; tests build them by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from jiance.stages import STAGE_NAMES

KIND_NAMES = {"paper": "纸笔", "computer": "计算机"}
# Seed 001: primary boxes are kraft-coloured, secondary boxes white.
BOX_COLOURS = {"primary": "牛皮纸色", "junior": "白色"}

# Seed 003, 附件1 四、测试生守则 (the notice board shows them; a cycle may give its own list).
STUDENT_RULES: tuple[str, ...] = (
    "严格遵守测试纪律，不得冒名顶替。放松心态，如实作答。",
    "在规定位置填写个人信息和答题。不在规定位置作答无效。",
    "如遇测试卷或填答卡字迹模糊，或测试卷与填答卡的题本号不对应等问题时，可先举手，由监测教师解决。",
    "不得提出与测试内容有关的问题。",
    "保持安静，不得喧哗，不得影响其他测试生作答。",
    "测试结束后须停止答卷，并将测试卷、填答卡和草稿纸放在桌子的右上角，按监测教师指令，依次离开测试教室。"
    "不得提前交卷，不得将测试卷、填答卡和草稿纸带出测试教室。",
)


@dataclass(frozen=True)
class StudentLine:
    """One seat of a room list: a student, or an empty seat (name empty)."""

    seat: int
    name: str = ""
    sex: str = ""
    class_name: str = ""
    student_no: str = ""
    masked_id: str = ""
    booklets: tuple[str, ...] = ()
    absent: bool = False

    @property
    def seat_label(self) -> str:
        return f"{self.seat:02d}"

    @property
    def id_last4(self) -> str:
        return self.masked_id[-4:] if self.masked_id else ""


@dataclass(frozen=True)
class RoomSheet:
    number: int
    kind: str = "paper"
    computer_room: str = ""
    seats: int = 42
    """desks to label (seat labels 01..seats)."""
    students: tuple[StudentLine, ...] = ()
    stage_label: str = ""
    """shown when a school tests two stages."""
    desks: tuple[tuple[int, int, int], ...] = ()
    """(seat, row, column) of every desk or PC, for the seat map; row 1 = front, column 1 =
    along the entrance wall. Empty: no map."""
    pattern: str = "vertical"
    """seat numbering: vertical or horizontal S."""

    @property
    def name(self) -> str:
        base = f"第{self.number}监测室"
        return f"{self.stage_label}{base}" if self.stage_label else base

    @property
    def kind_label(self) -> str:
        label = KIND_NAMES.get(self.kind, self.kind)
        return f"{label}：{self.computer_room}" if self.computer_room else label


@dataclass(frozen=True)
class SessionLine:
    number: int
    """1-based position among the cycle's student sessions: the barcode's session part."""
    code: str
    day: dt.date
    name: str
    start: str
    end: str = ""

    @property
    def time_label(self) -> str:
        return f"{self.start}-{self.end}" if self.end else f"{self.start} 起至全部完成"

    @property
    def day_label(self) -> str:
        return f"{self.day.month}月{self.day.day}日"


@dataclass(frozen=True)
class Phone:
    label: str
    number: str


@dataclass(frozen=True)
class TestDayData:
    """Everything one school's test-day printouts show."""

    cycle_code: str
    cycle_name: str
    cycle_year: int
    school_code: str
    school_name: str
    county_name: str = ""
    stage: str = "primary"
    grade: int = 0
    rooms: tuple[RoomSheet, ...] = ()
    sessions: tuple[SessionLine, ...] = ()
    booklet_subjects: tuple[str, ...] = ()
    phones: tuple[Phone, ...] = ()
    rules: tuple[str, ...] = STUDENT_RULES
    box_colours: dict[str, str] = field(default_factory=lambda: dict(BOX_COLOURS))

    @property
    def stage_label(self) -> str:
        return STAGE_NAMES.get(self.stage, self.stage)

    @property
    def test_days(self) -> list[dt.date]:
        return sorted({s.day for s in self.sessions})

    @property
    def box_colour(self) -> str:
        return self.box_colours.get(self.stage, "")

    def sessions_on(self, day: dt.date) -> list[SessionLine]:
        return [s for s in self.sessions if s.day == day]


def barcode_value(*, cycle_year: int, school_code: str, room: int, seat: int, student_no: str, session: int) -> str:
    """What a student's barcode encodes for one session.

    ``year(4) + school code + room(2) + seat(2) + student number + session(2)``: the fixed parts
    first, the session last, so the value stays digits-only (Code 128 set C, half the width)
    whenever the student number is digits, and room + seat keep it unique even where two classes
    reuse a student number.
    """
    return f"{cycle_year:04d}{school_code}{room:02d}{seat:02d}{student_no}{session:02d}"
