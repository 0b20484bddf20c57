"""Synthetic data for a cycle and stage (the demo and the report tests): scores — every tested
student of the area gets plausible values from `jiance_core.analysis.synth_scores` (county, school,
area and sex effects), uploaded through the same import as a real score file — and the tested
students' answers to a student questionnaire."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl
from django.db.models import Count

from jiance.accounts.scoping import Scope
from jiance.aftertest.models import TestedStudent
from jiance.analysis.build import stage_weights
from jiance.analysis.records import REPORTED, TESTED
from jiance.analysis.scoring import ScoreImport, score_import
from jiance.analysis.services import pseudonym
from jiance.cycles.models import Cycle
from jiance.questionnaires.models import Answer, Kind, Questionnaire, Respondent, Response
from jiance.questionnaires.services.respondents import new_code
from jiance.units.models import Unit
from jiance_core.analysis.synth_scores import synthetic_scores
from jiance_core.questionnaires.answers import constraint_error
from jiance_core.questionnaires.synth import fill
from jiance_core.questionnaires.xlsform import questions


def synthetic_score_file(*, scope: Scope, cycle: Cycle, stage: str, counties: Sequence[Unit], seed: int,
                         subjects: tuple[str, ...] = ("语文", "数学")) -> bytes:
    """A Parquet score file (``student_id`` = the weight file's pseudonym, ``<科目>_PV1…5``)."""
    tested = stage_weights(scope=scope, cycle=cycle, stage=stage, counties=counties).students
    if tested.height == 0:
        return b""
    frame = synthetic_scores(tested.select("student_pk", "school_id", "county", "sex", "area"), seed=seed,
                             subjects=subjects)
    out = frame.select(
        pl.col("student_pk").map_elements(lambda pk: pseudonym(cycle.code, int(pk)), return_dtype=pl.String)
        .alias("student_id"),
        *[c for c in frame.columns if "_PV" in c],
    )
    buf = io.BytesIO()
    out.write_parquet(buf)
    return buf.getvalue()


def synthetic_scores_import(*, scope: Scope, cycle: Cycle, stage: str, counties: Sequence[Unit], seed: int,
                            actor: Any) -> ScoreImport | None:
    content = synthetic_score_file(scope=scope, cycle=cycle, stage=stage, counties=counties, seed=seed)
    if not content:
        return None
    return score_import(scope=scope, cycle=cycle, stage=stage, content=content,
                        filename=f"synthetic-scores-{cycle.code}-{stage}.parquet", actor=actor)


def synthetic_student_answers(*, cycle: Cycle, stage: str, area: Unit, questionnaire: Questionnaire,
                              at: dt.datetime, seed: int, submitted: float = 0.9, started: float = 0.05) -> int:
    """Answers of the area's tested students of `stage` to a student questionnaire (the demo and
    the report tests): a share `submitted` answer it completely and submit (`questionnaire.synth.
    fill`, the sex as on the roster, the age the grade's, decimals spread around fill's value), a share `started` stop part-way (not
    counted by the reports); the rest never open it. Written in bulk (a city's thousands of
    students: the answering services one save at a time would take minutes), as the services would
    store them: a slip respondent per student, a response on the published version, the answers
    with sequence numbers. Returns the responses submitted."""
    version = questionnaire.published()
    if version is None:
        raise ValueError(f"{questionnaire.name}尚未发布")
    form = version.form
    grade = int(((cycle.config or {}).get("grades") or {}).get(stage) or 8)
    tested = list(TestedStudent.objects.filter(
        report__cycle=cycle, report__stage=stage, report__status__in=REPORTED, attendance__in=TESTED,
        school__path__startswith=area.path).select_related("sampled__student", "school").order_by("school__code", "pk"))
    rng = np.random.default_rng([seed, 12, 8])
    codes = random.Random(seed)
    have = {s: r for s, r in Respondent.objects.filter(cycle=cycle, kind=Kind.STUDENT).values_list("student_id", "pk")}
    per_school = dict(Respondent.objects.filter(cycle=cycle).values("unit_id").annotate(n=Count("pk"))
                      .values_list("unit_id", "n"))
    new = []
    for t in tested:
        student = t.sampled.student
        if student.pk in have:
            continue
        per_school[t.school_id] = per_school.get(t.school_id, 0) + 1
        new.append(Respondent(cycle=cycle, kind=Kind.STUDENT, unit=t.school, name=student.name, student=student,
                              stage=stage, login=f"{cycle.year}{t.school.code}{per_school[t.school_id]:03d}",
                              code=new_code(codes), created_at=at - dt.timedelta(days=3)))
    Respondent.objects.bulk_create(new, batch_size=500)
    have = {s: r for s, r in Respondent.objects.filter(cycle=cycle, kind=Kind.STUDENT).values_list("student_id", "pk")}
    done = set(Response.objects.filter(questionnaire=questionnaire, practice=False).values_list("respondent_id",
                                                                                                 flat=True))
    plan: list[tuple[Response, dict[str, Any]]] = []
    for t in tested:
        student, respondent = t.sampled.student, have[t.sampled.student_id]
        draw = rng.random()
        if respondent in done or draw >= submitted + started:
            continue
        answers = fill(form, rng, share=1.0 if draw < submitted else 0.5)
        if "sex" in answers and student.sex in ("男", "女"):
            answers["sex"] = "1" if student.sex == "男" else "2"
        if isinstance(answers.get("age"), int):
            answers["age"] = grade + 6 + int(rng.random() < 0.3)
        for q in questions(form):  # fill's decimals are a fixed list: spread them around it
            value = answers.get(q["name"])
            if q["type"] == "decimal" and isinstance(value, float):
                spread = round(float(rng.normal(value, max(abs(value) * 0.1, 0.5))) * 2) / 2
                if constraint_error(form, q, spread, answers) is None:
                    answers[q["name"]] = spread
        finished = at + dt.timedelta(seconds=int(rng.integers(0, 1800)))
        plan.append((Response(respondent_id=respondent, questionnaire=questionnaire, version=version, practice=False,
                              started_at=at - dt.timedelta(minutes=30), updated_at=finished,
                              submitted_at=finished if draw < submitted else None, last_seq=len(answers)), answers))
    Response.objects.bulk_create([r for r, _a in plan], batch_size=500)
    ids = dict(Response.objects.filter(questionnaire=questionnaire, practice=False,
                                       respondent_id__in=[r.respondent_id for r, _a in plan])
               .values_list("respondent_id", "pk"))
    Answer.objects.bulk_create([
        Answer(response_id=ids[r.respondent_id], name=name, value=value, seq=seq, saved_at=r.updated_at)
        for r, answers in plan for seq, (name, value) in enumerate(answers.items(), start=1)], batch_size=2000)
    return sum(1 for r, _a in plan if r.submitted_at is not None)
