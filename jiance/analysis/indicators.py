"""The questionnaire indicators of a county or city report (issue 14): the student questionnaires'
answers merged with the weights and estimated with the report's design.

- **Which questionnaires**: the cycle's questionnaires answered by students (`questionnaires:`
  entries naming `student`), in the cycle's order.
- **Which answers**: real (never practice), **submitted** responses of student respondents of the
  stage whose student is a tested student of the report's weights: the questionnaire's respondent
  carries the roster student (`Respondent.student`), the same student the weights and the score
  set are keyed by (`student_pk`; the score file reaches it through the weight file's pseudonym).
  Each answer counts as the answering page counted it (`answers.effective`: a question hidden by
  its `relevant` is unanswered) on the version the response was given on.
- **Which items**: those of the newest version answered (`indicator_stats.indicator_items`, form
  order): select_one → proportions, integer/decimal → means, Likert grids → mean of each
  statement's codes; free text, dates, multiple choices and identifying items are left out.
  At most `MAX_INDICATORS` per report (the rest named in a note).
- **Estimates**: `indicator_stats.indicator_result` with the report's design and minimums.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from jiance.cycles.models import Cycle
from jiance.questionnaires.models import Answer, FormVersion, Kind, Questionnaire, Response
from jiance_core.analysis.design import Design
from jiance_core.analysis.indicator_stats import (
    Indicator,
    Item,
    answer_value,
    indicator_items,
    indicator_result,
)
from jiance_core.analysis.report_stats import Minimums
from jiance_core.questionnaires.answers import effective

MAX_INDICATORS = 40
BATCH = 1000
PREFIX = "q:"


@dataclass
class QuestionnaireIndicators:
    code: str
    name: str
    versions: list[int]  # the version numbers answered (items from the newest)
    responses: int  # submitted responses of the unit's tested students
    indicators: list[Indicator] = field(default_factory=list)


@dataclass
class IndicatorSection:
    questionnaires: list[QuestionnaireIndicators] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)  # student questionnaires without a counted answer
    left_out: int = 0  # items beyond MAX_INDICATORS
    missing: str = ""  # one sentence when there is nothing to show

    @property
    def indicators(self) -> list[Indicator]:
        return [i for q in self.questionnaires for i in q.indicators]

    @property
    def students(self) -> int:
        return max((q.responses for q in self.questionnaires), default=0)


def student_questionnaires(cycle: Cycle) -> list[dict[str, Any]]:
    return [q for q in (cycle.config or {}).get("questionnaires") or []
            if Kind.STUDENT in (q.get("respondents") or [])]


def _responses(q: Questionnaire, stage: str, schools: list[str], students: set[int]) -> list[tuple[int, int, int]]:
    """(response, student, version) of the submitted real responses of the tested students; one
    per student (the latest submitted)."""
    rows = (Response.objects.filter(questionnaire=q, practice=False, submitted_at__isnull=False,
                                    respondent__kind=Kind.STUDENT, respondent__stage=stage,
                                    respondent__unit__code__in=schools, respondent__student__isnull=False)
            .order_by("submitted_at", "pk").values_list("pk", "respondent__student_id", "version_id"))
    latest = {int(student): (int(pk), int(version)) for pk, student, version in rows if int(student) in students}
    return [(pk, student, version) for student, (pk, version) in latest.items()]


def _frame(found: list[tuple[int, int, int]], items: list[Item], forms: dict[int, dict[str, Any]]) -> pl.DataFrame:
    """student_pk and a column per item column (prefixed): the counted answers."""
    columns = [(item, col) for item in items for col in item.columns]
    data: dict[str, list[Any]] = {"student_pk": [s for _r, s, _v in found]}
    for _item, col in columns:
        data[PREFIX + col] = []
    for start in range(0, len(found), BATCH):
        chunk = found[start:start + BATCH]
        answers: dict[int, dict[str, Any]] = {r: {} for r, _s, _v in chunk}
        for rid, name, value in Answer.objects.filter(response_id__in=list(answers)).values_list(
                "response_id", "name", "value"):
            answers[rid][name] = value
        for rid, _student, version in chunk:
            counted = effective(forms[version], answers[rid])
            for item, col in columns:
                data[PREFIX + col].append(answer_value(item, counted.get(col)))
    schema: dict[str, Any] = {"student_pk": pl.Int64}
    for item, col in columns:
        schema[PREFIX + col] = pl.String if item.kind == "share" else pl.Float64
    return pl.DataFrame(data, schema=schema)


def indicator_section(*, cycle: Cycle, stage: str, table: pl.DataFrame, design: Design,
                      minimums: Minimums) -> IndicatorSection:
    """The section of the report (see the module doc). ``table``: the design's students in its
    order (``student_pk``, ``school_id``, ``sex``, ``area``)."""
    section = IndicatorSection()
    listed = student_questionnaires(cycle)
    if not listed:
        section.missing = "本周期没有学生问卷，报告不含问卷指标。"
        return section
    students = set(table["student_pk"].to_list())
    schools = sorted(set(table["school_id"].cast(pl.String).to_list()))
    by_code = {q.code: q for q in Questionnaire.objects.filter(cycle=cycle, code__in=[c["code"] for c in listed])}
    room = MAX_INDICATORS
    for config in listed:
        q = by_code.get(config["code"])
        found = _responses(q, stage, schools, students) if q is not None and students else []
        if not found:
            section.unanswered.append(str(config.get("name") or config["code"]))
            continue
        assert q is not None
        answered = FormVersion.objects.filter(pk__in={v for _r, _s, v in found}).values_list("pk", "number", "form")
        numbers = {pk: number for pk, number, _form in answered}
        forms = {pk: form for pk, _number, form in answered}
        newest = max(numbers, key=lambda pk: numbers[pk])
        items = indicator_items(forms[newest])
        if len(items) > room:
            section.left_out += len(items) - room
            items = items[:room]
        room -= len(items)
        part = QuestionnaireIndicators(config["code"], str(config.get("name") or q.name),
                                       sorted(numbers.values()), len(found))
        if items:
            answers = _frame(found, items, forms)
            merged = table.select("student_pk", "school_id", *[c for c in ("sex", "area") if c in table.columns]) \
                .join(answers, on="student_pk", how="left", maintain_order="left")
            part.indicators = [indicator_result(merged, design, item, questionnaire=part.name, minimums=minimums,
                                                prefix=PREFIX) for item in items]
        section.questionnaires.append(part)
    if not section.questionnaires:
        section.missing = "本学段参测学生尚无已提交的学生问卷，报告不含问卷指标。"
    return section
