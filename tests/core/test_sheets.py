"""The guarded sheet reader (`jiance_core.sheets`): what it reads, and what it refuses, cheaply."""

from __future__ import annotations

import datetime as dt
import io
import time
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from jiance_core.sheets import (
    Limits,
    LostDigits,
    SheetError,
    _SheetParser,
    cell_text,
    open_workbook,
    read_table,
)
from tests.security.hostile_files import HOSTILE, shared_strings_amplification, xlsx


def workbook(rows: list[list[object]], title: str = "数据") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def exact_rows(data: bytes, limits: Limits | None = None) -> list[tuple[int, list[object]]]:
    """The same sheet through the streaming expat reader (the path for formulas and odd files)."""
    book = open_workbook(data, limits)
    strings, dates = book._load_shared()
    return list(_SheetParser(book, strings, dates).run(book._paths[book.sheet_names[0]]))


# --- reading ---------------------------------------------------------------------------------------
def test_reads_a_normal_workbook_with_row_numbers_dates_and_numbers() -> None:
    data = workbook([
        ["姓名", "出生日期", "人数", "比例"],
        ["张三", dt.date(2012, 3, 5), 40, 0.5],
        [None, None, None, None],
        ["李四", dt.datetime(2012, 3, 5, 10, 30), 7, None],
    ])
    header, body = read_table(data)
    assert header == ["姓名", "出生日期", "人数", "比例"]
    assert [n for n, _ in body] == [2, 4]  # the blank row is skipped, numbers are the sheet's
    assert body[0][1][:2] == ["张三", dt.date(2012, 3, 5)] and cell_text(body[0][1][2]) == "40"
    assert body[1][1][1] == dt.datetime(2012, 3, 5, 10, 30) and len(body[1][1]) == 3
    # the exact streaming reader gives the same cells
    exact = exact_rows(data)
    assert [n for n, _ in exact] == [1, 2, 4]
    assert [[cell_text(v) for v in r] for _, r in exact[1:]] == [[cell_text(v) for v in r] for _, r in body]


def test_the_data_sheet_is_chosen_by_name() -> None:
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["不是数据"])
    wb.create_sheet("数据").append(["学校代码"])
    buf = io.BytesIO()
    wb.save(buf)
    book = open_workbook(buf.getvalue())
    assert book.sheet_names == ["说明", "数据"]
    assert list(book.rows("数据")) == [(1, ["学校代码"])]


def test_id_numbers_keep_every_digit_or_say_they_were_lost() -> None:
    data = xlsx(
        '<row r="1"><c r="A1"><v>110101201001011234</v></c><c r="B1"><v>1.10101201001011E+17</v></c>'
        '<c r="C1" t="inlineStr"><is><t>11010120100101123X</t></is></c></row>'
    )
    values = read_table(data)[0]
    assert values[0] == 110101201001011234 and cell_text(values[0]) == "110101201001011234"
    assert isinstance(values[1], LostDigits) and isinstance(cell_text(values[1]), LostDigits)
    assert values[2] == "11010120100101123X"
    # a float from calamine's path is repaired the same way
    assert isinstance(cell_text(1.10101201001011e17), LostDigits) and cell_text(40.0) == "40"


def test_formulas_are_their_text_never_the_cached_value() -> None:
    data = xlsx(
        '<row r="1"><c r="A1" t="str"><f>HYPERLINK("http://evil.example/","点我")</f><v>点我</v></c>'
        '<c r="B1"><f t="shared" ref="B1:B2" si="0">1+1</f><v>2</v></c></row>'
        '<row r="2"><c r="B2"><f t="shared" si="0"/><v>2</v></c></row>'
    )
    header, body = read_table(data)
    assert header == ['=HYPERLINK("http://evil.example/","点我")', "=1+1"]
    assert body == [(2, [None, "=1+1"])]


def test_shared_strings_and_phonetic_runs() -> None:
    shared = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>南昌</t></si>'
              '<si><r><t>莲</t></r><r><t>塘</t></r><rPh><t>lian</t></rPh></si></sst>')
    data = xlsx('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>', shared=shared)
    assert read_table(data)[0] == ["南昌", None, "莲塘"]
    assert exact_rows(data) == [(1, ["南昌", None, "莲塘"])]


# --- refusing ---------------------------------------------------------------------------------------
EXPECTED = {
    "sparse_A1_XFD1048576": "行数超出上限：第 1048576 行",
    "billion_laughs": "DTD",
    "external_entity": "DTD",
    "bad_reference_A0": "单元格位置无效：“A0”",
    "shared_strings_amplification": "压缩比异常",
    "million_rows": "行数超出上限：第 100002 行",
    "zip_bomb": "解压后过大",
    "renamed_csv": "不是 .xlsx 工作簿",
    "truncated_zip": "已损坏或不完整",
    "empty": "文件为空",
}


@pytest.fixture(scope="module")
def hostile() -> dict[str, bytes]:
    return {name: make() for name, make in HOSTILE.items()}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_hostile_file_is_refused_in_chinese_quickly(hostile: dict[str, bytes], name: str) -> None:
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(SheetError) as caught:
        read_table(hostile[name])
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert EXPECTED[name] in str(caught.value)
    assert seconds < 5 and peak < 100 * 1024 * 1024  # bench/hostile_uploads.py measures properly


def test_the_formula_file_is_read_as_text(hostile: dict[str, bytes]) -> None:
    assert read_table(hostile["formula"]) == (['=HYPERLINK("http://evil.example/","点我")'], [(2, ["=1+1"])])


def test_dtd_anywhere_in_the_package_is_refused() -> None:
    good = workbook([["a"]])
    for part in ("xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml"):
        src = zipfile.ZipFile(io.BytesIO(good))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as out:
            for info in src.infolist():
                body = src.read(info)
                if info.filename == part:
                    at = body.index(b"?>") + 2 if body.startswith(b"<?xml") else 0
                    body = body[:at] + b'<!DOCTYPE x [<!ENTITY e "e">]>' + body[at:]
                out.writestr(info.filename, body)
        with pytest.raises(SheetError, match="DTD"):
            read_table(buf.getvalue())


def test_a_bad_reference_or_far_cell_is_refused_by_the_exact_reader_too() -> None:
    formula = '<c r="B1"><f>1</f></c>'  # a formula sends the sheet to the exact reader
    with pytest.raises(SheetError, match="单元格位置无效"):
        read_table(xlsx(f'<row r="1"><c r="A0" t="inlineStr"><is><t>x</t></is></c>{formula}</row>'))
    with pytest.raises(SheetError, match="第 1048576 行"):
        read_table(xlsx(f'<row r="1">{formula}</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
    with pytest.raises(SheetError, match="超出列数上限"):
        read_table(xlsx(f'<row r="1">{formula}<c r="XFD1"><v>1</v></c></row>'))


def test_caps_on_rows_columns_and_cell_text() -> None:
    rows = [["学号"], *[[i] for i in range(10)]]
    assert len(read_table(workbook(rows), Limits(rows=11))[1]) == 10
    with pytest.raises(SheetError, match="第 12 行超过最多 10 行数据") as caught:
        read_table(workbook([*rows, [11]]), Limits(rows=11))
    assert caught.value.row == 12
    with pytest.raises(SheetError, match="第 1 行 D 列超出列数上限（最多 3 列）"):
        read_table(workbook([["a", "b", "c", "d"]]), Limits(columns=3))
    with pytest.raises(SheetError, match="第 2 行 B 列：单元格内容过长") as caught:
        read_table(workbook([["a", "b"], ["x", "长" * 101]]), Limits(cell_chars=100))
    assert caught.value.column == "B"


def test_shared_strings_amplification_is_capped_without_the_ratio_check() -> None:
    data = shared_strings_amplification(size=200_000, uses=150)
    loose = Limits(ratio=10**9)
    tracemalloc.start()
    with pytest.raises(SheetError, match="第 1 行 A 列：单元格内容过长"):
        read_table(data, loose)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20 * 1024 * 1024
    # strings within the cell cap still cannot add up beyond the text budget
    with pytest.raises(SheetError, match="文字总量超过上限"):
        read_table(data, loose.with_(cell_chars=300_000, text_chars=1_000_000))


def test_corrupt_and_foreign_files() -> None:
    good = workbook([["学校代码"], ["3601210001"]])
    broken = bytearray(good)
    start = good.index(b"xl/worksheets/sheet1.xml") + 60
    broken[start:start + 200] = b"\x00" * 200
    with pytest.raises(SheetError, match="无法读取文件"):
        read_table(bytes(broken))
    with pytest.raises(SheetError, match="旧版 Excel"):
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500)
    with pytest.raises(SheetError, match="文件为空"):
        read_table(b"   \n")
    with pytest.raises(SheetError, match="缺少工作簿内容"):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("a.txt", "x")
        read_table(buf.getvalue())
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(20):
            zf.writestr(f"x{i}", "")
    with pytest.raises(SheetError, match="包含 20 个部件"):
        read_table(many.getvalue(), Limits(entries=10))
