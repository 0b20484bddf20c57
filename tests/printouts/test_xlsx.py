from __future__ import annotations

import io

from openpyxl import load_workbook

from jiance import printouts
from jiance.printouts import RoomSheet, StudentLine
from tests.printouts.sample import data, room, student_name


def test_checkin_roster_xlsx_sheet_per_room() -> None:
    wb = load_workbook(io.BytesIO(printouts.checkin_roster_xlsx(data(room(1, 22), room(2, 21, start=22)))))
    assert wb.sheetnames == ["第1监测室", "第2监测室"]
    ws = wb["第1监测室"]
    assert [c.value for c in ws[3]] == ["座位号", "姓名", "性别", "班级", "学号", "身份证后四位", "学生签名", "检录情况"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 22 and rows[0][:2] == ("01", student_name(0)) and rows[21][5] == "1021"


def test_room_list_xlsx_booklets_and_formula_injection() -> None:
    evil = StudentLine(seat=1, name="=HYPERLINK(\"http://x\")", sex="男", class_name="+1", student_no="-2",
                       booklets=("1", "1"))
    d = data(RoomSheet(number=1, students=(evil,)), room(2, 3))
    wb = load_workbook(io.BytesIO(printouts.room_list_xlsx(d)))
    row = [c.value for c in wb["第1监测室"][4]]
    assert row[:5] == ["01", "'=HYPERLINK(\"http://x\")", "男", "'+1", "'-2"]
    assert [c.value for c in wb["第2监测室"][3]][-2:] == ["数学题本/答题卡", "英语题本/答题卡"]
    assert [c.value for c in wb["第2监测室"][6]][-2:] == ["3", "1"]
