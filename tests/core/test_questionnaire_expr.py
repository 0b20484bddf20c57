from __future__ import annotations

import math

import pytest

from jiance_core.questionnaires.expr import ExprError, evaluate, holds, parse, references
from tests.core.questionnaire_expr_table import TABLE


@pytest.mark.parametrize(("text", "answers", "current", "expected"), TABLE, ids=[t[0] for t in TABLE])
def test_the_table(text: str, answers: dict, current: object, expected: object) -> None:
    value = evaluate(parse(text), answers, current)
    if isinstance(expected, bool):
        assert value is expected
    else:
        assert isinstance(value, float) and math.isclose(value, float(expected))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("today() > 1", "不支持函数 today()"),
        ("${a} = ", "表达式不完整"),
        ("${a} = 1)", "多余的“)”"),
        ("/data/a = 1", "无法识别"),
        ("a = 1", "不支持路径或名称“a”"),
        ("selected(${a})", "需要 2 个参数"),
        ("regex(., '[0-9]+')", "不支持函数 regex()"),
        ("if(${a} = 1, 2, 3)", "不支持函数 if()"),
        ("", "表达式为空"),
    ],
)
def test_outside_the_subset_is_refused_in_chinese(text: str, reason: str) -> None:
    with pytest.raises(ExprError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse(text)


def test_references_and_holds() -> None:
    assert references(parse("selected(${a}, '1') and ${b} > . + ${c}")) == {"a", "b", "c"}
    assert holds("", {}) is True
    assert holds("${a} = '1'", {"a": "1"}) is True
    assert holds("${a} = '1'", {"a": "2"}) is False
