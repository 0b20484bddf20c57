from __future__ import annotations

import io

from openpyxl import load_workbook

from jiance.units.importer import HEADERS, unescape, unit_template
from jiance.units.models import Affiliation, Area, CountyKind, Nature, SchoolType


def test_template_has_three_visible_sheets_headers_and_dropdowns() -> None:
    wb = load_workbook(io.BytesIO(unit_template()))
    assert {"数据", "填表说明", "代码表"} <= set(wb.sheetnames)
    ws = wb["数据"]
    assert [c.value for c in ws[1]] == HEADERS
    lists = wb["选项"]
    by_column: dict[str, list[str]] = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list"
        col = str(dv.sqref).split(":")[0].rstrip("0123456789")
        letter = dv.formula1.split("!$")[1].split("$")[0]
        values = [c.value for c in lists[letter][1:] if c.value is not None]
        by_column[ws[f"{col}1"].value] = values
    assert by_column["层级"] == ["省", "市", "县级", "学校"]
    assert by_column["县级类型"] == list(CountyKind.values)
    assert by_column["学校类型"] == list(SchoolType.values)
    assert by_column["办学性质"] == list(Nature.values)
    assert by_column["城乡区域"] == list(Area.values)
    assert by_column["隶属关系"] == list(Affiliation.values)
    assert "单位代码" not in by_column  # free text


def test_instructions_explain_the_territorial_rule() -> None:
    wb = load_workbook(io.BytesIO(unit_template()))
    text = "\n".join(str(c.value) for c in wb["填表说明"]["A"] if c.value)
    assert "属地原则" in text
    codes = "\n".join(str(c.value) for c in wb["代码表"]["A"] if c.value)
    assert "十二年一贯制" in codes and "管理局" in codes


def test_unescape_undoes_only_the_formula_guard() -> None:
    assert unescape("'=SUM(A1)") == "=SUM(A1)"
    assert unescape("'-1") == "-1"
    assert unescape("'普通文字") == "'普通文字"
    assert unescape("'") == "'"
