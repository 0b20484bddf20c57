"""Questionnaire indicators of a county or city report (issue 14): which items of a student
questionnaire become indicators, and their weighted estimates by domain.

Items (`indicator_items(form)`, in form order):

- a ``select_one`` question → the weighted **proportion of each category** among the students who
  answered it (``share``);
- an ``integer`` or ``decimal`` question → the weighted **mean** (``mean``);
- a Likert grid (a ``table-list`` group, every row a ``select_one`` of one list) → the weighted
  **mean code** of each statement (``scale``: 1 … k as the choices are coded in the export's
  codebook, `codebook.choice_codes`).

Skipped: free text, dates, multiple choices, and items that identify a person or repeat a domain
of the report (`IDENTIFYING`: name, number, ID, phone, address, birth, sex — the report's sex is
the roster's).

Estimation (`indicator_result`): every statistic is a ratio of weighted totals
(`estimators.ratios`, the report's design: replicate weights of the cycle's method, or Taylor),
the denominator being the students who answered the item (a student without an answer stays in
the design with zeros: domain estimation). For the whole unit and each domain of
`INDICATOR_GROUPS` that has students in the design; a domain with fewer answering students or schools than the minimums has no
estimate and says why (`Minimums.reason`), like the score results. Nothing here orders units.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from jiance_core.analysis.design import Design
from jiance_core.analysis.estimators import ratios
from jiance_core.analysis.report_stats import Estimate, Minimums
from jiance_core.questionnaires.codebook import choice_codes

ALL = "全体"
INDICATOR_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("sex", "性别", ("男", "女")),
    ("area", "城乡", ("城区", "镇区", "乡村")),
)
IDENTIFYING_NAMES = re.compile(
    r"^(name|full_?name|student_?(no|id|number)|id(_?(no|number|card))?|national_id|phone|mobile|tel|address"
    r"|birth.*|dob|sex|gender)$", re.IGNORECASE)
IDENTIFYING_LABELS = re.compile(r"姓名|学号|学籍号|身份证|电话|手机|住址|地址|出生|性别")


@dataclass(frozen=True)
class Item:
    name: str  # the XLSForm question (a grid: the group's name); the frame's column(s)
    label: str  # the XLSForm label (zh)
    kind: str  # share | mean | scale
    levels: tuple[tuple[str, str], ...] = ()  # share: (choice name, label); scale: (row question, statement)
    scale: tuple[tuple[str, int, str], ...] = ()  # scale: (choice name, code, label) of the grid's list
    type: str = ""  # the XLSForm type (select_one / integer / decimal / grid)

    @property
    def columns(self) -> list[str]:
        return [q for q, _label in self.levels] if self.kind == "scale" else [self.name]


def _zh(label: Mapping[str, str], default: str) -> str:
    return str(label.get("zh") or next(iter(label.values()), "") or default)


def identifying(q: Mapping[str, Any]) -> bool:
    return bool(IDENTIFYING_NAMES.match(str(q["name"])) or IDENTIFYING_LABELS.search(_zh(q["label"], "")))


def indicator_items(form: Mapping[str, Any]) -> list[Item]:
    """The items of a compiled questionnaire (`xlsform.compile_rows`) that become indicators."""
    out: list[Item] = []
    for item in form["items"]:
        if item["kind"] == "grid":
            choices = form["choices"][item["list"]]
            codes = choice_codes(choices)
            rows = tuple((r["name"], _zh(r["label"], r["name"])) for r in item["rows"] if not identifying(r))
            if rows:
                out.append(Item(item["name"], _zh(item["label"], item["name"]), "scale", rows,
                                tuple((c["name"], codes[c["name"]], _zh(c["label"], c["name"])) for c in choices),
                                "grid"))
        elif item["kind"] == "question" and not identifying(item):
            if item["type"] == "select_one":
                levels = tuple((c["name"], _zh(c["label"], c["name"])) for c in form["choices"][item["list"]])
                out.append(Item(item["name"], _zh(item["label"], item["name"]), "share", levels, type="select_one"))
            elif item["type"] in ("integer", "decimal"):
                out.append(Item(item["name"], _zh(item["label"], item["name"]), "mean", type=item["type"]))
    return out


def answer_value(item: Item, value: Any) -> Any:
    """One stored answer as the item's column holds it: a choice name (share), a number (mean),
    the choice's code (a scale's row); None when it does not fit the item (another version's
    choice, a multiple answer)."""
    if value is None or isinstance(value, (list, dict, bool)):
        return None
    if item.kind == "share":
        return str(value) if str(value) in {n for n, _l in item.levels} else None
    if item.kind == "scale":
        return next((float(code) for name, code, _l in item.scale if name == str(value)), None)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


@dataclass
class DomainRow:
    group: str  # 全体 / 性别 / 城乡
    domain: str  # 全体 / 男 / …
    values: list[tuple[str, Estimate]]  # (category or statement label, estimate); a mean: ("平均", …)


@dataclass
class Indicator:
    item: Item
    questionnaire: str  # its name
    answered: int  # students of the unit who answered it (in the design)
    rows: list[DomainRow] = field(default_factory=list)

    @property
    def overall(self) -> DomainRow:
        return self.rows[0]


def _domain_codes(frame: pl.DataFrame, column: str, names: tuple[str, ...]) -> np.ndarray:
    index = {v: i for i, v in enumerate(names)}
    values = frame.get_column(column).cast(pl.String).fill_null("")
    return values.replace_strict(index, default=len(names), return_dtype=pl.Int64).to_numpy().astype(np.int64)


def _arrays(frame: pl.DataFrame, item: Item, prefix: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(num, den, valid) (n, k) and the k labels."""
    if item.kind == "share":
        answer = frame.get_column(prefix + item.name).cast(pl.String)
        valid1 = answer.is_not_null().to_numpy()
        ans = answer.fill_null("").to_numpy()
        num = np.column_stack([(ans == name) & valid1 for name, _l in item.levels]).astype(np.float64)
        valid = np.repeat(valid1[:, None], len(item.levels), axis=1)
        return num, valid.astype(np.float64), valid, [label for _n, label in item.levels]
    cols = [frame.get_column(prefix + c).cast(pl.Float64).fill_null(np.nan).to_numpy() for c in item.columns]
    y = np.column_stack(cols)
    valid = np.isfinite(y)
    labels = [label for _q, label in item.levels] if item.kind == "scale" else ["平均"]
    return np.where(valid, y, 0.0), valid.astype(np.float64), valid, labels


def indicator_result(frame: pl.DataFrame, design: Design, item: Item, *, questionnaire: str, minimums: Minimums,
                     school: str = "school_id", prefix: str = "") -> Indicator:
    """The item's estimates for the whole unit and each domain (see the module doc). ``frame``
    has one row per student of the design, in the design's order, with the item's column(s)
    (named ``prefix`` + the item's column)."""
    num, den, valid, labels = _arrays(frame, item, prefix)
    schools = frame.get_column(school).cast(pl.String).rank("dense").to_numpy().astype(np.int64)
    answered = valid.any(axis=1)
    out = Indicator(item, questionnaire, int(answered.sum()))
    passes: list[tuple[str, tuple[str, ...], np.ndarray]] = [(ALL, (ALL,), np.zeros(design.n, dtype=np.int64))]
    for column, label, names in INDICATOR_GROUPS:
        if column in frame.columns:
            passes.append((label, names, _domain_codes(frame, column, names)))
    for group, names, dom in passes:
        n_dom = len(names) + (0 if group == ALL else 1)
        res = ratios(design, num, den, valid, dom, n_dom)
        for d, domain in enumerate(names):
            inside = dom == d
            if not inside.any():
                continue  # no student of the unit in this domain (a county without 镇区 schools)
            values = []
            for j, label in enumerate(labels):
                took = valid[:, j] & inside
                students = int(took.sum())
                n_schools = int(np.unique(schools[took]).size)
                why = minimums.reason(students, n_schools) if students else "没有学生作答：不报告结果"
                values.append((label, Estimate(
                    float("nan") if why else float(res.est[d, j]),
                    float("nan") if why else float(np.sqrt(max(res.var[d, j], 0.0))), students, n_schools, why)))
            out.rows.append(DomainRow(group, domain, values))
    return out
