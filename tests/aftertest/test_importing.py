"""The tested-students file check: every problem named by row, column and reason."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from jiance.accounts.models import Role
from jiance.accounts.scoping import Scope
from jiance.aftertest import importing, services
from jiance.aftertest.models import TestedStudent
from tests.aftertest.builders import aftertest_cycle, draw
from tests.factories import make_user
from tests.testday.builders import sample_school

pytestmark = pytest.mark.django_db


@pytest.fixture
def prepared(world):  # type: ignore[no-untyped-def]
    cycle = aftertest_cycle()
    draw(cycle, world, [{"code": world.school_a1.code}])
    students = sample_school(cycle, world.school_a1, 4)
    officer = make_user("a1_xx", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    report = services.tested_report_open(scope=Scope(officer), roster=students[0].roster, actor=officer)
    rows = list(TestedStudent.objects.filter(report=report).select_related("sampled__student").order_by("row"))
    sessions = services.session_list(cycle, "primary")
    wb = load_workbook(io.BytesIO(importing.template(rows, sessions, "t")))
    return rows, sessions, wb


def content(wb) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_clean_template_reads_back(prepared):  # type: ignore[no-untyped-def]
    rows, sessions, wb = prepared
    result = importing.check_upload(content(wb), rows, sessions)
    assert result.errors == [] and [r[0] for r in result.rows] == [2, 3, 4, 5]


def test_errors_name_row_column_reason(prepared):  # type: ignore[no-untyped-def]
    rows, sessions, wb = prepared
    ws = wb["数据"]
    ws.cell(row=2, column=2, value="999")           # 学号 does not match the roster
    ws.cell(row=3, column=6, value="部分缺考")
    ws.cell(row=3, column=7, value="体育测试")       # no such session
    ws.cell(row=4, column=8, value="旷课")           # not a reason
    ws.cell(row=5, column=1, value=3)               # duplicate of row 4's 序号
    ws.cell(row=5, column=2, value=rows[2].sampled.student.student_no)
    ws.cell(row=5, column=3, value=rows[2].sampled.student.name)
    result = importing.check_upload(content(wb), rows, sessions)
    got = {(n, col) for n, col, _r in result.errors}
    assert got == {(2, "学号"), (3, "缺考场次"), (4, "缺考原因"), (5, "序号")}
    reasons = dict(((n, c), r) for n, c, r in result.errors)
    assert "体育测试" in reasons[(3, "缺考场次")] and "与第 4 行重复" in reasons[(5, "序号")]


def test_missing_students_and_bad_file(prepared):  # type: ignore[no-untyped-def]
    rows, sessions, wb = prepared
    wb["数据"].delete_rows(3)
    result = importing.check_upload(content(wb), rows, sessions)
    assert len(result.errors) == 1 and "序号 2" in result.errors[0][2]
    result = importing.check_upload(b"not a spreadsheet", rows, sessions)
    assert result.errors and "xlsx" in result.errors[0][2]
