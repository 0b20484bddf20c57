"""Test-day printouts: plain renderers (reportlab PDF, openpyxl XLSX) of plain dataclasses.

No database: `jiance.testday` builds a `TestDayData` from its seat plan and calls these.
"""

from __future__ import annotations

from jiance.printouts.data import (
    BOX_COLOURS,
    STUDENT_RULES,
    Phone,
    RoomSheet,
    SessionLine,
    StudentLine,
    TestDayData,
    barcode_value,
)
from jiance.printouts.pdf import (
    barcode_sheets_pdf,
    box_labels_pdf,
    checkin_roster_pdf,
    notice_board_pdf,
    room_list_pdf,
    seat_labels_pdf,
)
from jiance.printouts.xlsx import checkin_roster_xlsx, room_list_xlsx

__all__ = [
    "BOX_COLOURS",
    "STUDENT_RULES",
    "Phone",
    "RoomSheet",
    "SessionLine",
    "StudentLine",
    "TestDayData",
    "barcode_sheets_pdf",
    "barcode_value",
    "box_labels_pdf",
    "checkin_roster_pdf",
    "checkin_roster_xlsx",
    "notice_board_pdf",
    "room_list_pdf",
    "room_list_xlsx",
    "seat_labels_pdf",
]
