"""After the test (phase "after"): a full cycle's worth of data for 南昌市, so the demo shows
reports (issue 14). Every county's sample schools get approved rosters (synthetic students, like
南昌县's), the city draws the students of the counties not drawn yet (the drawing service), the
schools' after-test reports are approved (about 4% absent), and the centre's score file —
synthetic plausible values with county, school, area and sex effects (`synth_scores.py`) — is
imported through the score upload's own service. Once the questionnaires are published, the
tested secondary students' answers to 学生相关因素问卷（一） are added (`build_student_answers`)
for the reports' questionnaire indicators."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import polars as pl
from django.utils import timezone

from jiance import clock
from jiance.accounts.models import User
from jiance.accounts.scoping import Scope
from jiance.aftertest.models import (
    AbsenceReason,
    Attendance,
    ReportStatus,
    TestedReport,
    TestedStudent,
)
from jiance.analysis.synthetic import synthetic_scores_import
from jiance.crypto import blind_index
from jiance.cycles.models import Cycle
from jiance.reporting.models import cycle_grades
from jiance.rosters.models import Roster, RosterStatus, SampledStudent, Student, StudentDraw
from jiance.rosters.services.draw import students_draw
from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool
from jiance.units.models import Level, Unit
from jiance.web.demo_data import DemoUnits
from jiance_core.synth import students_for

ABSENT_SHARE = 0.04


def _rosters(cycle: Cycle, rows: list[SampledSchool], data: DemoUnits, seed: int, test_date: dt.date) -> None:
    assert data.city is not None
    grades = cycle_grades(cycle)
    now = clock.now()
    # another generation's ID numbers may repeat one (unique per cycle): such a student is left out
    taken = set(Student.objects.filter(cycle=cycle).values_list("id_index", flat=True))
    for stage in ("primary", "junior"):
        mine = [r for r in rows if r.stage == stage]
        if not mine or stage not in grades:
            continue
        people = students_for(data.city.schools.filter(pl.col("school_id").is_in([r.school.code for r in mine])),
                              grades[stage], seed + 17, test_date=test_date)
        by_school = people.partition_by("school_id", as_dict=True)
        for r in mine:
            kids = by_school.get((r.school.code,))
            if kids is None or kids.height == 0:
                continue
            roster = Roster.objects.create(cycle=cycle, school=r.school, stage=stage, grade=grades[stage],
                                           status=RosterStatus.APPROVED, created_at=now, updated_at=now)
            new: list[Student] = []
            for k in kids.iter_rows(named=True):
                index = blind_index(k["id_number"])
                if index in taken:
                    continue
                taken.add(index)
                new.append(Student(roster=roster, cycle=cycle, name=k["name"], sex=k["sex"],
                                   birth_date=k["birth_date"], national_id=k["id_number"], id_index=index,
                                   class_name=f"{k['class_no']}班", student_no=str(k["student_no"]),
                                   row=len(new) + 1))
            Student.objects.bulk_create(new, batch_size=500)


def _reports(cycle: Cycle, city: Unit, seed: int, keep_open: Unit | None) -> None:
    now = clock.now()
    rng = np.random.default_rng([seed, 14])
    sampled = list(SampledStudent.objects.filter(roster__cycle=cycle, school__path__startswith=city.path)
                   .exclude(roster__tested_report__isnull=False).exclude(school=keep_open)
                   .order_by("roster_id", "pk"))
    by_roster: dict[int, list[SampledStudent]] = {}
    for s in sampled:
        by_roster.setdefault(s.roster_id, []).append(s)
    rosters = {r.pk: r for r in Roster.objects.filter(pk__in=list(by_roster))}
    tested: list[TestedStudent] = []
    for rid, kids in by_roster.items():
        roster = rosters[rid]
        report = TestedReport.objects.create(cycle=cycle, school_id=roster.school_id, roster=roster,
                                             stage=roster.stage, status=ReportStatus.APPROVED, created_at=now,
                                             updated_at=now)
        absent = rng.random(len(kids)) < ABSENT_SHARE
        tested.extend(
            TestedStudent(report=report, sampled=s, school_id=roster.school_id, row=k + 1, updated_at=now,
                          attendance=Attendance.ABSENT if absent[k] else Attendance.PRESENT,
                          reason=AbsenceReason.SICK if absent[k] else "")
            for k, s in enumerate(kids)
        )
    TestedStudent.objects.bulk_create(tested, batch_size=1000)


def build_scores(*, cycle: Cycle, city: Unit, demo_county: Unit, demo_school: Unit, data: DemoUnits,
                 users: dict[str, User], seed: int, test_date: dt.date) -> int:
    """The city's rosters, student draws, after-test reports and scores; the students with scores.
    The demo school's report is left for its account to make (the after-test story): it counts as
    not taking part in the weights."""
    if data.city is None:
        return 0
    have = set(Roster.objects.filter(cycle=cycle).values_list("school_id", "stage"))
    rows = [r for r in SampledSchool.objects.filter(
        draw__cycle=cycle, draw__status=DrawStatus.PUBLISHED, status=RowStatus.IN_SAMPLE,
        school__path__startswith=city.path).select_related("school", "county").order_by("school__code", "stage")
        if (r.school_id, r.stage) not in have]
    _rosters(cycle, rows, data, seed, test_date)
    city_info = Scope(users["nanchang.info"])
    counties = list(Unit.objects.filter(parent=city, level=Level.COUNTY).order_by("code"))
    for county in counties:
        if county.pk == demo_county.pk or StudentDraw.objects.filter(cycle=cycle, owner=county).exists():
            continue
        if Roster.objects.filter(cycle=cycle, school__parent=county).exists():
            students_draw(cycle=cycle, actor=city_info.user, seed=seed, scope=city_info, area=county)
    _reports(cycle, city, seed, demo_school)
    admin = users["nanchang.admin"]
    scored = 0
    for stage in cycle_grades(cycle):
        out: Any = synthetic_scores_import(scope=Scope(admin), cycle=cycle, stage=stage, counties=counties,
                                           seed=seed, actor=admin)
        if out is not None and out.score_set is not None:
            scored += out.score_set.rows
    return scored


def build_student_answers(*, cycle: Cycle, city: Unit, seed: int) -> int:
    """The city's tested students' answers to the first student questionnaire they answer online
    (2022: 学生相关因素问卷（一）, secondary students; primary answers on paper), submitted in its
    session on the first test day, so the reports' questionnaire indicators have numbers. The other
    student questionnaires stay unanswered (the reports say so). Returns the responses submitted."""
    from jiance.analysis.synthetic import synthetic_student_answers
    from jiance.questionnaires.models import Questionnaire
    from jiance_core.questionnaires.windows import questionnaires_for

    day = min(cycle.test_days)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(11, 10)))
    submitted = 0
    for stage in cycle_grades(cycle):
        codes = questionnaires_for(cycle.config, "student", stage=stage)
        q = Questionnaire.objects.filter(cycle=cycle, code=codes[0]).first() if codes else None
        if q is None or q.published() is None:
            continue
        submitted += synthetic_student_answers(cycle=cycle, stage=stage, area=city, questionnaire=q, at=at,
                                               seed=seed)
    return submitted
