"""Reading and checking the school sampling frame (jiance_core.sampling.frame)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest

from jiance_core.errors import RowError, ValidationFailed
from jiance_core.sampling.frame import REQUIRED_COLUMNS, check_frame, read_frame

HEADER = ",".join(REQUIRED_COLUMNS)


def write(tmp_path: Path, body: str, *, header: str = HEADER, encoding: str = "utf-8") -> Path:
    path = tmp_path / "frame.csv"
    path.write_bytes((header + "\n" + body).encode(encoding))
    return path


def errors_of(path: Path) -> list[RowError]:
    with pytest.raises(ValidationFailed) as info:
        read_frame(path)
    return info.value.errors


def test_reads_a_valid_csv_with_extra_columns_and_types(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "甲县,001,一小,小学,城区,45,0,公办\n甲县,002,二中,完全中学,乡村,0,120,民办\n",
        header=HEADER + ",note",
    )
    frame = read_frame(path)
    assert frame.columns == [*REQUIRED_COLUMNS, "note"]
    assert frame["school_id"].to_list() == ["001", "002"]  # leading zeros kept
    assert frame["primary_students"].dtype == pl.Int64
    assert frame["junior_students"].to_list() == [0, 120]
    assert frame["note"].to_list() == ["公办", "民办"]


def test_reads_csv_saved_by_excel_in_gbk_and_with_bom(tmp_path: Path) -> None:
    body = "甲县,001,一小,小学,城区,45,0\n"
    assert read_frame(write(tmp_path, body, encoding="gb18030"))["county"][0] == "甲县"
    path = tmp_path / "bom.csv"
    path.write_bytes(("\ufeff" + HEADER + "\n" + body).encode("utf-8"))
    assert read_frame(path)["school_name"][0] == "一小"


def test_reads_xlsx_with_numbers_as_cells(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(REQUIRED_COLUMNS))
    sheet.append(["甲县", 1001, "一小", "小学", "城区", 45, 0])
    sheet.append(["甲县", "1002", "二小", "小学", "镇区", -3, 0])
    path = tmp_path / "frame.xlsx"
    book.save(path)
    with pytest.raises(ValidationFailed) as info:
        read_frame(path)
    assert info.value.errors == [RowError(3, "primary_students", "学生数不是非负整数：“-3”")]
    sheet["F3"] = 30
    book.save(path)
    frame = read_frame(path)
    assert frame["school_id"].to_list() == ["1001", "1002"]
    assert frame["primary_students"].to_list() == [45, 30]


def test_missing_columns_are_all_named_on_the_header_row(tmp_path: Path) -> None:
    path = write(tmp_path, "甲县,001,一小\n", header="county,school_id,school_name")
    errors = errors_of(path)
    assert {(e.row, e.column) for e in errors} == {
        (1, "school_type"),
        (1, "area"),
        (1, "primary_students"),
        (1, "junior_students"),
    }
    assert all("缺少列" in e.reason for e in errors)


def test_every_row_error_is_reported_with_file_row_and_column(tmp_path: Path) -> None:
    body = "\n".join(
        [
            "甲县,001,一小,小学,城区,45,0",  # row 2: fine
            "甲县,001,二小,小学,镇区,30,0",  # row 3: duplicate code
            "甲县,003,三小,小学,城市,30,0",  # row 4: bad area
            "甲县,004,四小,高中,乡村,30,0",  # row 5: bad type
            "甲县,005,五小,小学,乡村,abc,0",  # row 6: not an integer
            "甲县,006,六小,小学,乡村,-2,0",  # row 7: negative
            "甲县,007,七小,小学,乡村,12.5,0",  # row 8: fraction
            "甲县,008,八小,小学,乡村,30,20",  # row 9: primary school with junior students
            "甲县,009,九中,完全中学,乡村,15,200",  # row 10: 完全中学 has no primary stage
            "甲县,010,十中,初中,乡村,5,200",  # row 11: 初中 with primary students
            ",011,,小学,乡村,,0",  # row 12: empty county, name and count
        ]
    )
    errors = errors_of(write(tmp_path, body + "\n"))
    found = {(e.row, e.column) for e in errors}
    assert found == {
        (3, "school_id"),
        (4, "area"),
        (5, "school_type"),
        (6, "primary_students"),
        (7, "primary_students"),
        (8, "primary_students"),
        (9, "junior_students"),
        (10, "primary_students"),
        (11, "primary_students"),
        (12, "county"),
        (12, "school_name"),
        (12, "primary_students"),
    }
    by_cell = {(e.row, e.column): e.reason for e in errors}
    assert "重复" in by_cell[(3, "school_id")] and "第 2 行" in by_cell[(3, "school_id")]
    assert "区域无效" in by_cell[(4, "area")]
    assert "学校类型无效" in by_cell[(5, "school_type")]
    assert "非负整数" in by_cell[(6, "primary_students")]
    assert "类型与学段不一致" in by_cell[(9, "junior_students")]
    assert "类型与学段不一致" in by_cell[(10, "primary_students")]
    # Errors come in row order; a row's errors in column order.
    assert [e.row for e in errors] == sorted(e.row for e in errors)


def test_row_error_text_and_validation_failed_summary() -> None:
    error = RowError(5, "primary_students", "学生数不是非负整数：“abc”")
    assert str(error) == "第 5 行，列 primary_students：学生数不是非负整数：“abc”"
    assert str(RowError(0, "", "文件为空")) == "文件：文件为空"
    failed = ValidationFailed([error, RowError(7, "area", "区域无效")])
    assert failed.errors[0] is error
    assert "共 2 处错误" in str(failed)
    with pytest.raises(AttributeError):
        error.row = 6  # type: ignore[misc]


def test_empty_and_missing_files(tmp_path: Path) -> None:
    assert "找不到文件" in errors_of(tmp_path / "none.csv")[0].reason
    (tmp_path / "empty.csv").write_text("")
    assert errors_of(tmp_path / "empty.csv")[0].reason == "文件为空"
    assert "没有学校" in errors_of(write(tmp_path, ""))[0].reason


def test_check_frame_accepts_an_in_memory_frame_with_integer_counts() -> None:
    frame = pl.DataFrame(
        {
            "county": ["甲县"],
            "school_id": ["001"],
            "school_name": ["一小"],
            "school_type": ["九年一贯制"],
            "area": ["镇区"],
            "primary_students": [40],
            "junior_students": [50],
        }
    )
    checked = check_frame(frame)
    assert checked["primary_students"].dtype == pl.Int64
    with pytest.raises(ValidationFailed):
        check_frame(frame.with_columns(pl.lit("X").alias("area")))


def test_chinese_headers_are_understood(tmp_path: Path) -> None:
    header = "区县,学校代码,学校名称,学校类型,城乡类型,四年级学生数,八年级学生数,备注"
    frame = read_frame(write(tmp_path, "甲县,001,一小,小学,城区,45,0,x\n", header=header))
    assert frame.columns == [*REQUIRED_COLUMNS, "备注"]
    twice = "区县,county,学校代码,学校名称,学校类型,区域,四年级学生数,八年级学生数"
    errors = errors_of(write(tmp_path, "甲县,甲县,001,一小,小学,城区,45,0\n", header=twice))
    assert errors[0].row == 1 and "列重复" in errors[0].reason
