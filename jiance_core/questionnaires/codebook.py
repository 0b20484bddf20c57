"""The export layout of one questionnaire version: its variables (the codebook) and one row per response.

Pure Python (no Django): `variables(form)` reads a compiled snapshot (`xlsform.compile_rows`) and
returns the columns every export format shares, in survey order:

- the response's own columns first (`META`): pseudonymous respondent id, respondent kind, school
  and county codes, started/submitted times, status, version number and hash;
- one column per question (grid rows are questions); a `select_one` holds the choice's numeric
  code, a `select_multiple` becomes one 0/1 column per choice (`<question>_<choice>`, the usual
  SPSS practice), `integer`/`decimal` numbers, `date` a date, `text` a string. Notes and headings
  have no column.

Choice codes: a list whose choice names are all integers keeps them (`1` stays 1); any other list
is coded 1..n in the order of the choices sheet. The codebook gives code, XLSForm name and labels.

Variable names follow SPSS's rules (letters, digits, `_`, `.`; ≤ 64 bytes; not a reserved word;
never the name of a meta column): an XLSForm name is kept when it fits, otherwise adjusted (the
codebook keeps the XLSForm name beside it).

Values: only the answers that count (`answers.effective`: a question hidden by `relevant` is
missing even when it had been answered before being hidden); missing is `None` everywhere
(system-missing in SPSS, an empty cell in CSV/XLSX).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jiance_core.questionnaires.answers import effective
from jiance_core.questionnaires.xlsform import questions

RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
MAX_NAME_BYTES = 64
KIND_LABELS = {"student": ("学生", "Student"), "principal": ("校长", "Principal"), "teacher": ("教师", "Teacher"),
               "county_manager": ("区县教育管理人员", "County education manager"), "parent": ("家长", "Parent")}
STATUS_LABELS = {"started": ("已开始未提交", "Started, not submitted"), "submitted": ("已提交", "Submitted")}


@dataclass(frozen=True)
class Variable:
    name: str  # the column's name in every format
    label: Mapping[str, str]  # {"zh": ..., "en": ...}
    type: str  # string | integer | decimal | date | datetime | binary (0/1) | code (select_one)
    question: str = ""  # the XLSForm question name ("" for meta columns)
    xlsform_type: str = ""  # select_one / select_multiple / integer / … ("" for meta columns)
    choice: str = ""  # the choice name of a select_multiple's 0/1 column
    values: Mapping[Any, Mapping[str, str]] = field(default_factory=dict)  # code → {"zh", "en"}
    names: Mapping[Any, str] = field(default_factory=dict)  # code → XLSForm choice name
    relevant: str = ""
    constraint: str = ""
    required: bool = False

    @property
    def numeric(self) -> bool:
        return self.type in ("integer", "decimal", "binary", "code")


META: tuple[Variable, ...] = (
    Variable("resp_id", {"zh": "填答者编号（假名）", "en": "Respondent id (pseudonym)"}, "string"),
    Variable("resp_kind", {"zh": "填答对象", "en": "Respondent kind"}, "string",
             values={k: {"zh": zh, "en": en} for k, (zh, en) in KIND_LABELS.items()}),
    Variable("school_code", {"zh": "学校代码", "en": "School code"}, "string"),
    Variable("county_code", {"zh": "区县代码", "en": "County code"}, "string"),
    Variable("started_at", {"zh": "开始填答时间", "en": "Started at"}, "datetime"),
    Variable("submitted_at", {"zh": "提交时间", "en": "Submitted at"}, "datetime"),
    Variable("status", {"zh": "填答状态", "en": "Status"}, "string",
             values={k: {"zh": zh, "en": en} for k, (zh, en) in STATUS_LABELS.items()}),
    Variable("version", {"zh": "问卷版本号", "en": "Version number"}, "integer"),
    Variable("version_hash", {"zh": "问卷版本指纹（SHA-256）", "en": "Version hash (SHA-256)"}, "string"),
)
IDENTIFIED: tuple[Variable, ...] = (
    Variable("resp_name", {"zh": "姓名", "en": "Name"}, "string"),
    Variable("student_no", {"zh": "学号", "en": "Student number"}, "string"),
    Variable("login", {"zh": "登录号", "en": "Slip login"}, "string"),
    Variable("account", {"zh": "账号", "en": "Account"}, "string"),
)


def spss_name(raw: str, used: set[str]) -> str:
    """`raw` made a valid, unused SPSS variable name (case-insensitive uniqueness, as SPSS has)."""
    name = re.sub(r"[^A-Za-z0-9_.]", "_", raw) or "v"
    if not name[0].isalpha():
        name = "v" + name
    name = name.rstrip(".")
    while len(name.encode()) > MAX_NAME_BYTES - 4:
        name = name[:-1]
    if name.upper() in RESERVED:
        name += "_q"
    candidate, n = name, 2
    while candidate.upper() in used:
        candidate, n = f"{name}_{n}", n + 1
    used.add(candidate.upper())
    return candidate


def choice_codes(choices: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """XLSForm choice name → numeric code (the names themselves when all are integers)."""
    names = [str(c["name"]) for c in choices]
    if all(re.fullmatch(r"-?\d{1,9}", n) for n in names):
        return {n: int(n) for n in names}
    return {n: i for i, n in enumerate(names, start=1)}


def variables(form: Mapping[str, Any], *, identified: bool = False) -> list[Variable]:
    """Every column of an export of `form`, in order (meta columns, then the questions)."""
    out: list[Variable] = list(META) + (list(IDENTIFIED) if identified else [])
    used = {v.name.upper() for v in out} | {v.name.upper() for v in IDENTIFIED}
    for q in questions(form):
        common = {"question": q["name"], "xlsform_type": q["type"], "relevant": " and ".join(
            f"({r})" if len(q["relevant"]) > 1 else r for r in q["relevant"]), "constraint": q["constraint"] or "",
            "required": bool(q["required"])}
        label = dict(q["label"])
        if q["type"] == "select_one":
            choices = form["choices"][q["list"]]
            codes = choice_codes(choices)
            out.append(Variable(spss_name(q["name"], used), label, "code", **common,
                                values={codes[c["name"]]: dict(c["label"]) for c in choices},
                                names={codes[c["name"]]: c["name"] for c in choices}))
        elif q["type"] == "select_multiple":
            for c in form["choices"][q["list"]]:
                sub = {lang: f"{text}：{c['label'].get(lang) or c['label'].get('zh', c['name'])}"
                       for lang, text in label.items()}
                out.append(Variable(spss_name(f"{q['name']}_{c['name']}", used), sub, "binary", **common,
                                    choice=c["name"],
                                    values={0: {"zh": "未选", "en": "Not selected"}, 1: {"zh": "选中", "en": "Selected"}}))
        else:
            out.append(Variable(spss_name(q["name"], used), label, q["type"] if q["type"] != "text" else "string",
                                **common))
    return out


def _value(var: Variable, answer: Any, codes: Mapping[str, int] | None) -> Any:
    if answer is None:
        return None
    if var.type == "binary":
        return 1 if var.choice in (answer if isinstance(answer, list) else str(answer).split()) else 0
    if var.type == "code":
        return (codes or {}).get(str(answer))
    if var.type == "integer":
        return int(answer)
    if var.type == "decimal":
        return float(answer)
    if var.type == "date":
        return dt.date.fromisoformat(str(answer))
    return str(answer)


def answer_values(form: Mapping[str, Any], cols: Sequence[Variable], answers: Mapping[str, Any]) -> list[Any]:
    """The question columns' values for one response's stored answers (meta columns excluded)."""
    counted = effective(form, answers)
    lists = {q["name"]: choice_codes(form["choices"][q["list"]]) for q in questions(form) if q["type"] == "select_one"}
    return [_value(v, counted.get(v.question), lists.get(v.question)) for v in cols if v.question]


def value_text(var: Variable) -> str:
    """The codebook's "values" cell: `1 = 男 / Male (1)` per line (the XLSForm name when it differs)."""
    lines = []
    for code, label in var.values.items():
        text = " / ".join(t for t in (label.get("zh"), label.get("en")) if t)
        name = var.names.get(code)
        lines.append(f"{code} = {text}" + (f" [{name}]" if name is not None and str(name) != str(code) else ""))
    return "\n".join(lines)


CODEBOOK_HEADERS = ("变量 variable", "题目 question", "标签（中文）", "label (en)", "类型 type", "XLSForm 题型",
                    "取值 values", "必答 required", "显示条件 relevant", "约束 constraint", "版本指纹 version hash")


def codebook_rows(cols: Sequence[Variable], version_hash: str) -> list[list[Any]]:
    return [[v.name, v.question + (f" = {v.choice}" if v.choice else ""), v.label.get("zh", ""), v.label.get("en", ""),
             v.type, v.xlsform_type, value_text(v), ("yes" if v.required else "") if v.question else "", v.relevant,
             v.constraint, version_hash] for v in cols]
