"""The PDF renderers on plain data: valid PDFs, Chinese text present, one label per seat and
one barcode per student per session."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest

from jiance import printouts
from jiance.printouts import SessionLine, barcode_value
from tests.printouts.pdftools import is_pdf, pages, squash, text
from tests.printouts.sample import SESSIONS, data, room, student_name


def test_font_is_embedded_truetype_cjk() -> None:
    content = printouts.checkin_roster_pdf(data())
    assert b"/FontFile2" in content  # an embedded TrueType subset, not a viewer-supplied font


def test_checkin_roster_names_seats_and_id_last_four_per_room() -> None:
    d = data(room(1, 22, absent={3}), room(2, 21, start=22))
    content = printouts.checkin_roster_pdf(d)
    assert is_pdf(content)
    assert pages(content) == 2  # a page per room
    first, second = squash(text(content, page=1)), squash(text(content, page=2))
    assert "第1监测室测试学生检录名册" in first and "第2监测室" in second
    for i in range(22):
        assert student_name(i) in first
    assert student_name(22) in second and student_name(22) not in first
    assert "身份证后四位" in first and "1021" in first  # student 21's masked ID ends 1021
    assert "*" not in first  # only the last four digits are printed
    assert "缺考" in first and "缺考" not in second
    assert "学生签名" in first


def test_room_list_shows_booklet_forms() -> None:
    content = printouts.room_list_pdf(data(room(1, 8)))
    assert is_pdf(content) and pages(content) == 1
    lines = [squash(line) for line in text(content).splitlines() if student_name(7) in squash(line)]
    # seat 08: 数学 form (8-1)%6+1 = 2, 英语 form (8-1)%2+1 = 2
    assert lines and lines[0].startswith("08") and lines[0].endswith("22")
    header = squash(text(content))
    assert header.count("题本/答题卡") == 2 and "数学" in header and "英语" in header


def test_seat_labels_01_to_42_per_paper_room() -> None:
    d = data(room(1, 22), room(2, 21, start=22))
    content = printouts.seat_labels_pdf(d)
    assert is_pdf(content)
    assert pages(content) == 11  # 84 labels, 8 per sheet
    body = text(content, raw=True)
    numbers = re.findall(r"^\s*(\d\d)\s*$", body, re.M)
    assert numbers == [f"{n:02d}" for n in range(1, 43)] * 2
    assert squash(body).count("黔江区城东街道第一小学") == 84
    assert squash(body).count("学生姓名：") == 84


def test_computer_room_labels_cover_its_pcs() -> None:
    content = printouts.seat_labels_pdf(data(room(1, 10, kind="computer")))
    numbers = re.findall(r"^\s*(\d\d)\s*$", text(content, raw=True), re.M)
    assert numbers == [f"{n:02d}" for n in range(1, 14)]  # 10 students + 3 spare PCs


def test_barcodes_one_per_student_per_session_with_readable_value() -> None:
    d = data(room(1, 22, absent={3}), room(2, 21, start=22))
    content = printouts.barcode_sheets_pdf(d)
    assert is_pdf(content)
    assert pages(content) == 2 * len(SESSIONS)  # a sheet per room and session
    body = text(content, raw=True)
    values = re.findall(r"\b(\d{24,})\b", body)
    expected = [
        barcode_value(cycle_year=2020, school_code="5001140001", room=r.number, seat=s.seat, student_no=s.student_no,
                      session=session.number)
        for r in d.rooms for session in SESSIONS for s in r.students
    ]
    assert values == expected
    assert len(set(values)) == 43 * 4
    # the barcode of page 1 is for room 1, session 1, and each label names its student
    page1 = squash(text(content, page=1))
    assert "第1监测室学生条形码场次1数学学科学业质量监测" in page1
    assert f"01{student_name(0)}{d.rooms[0].students[0].student_no}" in page1


def test_barcode_value_layout() -> None:
    value = barcode_value(cycle_year=2022, school_code="3601210001", room=2, seat=7, student_no="20220015", session=3)
    assert value == "2022" + "3601210001" + "02" + "07" + "20220015" + "03"


def test_barcode_sheet_splits_above_42_labels() -> None:
    d = data(room(1, 50), sessions=SESSIONS[:1])
    content = printouts.barcode_sheets_pdf(d)
    assert pages(content) == 2
    assert len(re.findall(r"\b\d{24,}\b", text(content))) == 50


def test_notice_board_has_times_rules_phones_and_students_only_when_asked() -> None:
    d = data(room(1, 22), room(2, 21, start=22))
    hidden = printouts.notice_board_pdf(d, with_students=False)
    shown = printouts.notice_board_pdf(d, with_students=True)
    assert is_pdf(hidden) and is_pdf(shown)
    for content in (hidden, shown):
        body = squash(text(content))
        assert "2020年重庆市义务教育质量监测黔江区城东街道第一小学公示栏" in body  # no doubled county name
        for s in SESSIONS:
            assert f"{s.day_label}{s.number}" in body and s.start + "-" + s.end in body
        for i, rule in enumerate(d.rules, start=1):
            assert f"{i}.{squash(rule)}" in body
        assert len(d.rules) == 6
        assert "023-67716391" in body and "79222354，79237298" in body
    assert student_name(0) not in squash(text(hidden)) and "学生检录后张贴" in squash(text(hidden))
    body = squash(text(shown))
    assert all(student_name(i) in body for i in range(43))
    assert "第2监测室（21人）" in body


def test_notice_board_until_done_session() -> None:
    s = SessionLine(1, "q", dt.date(2022, 5, 26), "校长与教师网络问卷", "09:00")
    body = squash(text(printouts.notice_board_pdf(data(sessions=(s,)), with_students=False)))
    assert "09:00起至全部完成" in body


def test_box_labels_per_room_and_day_with_colour_by_stage() -> None:
    days = (
        SessionLine(1, "a", dt.date(2022, 5, 25), "学生语文测试", "09:00", "10:20"),
        SessionLine(2, "b", dt.date(2022, 5, 26), "学生艺术测试", "08:30", "09:50"),
    )
    primary = printouts.box_labels_pdf(data(room(1, 22), room(2, 21, start=22), sessions=days))
    assert pages(primary) == 2  # 4 labels, 2 per sheet
    body = squash(text(primary))
    assert body.count("2022年5月25日") == 2 and body.count("2022年5月26日") == 2
    assert body.count("牛皮纸色箱体") == 4 and "白色箱体" not in body
    assert "第2监测室" in body and "学生艺术测试" in body
    junior = squash(text(printouts.box_labels_pdf(data(room(1, 5), sessions=days, stage="junior"))))
    assert junior.count("白色箱体") == 2 and "初中监测工具箱" in junior


def test_empty_plan_renders_a_message() -> None:
    d = data(rooms=())
    for render in (printouts.checkin_roster_pdf, printouts.room_list_pdf, printouts.seat_labels_pdf,
                   printouts.barcode_sheets_pdf, printouts.box_labels_pdf):
        content = render(d)
        assert is_pdf(content) and "尚无监测室安排" in squash(text(content))


@pytest.mark.parametrize("student_no", ["20220015", "A-17", "123"])
def test_barcodes_decode_to_their_values(student_no: str) -> None:
    """Render the first sheet at 400 dpi and decode every code along a row through its bars
    (digits only: set C; letters or an odd digit count: sets B and C mixed)."""
    import subprocess
    import tempfile
    from pathlib import Path

    from PIL import Image
    from reportlab.lib.units import mm

    from jiance.printouts.pdf import BARCODE_COLS, BARCODE_ROWS, MARGIN, PAGE_H, PAGE_W
    from tests.printouts.code128 import decode

    base = room(1, 22)
    students = tuple(replace(s, student_no=f"{student_no}{s.seat}" if s.seat % 2 else student_no + "0")
                     for s in base.students)
    d = data(replace(base, students=students), sessions=SESSIONS[:1])
    dpi = 400
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "b.pdf"
        pdf.write_bytes(printouts.barcode_sheets_pdf(d))
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-gray", str(pdf), str(Path(tmp) / "p")], check=True)
        image = Image.open(next(Path(tmp).glob("p*.png"))).convert("L")
    scale = dpi / 72
    top = PAGE_H - MARGIN - 8 * mm
    w = (PAGE_W - 2 * MARGIN) / BARCODE_COLS
    h = (top - MARGIN) / BARCODE_ROWS
    decoded = []
    for i, _student in enumerate(d.rooms[0].students):
        col, row = i % BARCODE_COLS, i // BARCODE_COLS
        x, y = MARGIN + col * w, top - (row + 1) * h
        py = round((PAGE_H - (y + 8.5 * mm)) * scale)  # through the middle of the bars
        left, right = round((x + 2 * mm) * scale), round((x + w - 2 * mm) * scale)
        pixels = [image.getpixel((px, py)) < 128 for px in range(left, right)]
        decoded.append(decode(pixels))
    expected = [barcode_value(cycle_year=2020, school_code="5001140001", room=1, seat=s.seat, student_no=s.student_no,
                              session=1) for s in d.rooms[0].students]
    assert decoded == expected


def test_room_list_seat_map_follows_the_desks() -> None:
    from jiance_core.rooms import paper_layout

    desks = tuple((i, r, c) for i, (r, c) in enumerate(paper_layout(42).positions(), start=1))
    content = printouts.room_list_pdf(data(replace(room(1, 10, absent={2}), desks=desks)))
    assert pages(content) == 2
    page = text(content, page=2)
    assert "座位图" in squash(page) and "讲台" in squash(page)
    first_row = next(line for line in page.splitlines() if re.match(r"\s*01\s", line))
    # row 1 (front): seats 01, 14, 15, 28, 29, 42 across the columns (vertical S)
    assert re.findall(r"\d\d", first_row) == ["01", "14", "15", "28", "29", "42"]
    assert f"{student_name(1)}" in squash(page) and "（缺考）" in squash(page)
