"""XLSForm → snapshot: what is accepted, and each unsupported feature refused with sheet, row and reason."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook

from jiance_core.questionnaires.answers import (
    AnswerError,
    read_answer,
    relevant_names,
    submission_errors,
)
from jiance_core.questionnaires.xlsform import (
    XLSFormError,
    compile_rows,
    form_hash,
    questions,
    read_workbook,
)

CHOICES = [
    {"list_name": "yn", "name": "1", "label::zh": "是", "label::en": "Yes"},
    {"list_name": "yn", "name": "2", "label::zh": "否", "label::en": "No"},
    {"list_name": "agree", "name": "1", "label::zh": "非常不同意"},
    {"list_name": "agree", "name": "2", "label::zh": "不同意"},
    {"list_name": "agree", "name": "3", "label::zh": "同意"},
    {"list_name": "agree", "name": "4", "label::zh": "非常同意"},
]
SURVEY = [
    {"type": "note", "name": "intro", "label::zh": "示例问卷说明", "label::en": "Example"},
    {"type": "select_one yn", "name": "q1", "label::zh": "你是否住校？", "required": "yes"},
    {"type": "integer", "name": "q2", "label::zh": "每周住校几天？", "relevant": "${q1} = '1'",
     "constraint": ". >= 1 and . <= 7", "constraint_message::zh": "请填 1-7"},
    {"type": "select_multiple yn", "name": "q3", "label::zh": "多选", "constraint": "count-selected(.) <= 1"},
    {"type": "decimal", "name": "q4", "label::zh": "身高（米）"},
    {"type": "text", "name": "q5", "label::zh": "其他"},
    {"type": "date", "name": "q6", "label::zh": "出生日期"},
    {"type": "begin_group", "name": "g1", "label::zh": "你同意下列说法吗？", "appearance": "table-list",
     "relevant": "${q1} != ''"},
    {"type": "select_one agree", "name": "g1_a", "label::zh": "我喜欢学校", "required": "yes"},
    {"type": "select_one agree", "name": "g1_b", "label::zh": "老师关心我"},
    {"type": "end_group", "name": ""},
]


def rows(survey: list[dict[str, str]], choices: list[dict[str, str]] | None = None,
         settings: dict[str, str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"survey": [(i + 2, r) for i, r in enumerate(survey)],
                           "choices": [(i + 2, r) for i, r in enumerate(CHOICES if choices is None else choices)]}
    if settings is not None:
        out["settings"] = [(2, settings)]
    return out


def test_a_supported_form_compiles_to_a_stable_snapshot() -> None:
    form = compile_rows(rows(SURVEY, settings={"form_title::zh": "示例", "form_id": "ex", "version": "3"}))
    assert form["title"] == {"zh": "示例"} and form["form_id"] == "ex" and form["version_label"] == "3"
    kinds = [(i["kind"], i["name"]) for i in form["items"]]
    assert kinds[:2] == [("note", "intro"), ("question", "q1")]
    grid = form["items"][-1]
    assert grid["kind"] == "grid" and grid["list"] == "agree" and [r["name"] for r in grid["rows"]] == ["g1_a", "g1_b"]
    assert [q["name"] for q in questions(form)][-2:] == ["g1_a", "g1_b"]
    assert questions(form)[-1]["relevant"] == ["${q1} != ''"]
    assert form["languages"] == ["zh", "en"]
    assert form["items"][0]["label"] == {"zh": "示例问卷说明", "en": "Example"}
    assert form_hash(form) == form_hash(compile_rows(rows(SURVEY, settings={"form_title::zh": "示例", "form_id": "ex", "version": "3"})))
    changed = [dict(r) for r in SURVEY]
    changed[1]["label::zh"] = "你是否住在学校？"
    assert form_hash(compile_rows(rows(changed))) != form_hash(form)


def refusal(extra: dict[str, str] | list[dict[str, str]], choices: list[dict[str, str]] | None = None) -> str:
    survey = [*SURVEY, *(extra if isinstance(extra, list) else [extra])]
    with pytest.raises(XLSFormError) as err:
        compile_rows(rows(survey, choices))
    return str(err.value)


ROW = len(SURVEY) + 2  # the sheet row of the first extra line


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"type": "calculate", "name": "c", "calculation": "1 + 1"}, "不支持计算字段（calculate）"),
        ({"type": "begin_repeat", "name": "r", "label": "重复"}, "不支持重复组（begin_repeat）"),
        ({"type": "geopoint", "name": "g", "label": "位置"}, "不支持定位题（geopoint）"),
        ({"type": "image", "name": "i", "label": "照片"}, "不支持上传图片"),
        ({"type": "range", "name": "r2", "label": "滑块"}, "不支持滑块题（range）"),
        ({"type": "time", "name": "t", "label": "时间"}, "不支持时间题（time）"),
        ({"type": "start", "name": "s"}, "不支持元数据字段（start）"),
        ({"type": "text", "name": "d", "label": "默认", "default": "x"}, "不支持默认值（default）"),
        ({"type": "select_one yn", "name": "f", "label": "筛选", "choice_filter": "name = '1'"},
         "不支持选项筛选（choice_filter）"),
        ({"type": "select_one yn or_other", "name": "o", "label": "其他"}, "不支持“其他（请注明）”"),
        ({"type": "text", "name": "m", "label": "图", "media::image": "a.png"}, "不支持多媒体列"),
        ({"type": "text", "name": "e", "label": "x", "relevant": "today() > 1"}, "不支持函数 today()"),
        ({"type": "text", "name": "e2", "label": "x", "relevant": "${nope} = 1"}, "引用了不存在的题目：nope"),
        ({"type": "text", "name": "e3", "label": "x", "constraint": "regex(., '[0-9]')"}, "不支持函数 regex()"),
        ({"type": "select_one nolist", "name": "n", "label": "x"}, "选项列表“nolist”在 choices 工作表中不存在"),
        ({"type": "text", "name": "q1", "label": "x"}, "题目名称“q1”重复"),
        ({"type": "text", "name": "1bad", "label": "x"}, "题目名称（name）“1bad”无效"),
        ({"type": "text", "name": "nolabel", "label::en": "English only"}, "缺少中文标签"),
        ({"type": "barcode", "name": "b", "label": "x"}, "不支持扫码题"),
    ],
)
def test_each_unsupported_feature_is_refused_with_sheet_row_and_reason(extra: dict[str, str], reason: str) -> None:
    message = refusal(extra)
    assert f"工作表“survey”第 {ROW} 行" in message and reason in message


@pytest.mark.parametrize(
    ("group", "reason"),
    [
        ([{"type": "select_multiple agree", "name": "x1", "label": "x"}], "只能有单选题"),
        ([{"type": "select_one agree", "name": "x1", "label": "x"}, {"type": "select_one yn", "name": "x2", "label": "y"}],
         "必须使用同一选项列表"),
        ([{"type": "note", "name": "x1", "label": "x"}], "只能有单选题"),
    ],
)
def test_a_likert_grid_is_select_one_from_one_list(group: list[dict[str, str]], reason: str) -> None:
    message = refusal([{"type": "begin_group", "name": "gg", "label": "表格", "appearance": "table-list"},
                       *group, {"type": "end_group"}])
    assert reason in message


def test_unbalanced_groups_and_bad_choices_are_refused() -> None:
    assert "begin_group 没有对应的 end_group" in refusal({"type": "begin_group", "name": "open", "label": "x"})
    assert "end_group 没有对应的 begin_group" in refusal({"type": "end_group"})
    message = refusal([], choices=[*CHOICES, {"list_name": "yn", "name": "1", "label": "重复"}])
    assert "工作表“choices”第 8 行" in message and "选项“1”重复" in message


def test_several_problems_are_all_named() -> None:
    message = refusal([{"type": "calculate", "name": "c1", "calculation": "1"}, {"type": "time", "name": "t1", "label": "x"}])
    assert f"第 {ROW} 行" in message and f"第 {ROW + 1} 行" in message


def test_answers_are_read_checked_and_relevance_follows_the_rules() -> None:
    form = compile_rows(rows(SURVEY))
    qmap = {q["name"]: q for q in questions(form)}
    assert read_answer(form, qmap["q2"], " 5 ") == 5
    assert read_answer(form, qmap["q3"], ["2", "1"]) == ["1", "2"]
    assert read_answer(form, qmap["q6"], "2010-05-01") == "2010-05-01"
    assert read_answer(form, qmap["q4"], "1.62") == 1.62
    assert read_answer(form, qmap["q5"], "") is None
    for name, raw, reason in [("q1", "9", "不在本题的选项中"), ("q2", "5.5", "请填写整数"), ("q6", "2010-13-01", "有效日期"),
                              ("q4", "abc", "请填写数字")]:
        with pytest.raises(AnswerError, match=reason):
            read_answer(form, qmap[name], raw)
    assert "q2" not in relevant_names(form, {"q1": "2", "q2": 3})
    assert "q2" in relevant_names(form, {"q1": "1"})
    errors = submission_errors(form, {"q1": "1", "q2": 9})
    assert errors == {"q2": "请填 1-7", "g1_a": "本题必答"}
    # a hidden question's answer does not count, even when it breaks its constraint
    assert submission_errors(form, {"q1": "2", "q2": 9, "g1_a": "3"}) == {}
    assert submission_errors(form, {}) == {"q1": "本题必答"}  # the grid is hidden while q1 is unanswered


def test_a_workbook_is_read_through_the_guarded_reader() -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "survey"
    ws.append(["type", "name", "label::zh", "label::English (en)", "required"])
    ws.append(["integer", "age", "年龄", "Age", "yes"])
    ws.append([])
    ws.append(["text", "why", "原因", None, None])
    wb.create_sheet("settings").append(["form_title", "form_id"])
    wb["settings"].append(["测试", "t1"])
    buf = io.BytesIO()
    wb.save(buf)
    sheets = read_workbook(buf.getvalue())
    assert [n for n, _ in sheets["survey"]] == [2, 4]
    form = compile_rows(sheets)
    assert form["title"] == {"zh": "测试"} and questions(form)[0]["label"] == {"zh": "年龄", "en": "Age"}
