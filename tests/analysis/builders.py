"""A small cycle built through the platform: approved frames, a published PPS draw (the sampling
service), rosters as large as the frame says, a student draw, after-test reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils import timezone

from jiance import clock
from jiance.accounts.models import Role
from jiance.accounts.scoping import Scope
from jiance.aftertest.models import Attendance, ReportStatus, TestedReport, TestedStudent
from jiance.crypto import blind_index
from jiance.cycles.models import Cycle, CycleStatus
from jiance.rosters.models import Roster, RosterStatus, SampledStudent, Student, StudentDraw
from jiance.sampling import services as sampling
from jiance.sampling.models import RowStatus, SampledSchool, SchoolDraw
from jiance.units.models import Level
from tests.factories import World, make_unit, make_user
from tests.sampling.conftest import add_schools, approve_frame

AFTER_TEST = timezone.make_aware(dt.datetime(2022, 6, 20, 10, 0))


def make_cycle(**analysis: Any) -> Cycle:
    return Cycle.objects.create(
        code="national-2022", year=2022, name="2022 年国家义务教育质量监测", status=CycleStatus.ACTIVE,
        config={
            "grades": {"primary": 4},
            "test_days": ["2022-05-25"],
            "release": {"day": "2022-05-25", "start": "07:30"},
            "sample_size": {"schools_per_unit": {"primary": 4}, "students_per_school": 30},
            "analysis": {"replicate_method": "jk2", "trim_ratio": 0, **analysis},
        },
    )


@dataclass
class Built:
    world: World
    cycle: Cycle
    draw: SchoolDraw
    city_user: Any
    centre_user: Any
    county_user: Any
    other_city_user: Any
    sampled: dict[str, list[SampledStudent]] = field(default_factory=dict)  # school code → drawn students


def build(world: World, cycle: Cycle, *, seed: int = 3) -> Built:
    """Frames for two counties (12 and 10 primary schools), the city's draw published."""
    add_schools(world.county_a, "南昌县", 12, 0)
    add_schools(world.county_b, "进贤县", 10, 0)
    approve_frame(cycle, world.county_a)
    approve_frame(cycle, world.county_b)
    city_user = make_user("nc_city", Role.CITY_ADMIN, world.city)
    other_city = make_unit("360200", "景德镇市", Level.CITY, world.province)
    scope = Scope(city_user)
    draw = sampling.draw_create(scope=scope, cycle=cycle, owner=world.city, seed=seed, actor=city_user)
    draw = sampling.draw_publish(scope=scope, draw=draw, actor=city_user)
    return Built(
        world=world, cycle=cycle, draw=draw, city_user=city_user,
        centre_user=make_user("centre", Role.CENTRE_ADMIN, world.centre),
        county_user=make_user("nc_county", Role.COUNTY_ADMIN, world.county_a),
        other_city_user=make_user("jdz_city", Role.CITY_ADMIN, other_city),
    )


def rows(built: Built) -> list[SampledSchool]:
    return list(built.draw.rows.select_related("school", "county").order_by("county__code", "frame_order"))


def fill_schools(built: Built, *, skip: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """Rosters (N = the frame's students), drawn students (n = planned) and reports (all present)
    for every in-sample school but those in ``skip`` (no report: a non-participating school)."""
    now = clock.now()
    sdraw, _ = StudentDraw.objects.get_or_create(cycle=built.cycle, owner=built.world.city,
                                                 defaults={"seed": 1, "created_at": now})
    rng = np.random.default_rng(11)
    for r in rows(built):
        if r.status != RowStatus.IN_SAMPLE or r.school.code in skip:
            continue
        n_school = int(r.primary_students)
        roster = Roster.objects.create(cycle=built.cycle, school=r.school, stage="primary", grade=4,
                                       status=RosterStatus.APPROVED, created_at=now, updated_at=now)
        students = Student.objects.bulk_create([
            Student(roster=roster, cycle=built.cycle, name=f"学生{r.school.code[-3:]}{i:03d}", sex="男女"[i % 2],
                    birth_date=dt.date(2012, 1, 1), national_id="", id_index=blind_index(f"{r.school.code}{i}"),
                    class_name="1班", student_no=f"{i:04d}", row=i)
            for i in range(n_school)
        ])
        n = min(n_school, int(r.planned_students))
        chosen = sorted(rng.choice(n_school, size=n, replace=False).tolist())
        drawn = SampledStudent.objects.bulk_create([
            SampledStudent(draw=sdraw, student=students[i], roster=roster, school=r.school, school_students=n_school,
                           sampled_students=n, selection_probability=n / n_school, within_school_weight=n_school / n)
            for i in chosen
        ])
        built.sampled[r.school.code] = drawn
        report = TestedReport.objects.create(cycle=built.cycle, school=r.school, roster=roster, stage="primary",
                                             status=ReportStatus.APPROVED, created_at=now, updated_at=now)
        TestedStudent.objects.bulk_create([
            TestedStudent(report=report, sampled=s, school=r.school, attendance=Attendance.PRESENT, row=k,
                          updated_at=now)
            for k, s in enumerate(drawn)
        ])


def mark_absent(built: Built, school_code: str, count: int) -> None:
    ids = [s.pk for s in built.sampled[school_code][:count]]
    TestedStudent.objects.filter(sampled_id__in=ids).update(attendance=Attendance.ABSENT)


STUDENT_Q = {"code": "student_q1", "name": "学生相关因素问卷（一）", "respondents": ["student"], "mode": "online"}


def add_student_answers(built: Built, *, seed: int = 4, submitted: float = 0.9, started: float = 0.05) -> Any:
    """The example 学生相关因素问卷（一） in the cycle (published through the services) and the tested
    students' answers (`synthetic_student_answers`: most submitted, a few part-way)."""
    from jiance.analysis.synthetic import synthetic_student_answers
    from jiance.questionnaires.examples import example_xlsx
    from jiance.questionnaires.services.versions import (
        questionnaires_sync,
        version_publish,
        version_upload,
    )

    cycle = built.cycle
    Cycle.objects.filter(pk=cycle.pk).update(config={**cycle.config, "questionnaires": [STUDENT_Q]})
    cycle.refresh_from_db()
    q = questionnaires_sync(cycle=cycle)[0]
    version, _ = version_upload(questionnaire=q, content=example_xlsx(q.code, q.name, ["student"]),
                                filename="student_q1.xlsx", actor=built.centre_user)
    version_publish(version=version, actor=built.centre_user)
    synthetic_student_answers(cycle=cycle, stage="primary", area=built.world.city, questionnaire=q, at=AFTER_TEST,
                              seed=seed, submitted=submitted, started=started)
    return q


def built_with_scores(world: World) -> Built:
    """A cycle large enough for a report (30 students, 2 schools a county), with synthetic primary
    scores for counties A and B (seed 5)."""
    from jiance.analysis.synthetic import synthetic_scores_import

    b = build(world, make_cycle(min_students=30, min_schools=2))
    fill_schools(b)
    out = synthetic_scores_import(scope=Scope(b.city_user), cycle=b.cycle, stage="primary",
                                  counties=[world.county_a, world.county_b], seed=5, actor=b.city_user)
    assert out is not None and not out.errors
    return b
