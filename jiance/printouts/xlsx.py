"""XLSX versions of the lists (检录名册, 监测室学生名单): a sheet per room, every text cell safe
from formula injection."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from jiance.printouts.data import RoomSheet, StudentLine, TestDayData
from jiance.spreadsheets import HEADER_FILL, safe_cell, workbook_bytes


def _book(data: TestDayData, what: str, headers: Sequence[str],
          row: Callable[[StudentLine], Sequence[Any]], widths: Sequence[int]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    rooms: Sequence[RoomSheet] = data.rooms
    if not rooms:
        ws = wb.create_sheet(what[:31])
        ws.append([safe_cell("本校尚无监测室安排。")])
    for room in rooms:
        ws = wb.create_sheet(room.name[:31])
        ws.append([safe_cell(f"{data.cycle_name} {data.school_name} {room.name} {what}")])
        ws["A1"].font = Font(bold=True, size=13)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        ws.append([safe_cell(f"学校代码：{data.school_code}　学段：{data.stage_label}　类型：{room.kind_label}")])
        ws.append([safe_cell(h) for h in headers])
        for cell in ws[3]:
            cell.fill = HEADER_FILL
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center")
        for s in room.students:
            if s.name:
                ws.append([safe_cell(v) for v in row(s)])
        for i, width in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + i)].width = width
        ws.freeze_panes = "A4"
        ws.print_title_rows = "3:3"
    return workbook_bytes(wb)


def checkin_roster_xlsx(data: TestDayData) -> bytes:
    headers = ["座位号", "姓名", "性别", "班级", "学号", "身份证后四位", "学生签名", "检录情况"]
    return _book(
        data, "测试学生检录名册", headers,
        lambda s: [s.seat_label, s.name, s.sex, s.class_name, s.student_no, s.id_last4, "", "缺考" if s.absent else ""],
        [8, 12, 6, 14, 14, 12, 16, 10],
    )


def room_list_xlsx(data: TestDayData) -> bytes:
    subjects = list(data.booklet_subjects)
    headers = ["座位号", "姓名", "性别", "班级", "学号", *(f"{s}题本/答题卡" for s in subjects)]
    return _book(
        data, "监测室学生名单", headers,
        lambda s: [s.seat_label, s.name, s.sex, s.class_name, s.student_no, *s.booklets[: len(subjects)]],
        [8, 12, 6, 14, 14, *([20] * len(subjects))],
    )
