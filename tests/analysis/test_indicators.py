"""Questionnaire indicators of the reports: the estimates against a direct computation on a small
design, suppression of small cells, which items become indicators, the student questionnaire's
answers merged with the weights (only submitted responses count), and the reports without any
questionnaire data."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from django.test import Client
from django.urls import reverse

from jiance.accounts.scoping import Scope
from jiance.analysis.build import stage_weights
from jiance.analysis.report import report_build
from jiance.analysis.report_tables import questionnaire_intro
from jiance.cycles.models import Cycle
from jiance.questionnaires.examples import example_xlsx
from jiance.questionnaires.models import Response
from jiance.questionnaires.services.versions import questionnaires_sync
from jiance_core.analysis.design import replicate_design
from jiance_core.analysis.indicator_stats import Item, indicator_items, indicator_result
from jiance_core.analysis.report_stats import Minimums
from jiance_core.questionnaires.xlsform import compile_rows, read_workbook
from tests.analysis.builders import (
    STUDENT_Q,
    Built,
    add_student_answers,
    build,
    fill_schools,
    make_cycle,
)
from tests.factories import World

# --- the estimator on a small synthetic design --------------------------------------------------

W = np.array([10.0, 12, 8, 15, 9, 11, 14, 7, 13, 10, 6, 12])
SCHOOL = ["a", "a", "a", "b", "b", "b", "c", "c", "c", "d", "d", "d"]
SEX = ["男", "女", "男", "女", "男", "女", "男", "女", "男", "女", "男", "女"]
AREA = ["城区"] * 6 + ["乡村"] * 6
ANSWER = ["1", "2", None, "1", "3", "1", "2", "2", "1", None, "3", "1"]  # two students did not answer
SHARE = Item("homework", "上学日你每天做作业大约多长时间？", "share", (("1", "少"), ("2", "中"), ("3", "多")))


def _design() -> tuple[np.ndarray, object]:
    # JK2 zones (a, b) and (c, d): in each replicate the first school doubled, the second dropped
    reps = np.repeat(W[:, None], 2, axis=1)
    school = np.array(SCHOOL)
    reps[school == "a", 0] *= 2
    reps[school == "b", 0] = 0
    reps[school == "c", 1] *= 2
    reps[school == "d", 1] = 0
    return reps, replicate_design(W, reps, "jk2")


def _frame() -> pl.DataFrame:
    return pl.DataFrame({"school_id": SCHOOL, "sex": SEX, "area": AREA, "homework": ANSWER})


def _direct(weights: np.ndarray, answers: list[str | None], inside: np.ndarray, category: str) -> float:
    took = np.array([a is not None for a in answers]) & inside
    hit = np.array([a == category for a in answers]) & inside
    return float((weights * hit).sum() / (weights * took).sum())


def test_weighted_proportion_and_its_replicate_se_equal_the_direct_computation() -> None:
    reps, design = _design()
    ind = indicator_result(_frame(), design, SHARE, questionnaire="问卷", minimums=Minimums(students=1, schools=1))
    assert ind.answered == 10
    girls = np.array(SEX) == "女"
    for row in ind.rows:
        inside = np.ones(12, bool) if row.group == "全体" else np.array(SEX if row.group == "性别" else AREA) == row.domain
        for (name, _label), (_l, e) in zip(SHARE.levels, row.values, strict=True):
            p = _direct(W, ANSWER, inside, name)
            p_r = np.array([_direct(reps[:, r], ANSWER, inside, name) for r in range(2)])
            se = math.sqrt(((p_r - p) ** 2).sum())  # JK2: coefficient 1 per replicate
            assert e.value == pytest.approx(p) and e.se == pytest.approx(se), (row.domain, name)
            assert e.low == pytest.approx(p - 1.959963984540054 * se)
        assert sum(e.value for _l, e in row.values) == pytest.approx(1.0)
    # in the report's domain order; no 镇区 school in the design: no 镇区 row
    assert [(r.group, r.domain) for r in ind.rows] == [("全体", "全体"), ("性别", "男"), ("性别", "女"),
                                                     ("城乡", "城区"), ("城乡", "乡村")]
    assert ind.rows[2].values[0][1].students == int((girls & np.array([a is not None for a in ANSWER])).sum())


def test_a_weighted_mean_of_a_number_item() -> None:
    reps, design = _design()
    hours = [8.0, 9.5, None, 7.0, 8.5, 9.0, None, 10.0, 8.0, 7.5, 9.0, 8.0]
    frame = _frame().with_columns(pl.Series("sleep", hours, dtype=pl.Float64))
    item = Item("sleep", "睡眠", "mean", type="decimal")
    ind = indicator_result(frame, design, item, questionnaire="问卷", minimums=Minimums(students=1, schools=1))
    y = np.array([np.nan if h is None else h for h in hours])
    ok = np.isfinite(y)

    def mean(w: np.ndarray) -> float:
        return float((w[ok] * y[ok]).sum() / w[ok].sum())

    m = mean(W)
    se = math.sqrt(sum((mean(reps[:, r]) - m) ** 2 for r in range(2)))
    overall = ind.overall.values[0][1]
    assert overall.value == pytest.approx(m) and overall.se == pytest.approx(se) and overall.students == 10


def test_a_small_cell_is_suppressed_with_its_reason() -> None:
    _reps, design = _design()
    ind = indicator_result(_frame(), design, SHARE, questionnaire="问卷", minimums=Minimums(students=6, schools=2))
    overall = ind.overall.values[0][1]
    assert overall.shown and overall.students == 10
    boys = next(r for r in ind.rows if r.domain == "男")  # 6 boys, one without an answer: 5 < 6
    assert all(not e.shown and math.isnan(e.value) and math.isnan(e.se) and e.suppressed
               == "学生 5 人，少于 6 人：样本过小，不报告结果" for _l, e in boys.values)
    # by schools: the 城区 students answered in 2 schools
    ind = indicator_result(_frame(), design, SHARE, questionnaire="问卷", minimums=Minimums(students=1, schools=3))
    urban = next(r for r in ind.rows if r.domain == "城区")
    assert all(not e.shown and "学校 2 所，少于 3 所" in e.suppressed for _l, e in urban.values)
    assert all(e.shown for r in ind.rows if r.group != "城乡" for _l, e in r.values)  # 4 schools each


def test_items_are_the_questionnaires_choices_numbers_and_grids_in_form_order() -> None:
    form = compile_rows(read_workbook(example_xlsx("student_q1", "学生相关因素问卷（一）", ["student"])))
    items = indicator_items(form)
    assert [(i.name, i.kind) for i in items] == [
        ("age", "mean"), ("boarding", "share"), ("boarding_days", "mean"), ("live_with", "share"),
        ("homework", "share"), ("climate", "scale"), ("feel", "scale"), ("sleep_hours", "mean")]
    # sex (the roster's domain), the multiple choice and the free-text wish are not indicators
    live = next(i for i in items if i.name == "live_with")
    assert live.label == "你平时和谁一起生活？" and live.levels[0] == ("1", "父母双方")
    climate = next(i for i in items if i.name == "climate")
    assert climate.columns == [f"climate_{k}" for k in range(1, 6)] and climate.scale[-1] == ("4", 4, "非常同意")


# --- through the platform ------------------------------------------------------------------------

@pytest.fixture
def built(world: World) -> Built:
    b = build(world, make_cycle(min_students=30, min_schools=3))
    fill_schools(b)
    return b


def test_report_indicators_count_only_submitted_answers_of_tested_students(built: Built) -> None:
    q = add_student_answers(built)
    scope = Scope(built.city_user)
    report = report_build(scope=scope, cycle=built.cycle, unit=built.world.city, stage="primary")
    assert not report.subjects  # no scores uploaded: the indicators are there all the same
    section = report.questionnaire
    assert not section.missing and [p.code for p in section.questionnaires] == ["student_q1"]
    submitted = Response.objects.filter(questionnaire=q, practice=False, submitted_at__isnull=False).count()
    assert Response.objects.filter(questionnaire=q, submitted_at__isnull=True).exists()  # part-way: not counted
    assert section.questionnaires[0].responses == submitted
    homework = next(i for i in section.indicators if i.item.name == "homework")
    assert homework.answered == submitted  # required: every submitted response answered it
    overall = homework.overall.values
    assert all(e.shown for _l, e in overall) and sum(e.value for _l, e in overall) == pytest.approx(1.0)
    assert all(0 < e.se < 0.1 for _l, e in overall)
    # the direct computation: weights of the city joined with the answers through the roster student
    w = stage_weights(scope=scope, cycle=built.cycle, stage="primary", counties=[built.world.county_a,
                                                                              built.world.county_b])
    answers = dict(Response.objects.filter(questionnaire=q, submitted_at__isnull=False, answers__name="homework")
                   .values_list("respondent__student_id", "answers__value"))
    t = w.students
    hw = np.array([answers.get(pk) for pk in t["student_pk"].to_list()], dtype=object)
    wt = t["final_weight"].to_numpy()
    took = hw != None  # noqa: E711 - elementwise on an object array
    first = overall[0][1].value
    assert first == pytest.approx(float((wt * (hw == "1")).sum() / (wt * took).sum()))
    intro = " ".join(questionnaire_intro(report))
    assert f"{submitted} 名参测学生提交了问卷" in intro and "按最终权重加权估计" in intro


def test_reports_without_questionnaire_data_say_so_in_one_sentence(built: Built) -> None:
    scope = Scope(built.city_user)
    report = report_build(scope=scope, cycle=built.cycle, unit=built.world.county_a, stage="primary")
    assert report.questionnaire.missing == "本周期没有学生问卷，报告不含问卷指标。"
    assert questionnaire_intro(report) == [report.questionnaire.missing]
    # a student questionnaire in the cycle, nobody has answered it yet
    Cycle.objects.filter(pk=built.cycle.pk).update(config={**built.cycle.config, "questionnaires": [STUDENT_Q]})
    built.cycle.refresh_from_db()
    questionnaires_sync(cycle=built.cycle)
    report = report_build(scope=scope, cycle=built.cycle, unit=built.world.county_a, stage="primary")
    assert report.questionnaire.missing == "本学段参测学生尚无已提交的学生问卷，报告不含问卷指标。"
    assert report.questionnaire.unanswered == ["学生相关因素问卷（一）"]
    client = Client()
    client.force_login(built.city_user)
    page = client.get(reverse("analysis:report", args=["primary", built.world.county_a.code]))
    body = page.content.decode()
    assert page.status_code == 200 and "问卷指标" in body and report.questionnaire.missing in body
    assert 'id="report-indicator-1"' not in body
    xlsx = client.get(reverse("analysis:report_file", args=["primary", built.world.county_a.code, "xlsx"]))
    assert xlsx.status_code == 200
