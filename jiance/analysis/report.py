"""The county and city report of a cycle and stage (issue 14): the data, built by one plain
service function so that a background job can run it as well as a page.

`report_build(*, scope, cycle, unit, stage)` reads the weights of the unit's counties
(`stage_weights`, with the cycle's replicate method), the stage's score set (`ScoreSet`), and
computes per subject the statistics of `jiance_core.analysis.report_stats` for the whole unit,
and the student questionnaires' indicators with the same design (`indicators.py`; also before any
score set is uploaded).
A city report describes the city as one population (its counties' participation is listed in
code order; their results are in their own county reports): no report orders counties or
schools by a result, and no school is named.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.analysis.build import CountyWeights, Settings, StageWeights, stage_weights
from jiance.analysis.indicators import IndicatorSection, indicator_section
from jiance.analysis.models import ScoreSet
from jiance.analysis.scoring import scores_of
from jiance.cycles.models import Cycle
from jiance.stages import stage_name
from jiance.units.models import Level, Unit
from jiance_core.analysis.design import Design, replicate_design, taylor_design
from jiance_core.analysis.report_stats import Minimums, SubjectResult, subject_result

METHOD_TEXT = {
    "jk2": "成对抽样区 JK2 刀切法（TIMSS 式）：各县（区）参测样本校按抽样时的顺序两两配成抽样区，每区一组重复权重",
    "fay": "Fay 平衡重复复制法（PISA 式）：样本校两两配对，按 Hadamard 矩阵加权",
    "taylor": "泰勒线性化（县（区）为层、学校为初级抽样单元）",
}


@dataclass
class Participation:
    code: str
    name: str
    schools: int
    participating: int
    replaced: int
    not_participating: int
    students_drawn: int
    students_tested: int
    frame_enrolment: int
    weighted: float

    @property
    def school_rate(self) -> float | None:
        return self.participating / self.schools if self.schools else None

    @property
    def student_rate(self) -> float | None:
        return self.students_tested / self.students_drawn if self.students_drawn else None


@dataclass
class Report:
    cycle: Cycle
    unit: Unit
    stage: str
    settings: Settings
    minimums: Minimums
    participation: list[Participation]  # one per county, in code order; the unit's total last
    total: Participation
    subjects: list[SubjectResult]
    method: str  # jk2 / fay / taylor
    replicates: int
    scored: int  # tested students with scores
    score_set: ScoreSet | None
    problems: list[str] = field(default_factory=list)
    built_at: dt.datetime | None = None
    questionnaire: IndicatorSection = field(default_factory=IndicatorSection)

    @property
    def stage_name(self) -> str:
        return stage_name(self.stage)

    @property
    def title(self) -> str:
        return f"{self.unit.name}{self.cycle.year}年义务教育质量监测{self.stage_name}结果报告"

    @property
    def method_text(self) -> str:
        return METHOD_TEXT[self.method]


def report_counties(unit: Unit) -> list[Unit]:
    if unit.level == Level.COUNTY:
        return [unit]
    if unit.level == Level.CITY:
        return list(Unit.objects.filter(parent=unit, level=Level.COUNTY, is_active=True).order_by("code"))
    raise ValueError(f"报告只针对县（区）或市：{unit.name}")


def _participation(c: CountyWeights) -> Participation:
    return Participation(c.code, c.name, c.schools, c.participating, c.replaced, c.refused, c.students_drawn,
                         c.students_tested, c.frame_enrolment, c.weighted)


def _design(weights: StageWeights, table: pl.DataFrame) -> tuple[Design, str]:
    w = table["final_weight"].to_numpy().astype(np.float64)
    if weights.replicates:
        reps = table.select(weights.replicate_columns).to_numpy().astype(np.float64)
        method = weights.settings.method
        return replicate_design(w, reps, method, rho=weights.settings.fay_rho if method == "fay" else None), method
    county = table["county"].cast(pl.String).rank("dense").to_numpy().astype(np.int64)
    school = table["school_id"].cast(pl.String).rank("dense").to_numpy().astype(np.int64)
    return taylor_design(w, stratum=county, psu=school), "taylor"


def _in_cycle_order(cycle: Cycle, subjects: dict[str, Any]) -> list[tuple[str, Any]]:
    """The score set's subjects in the cycle's order (then by name): PostgreSQL's jsonb does not
    keep the file's order of the keys, and a report must read the same on either database."""
    names = [str(s.get("name") or s.get("code")) for s in (cycle.config or {}).get("subjects") or []]
    rank = {name: i for i, name in enumerate(names)}
    return sorted(subjects.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))


def report_build(*, scope: Scope, cycle: Cycle, unit: Unit, stage: str) -> Report:
    """The report of a county or a city for one stage (see the module doc)."""
    part = (cycle.config or {}).get("analysis") or {}
    minimums = Minimums(students=int(part.get("min_students") or 30), schools=int(part.get("min_schools") or 3))
    counties = report_counties(unit)
    weights = stage_weights(scope=scope, cycle=cycle, stage=stage, counties=counties)
    rows = [_participation(c) for c in weights.counties]
    total = Participation(
        unit.code, unit.name, schools=sum(r.schools for r in rows), participating=sum(r.participating for r in rows),
        replaced=sum(r.replaced for r in rows), not_participating=sum(r.not_participating for r in rows),
        students_drawn=sum(r.students_drawn for r in rows), students_tested=sum(r.students_tested for r in rows),
        frame_enrolment=sum(r.frame_enrolment for r in rows), weighted=sum(r.weighted for r in rows))
    score_set = ScoreSet.objects.filter(cycle=cycle, stage=stage).first()
    report = Report(cycle=cycle, unit=unit, stage=stage, settings=weights.settings, minimums=minimums,
                    participation=rows, total=total, subjects=[], method=weights.settings.method,
                    replicates=weights.replicates, scored=0, score_set=score_set,
                    problems=list(weights.problems), built_at=clock.now())
    if weights.students.height == 0:
        report.problems.append("没有参测学生的权重：报告只有参测情况。")
        report.questionnaire.missing = "没有参测学生的权重，不计算问卷指标。"
        return report
    table = weights.students
    if score_set is not None:
        table = table.join(scores_of(score_set), on="student_pk", how="left", maintain_order="left")
    design, report.method = _design(weights, table)
    report.questionnaire = indicator_section(cycle=cycle, stage=stage, table=table, design=design, minimums=minimums)
    if score_set is None:
        report.problems.append("本学段尚未上传成绩数据：报告没有学科结果。")
        return report
    for subject, spec in _in_cycle_order(cycle, score_set.subjects):
        cols = [str(c) for c in spec["columns"]]
        result = subject_result(table, design, subject, cols, str(spec["kind"]), minimums=minimums)
        report.subjects.append(result)
        report.scored = max(report.scored, result.mean.students)
    return report
