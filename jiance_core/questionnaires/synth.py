"""Plausible answers for a compiled questionnaire (the demo, benches): every shown question
answered in order with a value its constraint accepts; seeded, so the same seed gives the same
answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from jiance_core.questionnaires.answers import constraint_error
from jiance_core.questionnaires.expr import holds
from jiance_core.questionnaires.xlsform import questions

NUMBERS = (3, 5, 1, 2, 8, 10, 12, 13, 14, 15, 20, 30, 45, 60, 120)
DATES = ("1984-06-01", "1978-09-15", "1990-03-20", "2010-05-01")


def _candidates(form: Mapping[str, Any], q: Mapping[str, Any], rng: np.random.Generator) -> list[Any]:
    kind = q["type"]
    if kind in ("select_one", "select_multiple"):
        names = [c["name"] for c in form["choices"][q["list"]]]
        order = list(rng.permutation(len(names)))
        if kind == "select_one":
            return [names[i] for i in order]
        return [[names[i]] for i in order] + [sorted({names[order[0]], names[order[-1]]})]
    if kind == "integer":
        return [int(n) for n in rng.permutation(NUMBERS)]
    if kind == "decimal":
        return [float(x) for x in (8.5, 7.5, 1.62, 3.0, 10.0)]
    if kind == "date":
        return [DATES[int(i)] for i in rng.permutation(len(DATES))]
    return ["（示例回答）"]


def fill(form: Mapping[str, Any], rng: np.random.Generator, *, share: float = 1.0,
         optional: float = 0.3) -> dict[str, Any]:
    """Answers for the first `share` of the shown questions (1.0: a complete questionnaire); an
    optional question is answered with probability `optional`."""
    qs = questions(form)
    answers: dict[str, Any] = {}
    limit = round(len(qs) * share)
    for q in qs[:limit]:
        if not all(holds(expr, answers) for expr in q["relevant"]):
            continue
        if not q["required"] and rng.random() > optional:
            continue
        for value in _candidates(form, q, rng):
            if constraint_error(form, q, value, answers) is None:
                answers[q["name"]] = value
                break
    return answers
