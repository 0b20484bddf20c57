from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from jiance.reporting.importing import (
    ERROR_COLUMN,
    build_frame_template,
    check_upload,
    frame_columns,
    rejected_workbook,
)
from jiance.reporting.models import DEFAULT_GRADES, FrameRecord
from jiance.spreadsheets import read_sheet
from tests.reporting.conftest import HEADERS, good_rows_a, xlsx

pytestmark = pytest.mark.django_db


def check(world: Any, rows: list[list[Any]], **kw: Any):
    return check_upload(
        xlsx(rows, kw.pop("headers", None)), county=world.county_a, grades=DEFAULT_GRADES,
        schools=[world.school_a1, world.school_a2], **kw,
    )


def problems(result) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.kind) for p in result.problems]


def test_good_file_parses_every_row(world) -> None:
    result = check(world, good_rows_a())
    assert result.ok
    assert [(r.row, r.school) for r in result.rows] == [(2, world.school_a1), (3, world.school_a2)]
    assert result.rows[0].values["primary_students"] == 180
    assert result.rows[1].values["primary_students"] == 0  # blank for a stage the school lacks
    assert result.rows[1].values["junior_classes"] == 9


def test_duplicate_code_names_both_rows(world) -> None:
    rows = [*good_rows_a(), good_rows_a()[0]]
    result = check(world, rows)
    assert problems(result) == [(4, "学校代码", "学校代码重复")]
    assert "第 2 行" in result.problems[0].reason


@pytest.mark.parametrize("bad", ["-3", -3, 12.5, "abc", "=1+1"])
def test_students_must_be_non_negative_integers(world, bad: object) -> None:
    rows = good_rows_a()
    rows[0][6] = bad
    result = check(world, rows)
    assert (2, "4年级学生数", "学生数不是非负整数") in problems(result)
    assert not result.rows or all(r.row != 2 for r in result.rows)


def test_classes_must_be_non_negative_integers(world) -> None:
    rows = good_rows_a()
    rows[1][9] = "九"
    assert problems(check(world, rows)) == [(3, "8年级班级数", "班级数不是非负整数")]


def test_type_inconsistent_with_stages(world) -> None:
    rows = good_rows_a()
    rows[0][8], rows[0][9] = 50, 1  # a 小学 reporting grade-8 students
    rows[1][2] = "完全中学"
    rows[1][6], rows[1][7] = 40, 1  # a 完全中学 reporting grade-4 students
    assert problems(check(world, rows)) == [
        (2, "8年级学生数", "学校类型与所报学段不一致"),
        (3, "4年级学生数", "学校类型与所报学段不一致"),
    ]


def test_school_of_another_county_or_unknown(world) -> None:
    rows = good_rows_a()
    rows[0][0] = world.school_b1.code
    rows[1][0] = "9999999999"
    result = check(world, rows, is_known_school=lambda code: code == world.school_b1.code)
    assert problems(result) == [(2, "学校代码", "学校不属于本县"), (3, "学校代码", "学校不属于本县")]
    assert "请由其所在县（区）填报" in result.problems[0].reason
    assert world.school_b1.name not in result.problems[0].reason  # a foreign school is not named
    assert "不是南昌县的学校" in result.problems[1].reason


@pytest.mark.parametrize(("index", "header"), [(0, "学校代码"), (2, "学校类型"), (3, "办学性质"),
                                              (4, "城乡区域"), (5, "隶属关系")])
def test_required_fields(world, index: int, header: str) -> None:
    rows = good_rows_a()
    rows[0][index] = ""
    assert (2, header, "缺少必填项") in problems(check(world, rows))


def test_students_required_for_the_stages_of_the_type(world) -> None:
    rows = good_rows_a()
    rows[0][6] = ""
    assert problems(check(world, rows)) == [(2, "4年级学生数", "缺少必填项")]


def test_zero_classes_with_students(world) -> None:
    rows = good_rows_a()
    rows[0][7] = 0
    assert problems(check(world, rows)) == [(2, "4年级班级数", "班级数为 0 但学生数大于 0")]


def test_implausible_class_size(world) -> None:
    rows = good_rows_a()
    rows[1][8], rows[1][9] = 700, 9
    assert problems(check(world, rows)) == [(3, "8年级学生数", "学生数与班级数不符")]


def test_choice_outside_dropdown(world) -> None:
    rows = good_rows_a()
    rows[0][4] = "农村"
    result = check(world, rows)
    assert problems(result) == [(2, "城乡区域", "选项不在下拉列表中")]
    assert "城区、镇区、乡村" in result.problems[0].reason


def test_missing_column_and_unreadable_file(world) -> None:
    result = check(world, [r[:2] for r in good_rows_a()], headers=HEADERS[:2])
    assert [p.kind for p in result.problems] == ["文件无法读取"]
    assert "学校类型" in result.problems[0].reason
    broken = check_upload(b"not a workbook", county=world.county_a, grades=DEFAULT_GRADES, schools=[])
    assert [p.kind for p in broken.problems] == ["文件无法读取"]


def test_rows_numbers_are_those_of_the_sheet_even_after_blank_rows(world) -> None:
    rows = [good_rows_a()[0], [""] * 11, [""] * 11, good_rows_a()[1]]
    rows[3][7] = "x"  # not an integer (junior school: primary classes column)
    result = check(world, rows)
    assert [p.row for p in result.problems] == [5]


def test_problems_grouped_by_kind_with_counts(world) -> None:
    rows = good_rows_a()
    rows[0][6] = "abc"
    rows[1][8] = "-1"
    rows[1][3] = ""
    groups = check(world, rows).by_kind()
    assert [(kind, n) for kind, n, _ in groups] == [("学生数不是非负整数", 2), ("缺少必填项", 1)]
    assert [p.row for p in groups[0][2]] == [2, 3]


def test_rejected_rows_workbook_has_reason_column(world) -> None:
    rows = good_rows_a()
    rows[1][8] = "abc"
    result = check(world, rows)
    wb = load_workbook(io.BytesIO(rejected_workbook(result)))
    ws = wb.active
    values = list(ws.values)
    assert values[0][0] == "原行号" and values[0][-1] == ERROR_COLUMN
    assert len(values) == 2  # header + the one bad row
    assert values[1][0] == 3 and values[1][1] == "3601210002"
    assert "8年级学生数" in values[1][-1] and "非负整数" in values[1][-1]


def test_template_prefilled_with_sheets_and_dropdowns(world, cycle) -> None:
    existing = FrameRecord(school=world.school_a2, school_type="初中", nature="公办", area="城区",
                           affiliation="局属", junior_students=300, junior_classes=6)
    content = build_frame_template(
        county=world.county_a, grades=DEFAULT_GRADES, schools=[world.school_a1, world.school_a2],
        records={world.school_a2.pk: existing},
    )
    wb = load_workbook(io.BytesIO(content))
    assert {"数据", "填表说明", "代码表"} <= set(wb.sheetnames)
    data = list(wb["数据"].values)
    assert list(data[0]) == HEADERS
    assert data[1][:6] == ("3601210001", "南昌县莲塘第一小学", "小学", "公办", "镇区", "县属")
    assert data[2][5] == "局属" and data[2][8] == 300
    codes = [row[0] for row in wb["代码表"].values]
    assert "3601210001" in codes and "3601210002" in codes
    assert len(wb["数据"].data_validations.dataValidation) == 4
    # The template read back is recognised column by column.
    parsed = list(read_sheet(content, frame_columns(DEFAULT_GRADES), kind="frame"))
    assert parsed[1].values["junior_students"] == 300


def test_chongqing_grades_rename_columns() -> None:
    headers = [c.header for c in frame_columns({"primary": 5, "junior": 9})]
    assert "5年级学生数" in headers and "9年级班级数" in headers


def test_record_rules_reported_alongside_other_problems_of_the_row(world) -> None:
    rows = good_rows_a()
    rows[0][3] = ""      # missing nature
    rows[0][7] = 0       # and zero classes for 180 students
    assert problems(check(world, rows)) == [
        (2, "办学性质", "缺少必填项"), (2, "4年级班级数", "班级数为 0 但学生数大于 0"),
    ]
