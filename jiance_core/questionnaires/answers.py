"""Answers against a compiled questionnaire: reading one answer, relevance, the submission check.

The server re-checks here everything the page checks with `xlsexpr.js`: an answer's type and
choices, its `constraint`, and at submission every relevant required question.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from jiance_core.questionnaires.expr import ExprError, holds
from jiance_core.questionnaires.xlsform import questions

INTEGER = re.compile(r"^-?\d{1,12}$")
DECIMAL = re.compile(r"^-?(\d{1,12}(\.\d{0,6})?|\.\d{1,6})$")
MAX_TEXT = 2000


class AnswerError(ValueError):
    """An answer that cannot be taken, with the reason in Chinese."""


def question_map(form: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["name"]: q for q in questions(form)}


def read_answer(form: Mapping[str, Any], question: Mapping[str, Any], raw: Any) -> Any:
    """The stored value of one answer as posted (str, or a list for a multiple choice); None clears it."""
    kind = question["type"]
    if raw is None or raw == "" or raw == []:
        return None
    if kind == "select_multiple":
        values = raw if isinstance(raw, list) else str(raw).split()
        allowed = {c["name"] for c in form["choices"][question["list"]]}
        bad = [v for v in values if v not in allowed]
        if bad:
            raise AnswerError(f"选项“{bad[0]}”不在本题的选项中")
        return [c["name"] for c in form["choices"][question["list"]] if c["name"] in set(values)]
    text = str(raw[0] if isinstance(raw, list) else raw).strip()
    if not text:
        return None
    if kind == "select_one":
        if text not in {c["name"] for c in form["choices"][question["list"]]}:
            raise AnswerError(f"选项“{text}”不在本题的选项中")
        return text
    if kind == "integer":
        if not INTEGER.match(text):
            raise AnswerError("请填写整数")
        return int(text)
    if kind == "decimal":
        if not DECIMAL.match(text):
            raise AnswerError("请填写数字（最多 6 位小数）")
        return float(text)
    if kind == "date":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError as exc:
            raise AnswerError("请填写有效日期（年-月-日）") from exc
    if len(text) > MAX_TEXT:
        raise AnswerError(f"回答过长（最多 {MAX_TEXT} 字）")
    return text


def relevant_names(form: Mapping[str, Any], answers: Mapping[str, Any]) -> set[str]:
    """The questions shown for `answers`, in survey order: a question hidden by its `relevant`
    counts as unanswered for the expressions after it (what ODK does)."""
    seen: dict[str, Any] = {}
    shown: set[str] = set()
    for q in questions(form):
        if all(holds(expr, seen) for expr in q["relevant"]):
            shown.add(q["name"])
            seen[q["name"]] = answers.get(q["name"])
    return shown


def effective(form: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers that count: those of shown questions."""
    shown = relevant_names(form, answers)
    return {k: v for k, v in answers.items() if k in shown}


def constraint_error(form: Mapping[str, Any], question: Mapping[str, Any], value: Any,
                     answers: Mapping[str, Any]) -> str | None:
    """The Chinese message when `value` breaks the question's constraint, else None."""
    if value is None or not question.get("constraint"):
        return None
    try:
        ok = holds(question["constraint"], {**answers, question["name"]: value}, value)
    except ExprError:  # pragma: no cover - checked at upload
        return None
    if ok:
        return None
    return str(question["constraint_message"].get("zh") or "回答不符合本题的要求")


def submission_errors(form: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, str]:
    """name → reason for every shown question that is required and empty or breaks its constraint."""
    out: dict[str, str] = {}
    shown = relevant_names(form, answers)
    counted = {k: v for k, v in answers.items() if k in shown}
    for q in questions(form):
        if q["name"] not in shown:
            continue
        value = answers.get(q["name"])
        if value is None or value == []:
            if q["required"]:
                out[q["name"]] = str(q["required_message"].get("zh") or "本题必答")
            continue
        message = constraint_error(form, q, value, counted)
        if message:
            out[q["name"]] = message
    return out
