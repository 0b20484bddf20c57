"""The export layout of a compiled XLSForm: column names (SPSS rules), codes, values of one response."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiance_core.questionnaires.codebook import (
    META,
    answer_values,
    codebook_rows,
    spss_name,
    variables,
)
from jiance_core.questionnaires.xlsform import compile_rows

SURVEY = [
    {"type": "note", "name": "hello", "label::zh": "说明"},
    {"type": "select_one yn", "name": "status", "label::zh": "是否住校", "label::en": "Boarding", "required": "yes"},
    {"type": "integer", "name": "nights", "label::zh": "每周几晚", "relevant": "${status} = 'yes'",
     "constraint": ". >= 1 and . <= 7"},
    {"type": "select_multiple act", "name": "act", "label::zh": "课余活动", "label::en": "Activities"},
    {"type": "integer", "name": "act_read", "label::zh": "每天阅读几分钟"},
    {"type": "select_one yn", "name": "to", "label::zh": "保留字"},
    {"type": "decimal", "name": "_sleep-hours", "label::zh": "睡眠时间"},
    {"type": "date", "name": "born", "label::zh": "出生日期"},
    {"type": "text", "name": "wish", "label::zh": "建议"},
]
CHOICES = [
    {"list_name": "yn", "name": "yes", "label::zh": "是", "label::en": "Yes"},
    {"list_name": "yn", "name": "no", "label::zh": "否", "label::en": "No"},
    {"list_name": "act", "name": "read", "label::zh": "阅读", "label::en": "Reading"},
    {"list_name": "act", "name": "sport", "label::zh": "运动"},
]


def form() -> dict[str, Any]:
    return compile_rows({"survey": [(i + 2, r) for i, r in enumerate(SURVEY)],
                         "choices": [(i + 2, r) for i, r in enumerate(CHOICES)]})


def test_names_follow_spss_rules_and_never_collide() -> None:
    cols = variables(form())
    names = [v.name for v in cols]
    meta = [v.name for v in META]
    assert names[: len(meta)] == meta
    # `status` is a meta column, `to` a reserved word, `_sleep-hours` starts badly and has a dash;
    # the 0/1 column of choice `read` of `act` would collide with the question `act_read`.
    assert names[len(meta):] == ["status_2", "nights", "act_read", "act_sport", "act_read_2", "to_q",
                                 "v_sleep_hours", "born", "wish"]
    assert len({n.upper() for n in names}) == len(names)
    by_name = {v.name: v for v in cols}
    assert by_name["act_read"].question == "act" and by_name["act_read"].choice == "read"
    assert by_name["act_read_2"].question == "act_read" and by_name["act_read_2"].type == "integer"
    assert spss_name("x" * 100, set()).encode().__len__() <= 64


def test_non_numeric_choices_are_coded_in_list_order_and_the_codebook_says_so() -> None:
    cols = {v.name: v for v in variables(form())}
    yn = cols["status_2"]
    assert yn.type == "code" and dict(yn.names) == {1: "yes", 2: "no"}
    assert yn.values[1] == {"zh": "是", "en": "Yes"}
    rows = {r[0]: r for r in codebook_rows(list(cols.values()), "abc123")}
    assert rows["status_2"][6] == "1 = 是 / Yes [yes]\n2 = 否 / No [no]"
    assert rows["nights"][8] == "${status} = 'yes'" and rows["nights"][9] == ". >= 1 and . <= 7"
    assert rows["act_sport"][2] == "课余活动：运动" and rows["act_sport"][3] == "Activities：运动"
    assert all(r[10] == "abc123" for r in rows.values())


def test_values_of_one_response_count_only_shown_answers() -> None:
    f = form()
    cols = variables(f)
    answers = {"status": "no", "nights": 5, "act": ["sport"], "act_read": 30, "_sleep-hours": 7.5,
               "born": "2012-03-04", "wish": "=1+1"}
    values = dict(zip([v.name for v in cols if v.question], answer_values(f, cols, answers), strict=True))
    assert values == {"status_2": 2, "nights": None,  # hidden by relevant once `status` is no
                      "act_read": 0, "act_sport": 1, "act_read_2": 30, "to_q": None, "v_sleep_hours": 7.5,
                      "born": dt.date(2012, 3, 4), "wish": "=1+1"}
    unanswered = answer_values(f, cols, {})
    assert all(v is None for v in unanswered)  # an unanswered multiple choice is missing, not 0
