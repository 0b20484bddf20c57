"""Items as data: the example bank passes; every kind of refusal names the item, field and reason;
a ZIP round-trips with its media; responses are read per interaction."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from jiance_core.cbt.items import (
    BankError,
    ResponseError,
    check_bank,
    public_item,
    read_bank_file,
    read_response,
    write_bank_zip,
)

EXAMPLE = json.loads((Path(__file__).resolve().parents[2] / "jiance/cbt/examples/math-example.json").read_text())


def bank(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLE)
    data.update(changes)
    return data


def item(ident: str) -> dict[str, Any]:
    return next(i for i in EXAMPLE["items"] if i["identifier"] == ident)


def refused(data: Any, **kw: Any) -> list[str]:
    with pytest.raises(BankError) as exc:
        check_bank(data, **kw)
    return exc.value.problems


def test_example_bank_is_valid_and_marked_example() -> None:
    b = check_bank(EXAMPLE, subjects=["math"], max_forms=2)
    assert b.example and b.subject == "math"
    kinds = {i["interaction"]["type"] for i in b.items.values()}
    assert kinds == {"choiceInteraction", "textEntryInteraction", "extendedTextInteraction", "orderInteraction",
                     "matchInteraction"}
    assert any(i.get("onPaper") for i in b.items.values())
    assert all(i["prompt"].startswith("【示例") for i in b.items.values())


def _with_item(ident: str, **changes: Any) -> dict[str, Any]:
    data = bank()
    target = next(i for i in data["items"] if i["identifier"] == ident)
    for key, value in changes.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    return data


@pytest.mark.parametrize(("data", "expected"), [
    (bank(format="qti"), "字段 format"),
    (bank(subject=""), "字段 subject：缺少学科代码"),
    (bank(items=[]), "字段 items：没有题目"),
    (bank(forms=[]), "字段 forms：没有题本"),
    (_with_item("EX-M-001", prompt=""), "题目 EX-M-001：字段 prompt：缺少题干"),
    (_with_item("EX-M-001", interaction={"type": "sliderInteraction"}), "题目 EX-M-001：字段 interaction.type：不支持“sliderInteraction”"),
    (_with_item("EX-M-001", interaction=None), "题目 EX-M-001：字段 interaction：缺少作答方式"),
    (_with_item("EX-M-001", interaction={"type": "choiceInteraction", "choices": [{"identifier": "A", "text": "x"}]}),
     "题目 EX-M-001：字段 interaction.choices：至少需要 2 个选项"),
    (_with_item("EX-M-001", interaction={"type": "choiceInteraction", "choices": [
        {"identifier": "A", "text": "x"}, {"identifier": "A", "text": "y"}]}), "选项标识“A”重复"),
    (_with_item("EX-M-001", interaction={"type": "choiceInteraction", "choices": [
        {"identifier": "1A", "text": "x"}, {"identifier": "B", "text": "y"}]}), "choices[0].identifier：标识须以字母开头"),
    (_with_item("EX-M-001", interaction={"type": "choiceInteraction", "choices": [
        {"identifier": "A", "text": ""}, {"identifier": "B", "text": "y"}]}), "choices[0].text：选项“A”没有文字"),
    (_with_item("EX-M-001", interaction={**item("EX-M-001")["interaction"], "maxChoices": 9}), "interaction.maxChoices"),
    (_with_item("EX-M-001", correct=["Z"]), "题目 EX-M-001：字段 correct：正确答案须为本题选项标识的列表"),
    (_with_item("EX-M-001", correct=["A", "B"]), "正确答案多于 maxChoices（1）"),
    (_with_item("EX-M-003", interaction={"type": "textEntryInteraction", "expectedLength": 0}), "expectedLength"),
    (_with_item("EX-M-006", correct=["x"]), "题目 EX-M-006：字段 correct：开放题不设正确答案"),
    (_with_item("EX-M-004", correct=["A", "B"]), "题目 EX-M-004：字段 correct：须为全部选项标识的一种排列"),
    (_with_item("EX-M-005", correct=["S1 X9"]), "题目 EX-M-005：字段 correct：须为“左侧标识 右侧标识”的列表"),
    (_with_item("EX-M-005", interaction={**item("EX-M-005")["interaction"], "maxAssociations": 0}), "maxAssociations"),
    (_with_item("EX-M-001", onPaper="yes"), "题目 EX-M-001：字段 onPaper：须为 true 或 false"),
    (_with_item("EX-M-001", media=[{"href": "../etc/passwd", "type": "image/png", "alt": "x"}]), "media[0].href"),
    (_with_item("EX-M-001", media=[{"href": "media/a.exe", "type": "application/x-msdownload"}]), "media[0].type：不支持"),
    (_with_item("EX-M-001", media=[{"href": "media/a.png", "type": "image/png"}]), "media[0].alt：图片须有文字说明"),
    (_with_item("EX-M-001", identifier="题目一"), "字段 identifier：标识须以字母开头"),
    (bank(items=[*EXAMPLE["items"], EXAMPLE["items"][0]]), "题目 EX-M-001：字段 identifier：与前面的题目重复"),
    (bank(forms=[{"number": 1, "items": ["EX-M-001", "NOPE"]}]), "题本 1：字段 items：没有题目“NOPE”"),
    (bank(forms=[{"number": 1, "items": ["EX-M-001", "EX-M-001"]}]), "题本 1：字段 items：同一题目出现两次"),
    (bank(forms=[{"number": 0, "items": ["EX-M-001"]}]), "字段 number：题本号须为正整数"),
    (bank(forms=[{"number": 1, "items": ["EX-M-001"]}, {"number": 1, "items": ["EX-M-002"]}]), "题本 1：字段 number：题本号重复"),
    (bank(forms=[{"number": 1, "items": []}]), "题本 1：字段 items：题本没有题目"),
    ([], "文件内容须为一个 JSON 对象"),
])
def test_each_refusal_names_item_field_and_reason(data: Any, expected: str) -> None:
    problems = refused(data)
    assert any(expected in p for p in problems), problems


def test_cycle_context_refusals() -> None:
    assert any("本轮监测没有学科“math”" in p for p in refused(EXAMPLE, subjects=["chinese"]))
    assert any("题本 2：字段 number：本轮该学科只有 1 套题本" in p for p in refused(EXAMPLE, max_forms=1))


def test_zip_round_trip_with_media_and_missing_media_refused() -> None:
    data = _with_item("EX-M-001", media=[{"href": "media/fig1.svg", "type": "image/svg+xml", "alt": "图"}])
    svg = b"<svg xmlns='http://www.w3.org/2000/svg'/>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("items.json", json.dumps(data, ensure_ascii=False))
        z.writestr("media/fig1.svg", svg)
    b = read_bank_file(out.getvalue(), "bank.zip")
    assert b.media == {"media/fig1.svg": svg}
    again = read_bank_file(write_bank_zip(b), "export.zip")
    assert again.items == b.items and again.forms == b.forms and again.media == b.media
    bare = io.BytesIO()
    with zipfile.ZipFile(bare, "w") as z:
        z.writestr("items.json", json.dumps(data, ensure_ascii=False))
    with pytest.raises(BankError, match=r"压缩包中没有文件 media/fig1\.svg"):
        read_bank_file(bare.getvalue(), "bank.zip")


@pytest.mark.parametrize(("content", "name", "expected"), [
    (b"{", "bank.json", "不是有效的 JSON"),
    (b"PK-not-a-zip", "bank.zip", "不是有效的 ZIP"),
    (b"{}", "bank.xlsx", "文件须为 .json 或 .zip"),
])
def test_file_refusals(content: bytes, name: str, expected: str) -> None:
    with pytest.raises(BankError, match=expected):
        read_bank_file(content, name)


def test_zip_with_stray_file_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("items.json", json.dumps(EXAMPLE))
        z.writestr("run.bat", b"x")
    with pytest.raises(BankError, match=r"不认识的文件 run\.bat"):
        read_bank_file(out.getvalue(), "b.zip")


def test_public_item_never_carries_the_answer() -> None:
    assert "correct" not in public_item(item("EX-M-001"))


def test_read_response_per_interaction() -> None:
    assert read_response(item("EX-M-001"), "B") == "B"
    assert read_response(item("EX-M-001"), "") is None
    assert read_response(item("EX-M-002"), ["C", "A"]) == ["A", "C"]
    assert read_response(item("EX-M-003"), " 30 ") == "30"
    assert read_response(item("EX-M-004"), ["B", "A", "C"]) == ["B", "A", "C"]
    assert read_response(item("EX-M-005"), ["S1 T2", "S2 T3"]) == ["S1 T2", "S2 T3"]
    for it, raw, why in [
        (item("EX-M-001"), "Z", "选项不属于本题"),
        (item("EX-M-001"), ["A", "B"], "只能选一个"),
        (item("EX-M-004"), ["A", "B"], "排序须包含"),
        (item("EX-M-005"), ["S1 T2", "S1 T3"], "每个左侧项只能连一条线"),
        (item("EX-M-005"), ["S9 T2"], "连线不属于本题"),
        (item("EX-M-006"), "文字", "答题卡上作答"),
    ]:
        with pytest.raises(ResponseError, match=why):
            read_response(it, raw)
