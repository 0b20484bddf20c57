from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from openpyxl import Workbook

from jiance_core.errors import ValidationFailed
from jiance_core.idcard import check_digit, make_id, mask
from jiance_core.roster import check_roster, check_roster_file, read_roster, read_roster_raw

HEADER = ["姓名", "性别", "出生日期", "身份证号", "班级", "学号"]
BOY = make_id("110105", date(2013, 5, 1), 1)  # ...001X, male
GIRL = make_id("110105", date(2013, 7, 9), 2)  # female
TEST_DAY = date(2022, 5, 25)


def _frame(rows: list[list[Any]], header: list[str] = HEADER) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=dict.fromkeys(header, pl.String), orient="row")


def _valid() -> list[list[Any]]:
    return [
        ["张三", "男", "2013-05-01", BOY, "四年级1班", "01"],
        ["李四", "女", "2013/7/9", GIRL, "四年级1班", "02"],
    ]


def _errors(rows: list[list[Any]], **kw: object) -> list[tuple[int, str, str]]:
    result = check_roster(_frame(rows), **kw)  # type: ignore[arg-type]
    return [(e.row, e.column, e.reason) for e in result.errors]


def test_valid_roster() -> None:
    result = check_roster(_frame(_valid()), grade=4, test_date=TEST_DAY)
    assert result.ok and result.rows == 2
    s = result.students
    assert s.columns == ["_row", "name", "sex", "birth_date", "national_id", "class", "student_no"]
    assert s["birth_date"].to_list() == [date(2013, 5, 1), date(2013, 7, 9)]
    assert s["_row"].to_list() == [2, 3]


def test_lowercase_x_accepted_and_normalised() -> None:
    rows = _valid()
    rows[0][3] = BOY.lower()
    assert BOY.endswith("X")
    result = check_roster(_frame(rows))
    assert result.ok
    assert result.students["national_id"][0] == BOY


def test_wrong_check_digit_says_what_it_should_be() -> None:
    rows = _valid()
    rows[1][3] = GIRL[:17] + ("0" if GIRL[17] != "0" else "1")
    [(row, column, reason)] = _errors(rows)
    assert (row, column) == (3, "身份证号")
    assert f"校验位错误：最后一位应为 {GIRL[17]}" in reason


def test_bad_date_field_and_bad_date_in_id() -> None:
    rows = _valid()
    rows[0][2] = "2013-02-30"
    first17 = "11010520130230001"
    rows[1][3] = first17 + check_digit(first17)
    errs = _errors(rows)
    assert (2, "出生日期", "出生日期无效：“2013-02-30”，应为 年-月-日（如 2012-03-05）") in errs
    assert any(r == 3 and c == "身份证号" and "出生日期无效：20130230" in m for r, c, m in errs)


def test_accepted_date_spellings() -> None:
    for spelling in (
        "2013-05-01",
        "2013/5/1",
        "2013.5.1",
        "20130501",
        "2013年5月1日",
        "2013-05-01 00:00:00",
    ):
        rows = _valid()[:1]
        rows[0][2] = spelling
        assert _errors(rows) == [], spelling


def test_birth_date_differs_from_id() -> None:
    rows = _valid()
    rows[0][2] = "2013-05-02"
    assert _errors(rows) == [
        (2, "出生日期", "出生日期 2013-05-02 与身份证号中的出生日期 2013-05-01 不符")
    ]


def test_sex_differs_from_id_and_invalid_sex() -> None:
    rows = _valid()
    rows[0][1] = "女"
    rows[1][1] = "未知"
    errs = _errors(rows)
    assert errs == [
        (2, "性别", "性别“女”与身份证号不符（身份证号第17位表示男）"),
        (3, "性别", "性别无效：“未知”，应为 男 或 女"),
    ]
    rows[0][1], rows[1][1] = "M", "2"
    assert _errors(rows) == []


def test_birth_implausible_for_grade() -> None:
    older = make_id("110105", date(2005, 1, 1), 3)
    rows = [*_valid(), ["王五", "男", "2005-01-01", older, "四年级2班", "01"]]
    errs = _errors(rows, grade=4, test_date=TEST_DAY)
    assert len(errs) == 1
    row, column, reason = errs[0]
    assert (row, column) == (4, "出生日期") and "出生日期与年级不符" in reason and "4年级" in reason
    # grade 8: the 2013 children are too young, the 2005 one is plausible
    errs8 = _errors(rows, grade=8, test_date=TEST_DAY)
    assert [r for r, _, _ in errs8] == [2, 3]


def test_duplicates_of_id_and_of_student_number_in_class() -> None:
    other_girl = GIRL[:14] + "004" + check_digit(GIRL[:14] + "004")
    rows = [
        *_valid(),
        ["张三", "男", "2013-05-01", BOY.lower(), "四年级2班", "01"],  # same ID, other class
        ["赵六", "女", "2013-07-09", other_girl, "四年级1班", "02"],
    ]
    errs = _errors(rows)
    assert errs == [
        (4, "身份证号", f"身份证号 {mask(BOY)} 重复（与第 2 行相同）"),
        (5, "学号", "学号 02 在班级“四年级1班”中重复（与第 3 行相同）"),
    ]


def test_student_number_unique_per_school_and_class() -> None:
    header = ["学校代码", *HEADER]
    other = make_id("110105", date(2013, 8, 1), 5)
    rows = [["S1", *_valid()[0]], ["S2", "王", "男", "2013-08-01", other, "四年级1班", "01"]]
    assert check_roster(_frame(rows, header)).ok


def test_missing_fields_and_columns() -> None:
    rows = _valid()
    rows[0][0] = None
    rows[1][5] = "  "
    rows[1][3] = None
    errs = _errors(rows)
    assert errs == [
        (2, "姓名", "姓名为空"),
        (3, "身份证号", "身份证号为空"),
        (3, "学号", "学号为空"),
    ]
    result = check_roster(_frame([["a", "男"]], ["姓名", "性别"]))
    assert {e.column for e in result.errors} == {"出生日期", "身份证号", "班级", "学号"}
    assert all(e.row == 1 for e in result.errors)


def test_length_and_characters() -> None:
    rows = _valid()
    rows[0][3] = "110105130501001"  # 15-digit old number
    rows[1][3] = "1101052013070900A2"
    errs = _errors(rows)
    assert errs[0][:2] == (2, "身份证号") and "15位旧号码" in errs[0][2]
    assert errs[1][:2] == (3, "身份证号") and "非法字符" in errs[1][2]
    rows[1][3] = "12345"
    assert "现为 5 位" in _errors(rows)[1][2]


def test_english_headers() -> None:
    header = ["name", "sex", "birth_date", "national_id", "class", "student_no", "school_id"]
    rows = [[*r, "S1"] for r in _valid()]
    rows[0][1] = "female"
    result = check_roster(_frame(rows, header))
    assert [(e.row, e.column) for e in result.errors] == [(2, "sex")]
    assert result.students.columns[:2] == ["_row", "school_id"]


def test_xlsx_numeric_id_and_date_cells(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([*HEADER, "备注"])
    ws.append(["张三", "男", date(2013, 5, 1), BOY, "四年级1班", 1, "x"])
    ws.append(["李四", "女", date(2013, 7, 9), int(GIRL), "四年级1班", 2, None])
    wb.save(path)
    result = check_roster_file(path)
    assert [(e.row, e.column) for e in result.errors] == [(3, "身份证号")]
    assert "存成了数字" in result.errors[0].reason
    assert result.students["备注"].to_list() == ["x", None]
    assert read_roster_raw(path).height == 2


def test_read_roster_raises_and_csv_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    lines = [",".join(HEADER)] + [",".join(str(v) for v in r) for r in _valid()]
    path.write_bytes("\n".join(lines).encode("gb18030"))
    assert read_roster(path).height == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([*lines, "王五,男,2013-01-01,123,四年级1班,09"]), encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        read_roster(bad)
    assert info.value.errors[0].row == 4
    missing = check_roster_file(tmp_path / "nope.csv")
    assert missing.errors[0].row == 0 and "找不到文件" in missing.errors[0].reason


def test_blank_rows_skipped_row_numbers_kept() -> None:
    rows = _valid()
    bad = [*rows[1][:3], rows[1][3][:17] + "Y", *rows[1][4:]]
    result = check_roster(_frame([rows[0], [None] * 6, ["", " ", "", "", "", ""], bad]))
    assert result.rows == 2
    assert [(e.row, e.column) for e in result.errors] == [(5, "身份证号")]
    assert result.students["_row"].to_list() == [2, 5]
    empty = check_roster(_frame([[None] * 6]))
    assert [e.reason for e in empty.errors] == ["文件中没有学生"]
