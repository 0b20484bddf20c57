"""The demo's chain of work ~10 days before test day: frames approved, the sample drawn and
published, 南昌县's rosters under review — all written by the real services."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from jiance import clock
from jiance.audit.models import AuditEntry
from jiance.cycles.models import CycleParticipant
from jiance.cycles.selectors import active_cycle
from jiance.reporting.models import FrameRecord, FrameStatus, FrameSubmission
from jiance.rosters.models import Roster, RosterEvent, RosterStatus, Student, StudentDraw, Teacher
from jiance.sampling.models import (
    DrawStatus,
    ReplacementRequest,
    RequestStatus,
    RowStatus,
    SampledSchool,
    SchoolDraw,
)
from jiance.sampling.services import draw_verify
from jiance.units.models import Level, Unit
from jiance.web.services import DEMO_ACCOUNTS, DEMO_COUNTY_CODE, demo_accounts, demo_build
from jiance_core import idcard

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 9, 0)


def build() -> None:
    with clock.frozen(NOW):
        demo_build(seed=2022, today=TODAY)


def the_draw() -> SchoolDraw:
    return SchoolDraw.objects.get(cycle=active_cycle(), status=DrawStatus.PUBLISHED)


def test_every_county_frame_is_reported_and_approved_by_the_city() -> None:
    build()
    cycle = active_cycle()
    counties = Unit.objects.filter(level=Level.COUNTY)
    subs = FrameSubmission.objects.filter(cycle=cycle)
    assert counties.count() == 12
    assert set(subs.values_list("county_id", flat=True)) == set(counties.values_list("pk", flat=True))
    assert {(s.status, s.locked) for s in subs} == {(FrameStatus.APPROVED, True)}
    # one record per school, each with plausible tested-grade figures
    assert FrameRecord.objects.filter(submission__cycle=cycle).count() == Unit.objects.filter(
        level=Level.SCHOOL).count()
    for r in FrameRecord.objects.filter(submission__cycle=cycle):
        assert not r.problems(), (r.school_id, r.problems())
        assert r.primary_students + r.junior_students > 0
    # the review chain left its history and its audit entries; the city approved every frame
    for sub in subs:
        actions = list(sub.events.values_list("action", flat=True))
        assert actions[0] == "import" and actions[-1] == "approve", actions
        assert sub.reviewed_by is not None and sub.reviewed_by.username in {"nanchang.info", "nanchang.admin"}
    assert subs.filter(events__action="return").count() >= 1  # one county was returned once
    assert AuditEntry.objects.filter(object_type="reporting.framesubmission", action="approve").count() == 12


def test_sample_is_drawn_published_verified_and_the_demo_school_is_in_it() -> None:
    build()
    cycle = active_cycle()
    draw = the_draw()
    assert draw.method == "pps" and draw.seed == 2022
    assert draw.counties == sorted(Unit.objects.filter(level=Level.COUNTY).values_list("code", flat=True))
    check = draw_verify(draw=draw)
    assert check.ok, check.problems
    in_sample = SampledSchool.objects.filter(draw=draw, status=RowStatus.IN_SAMPLE)
    # the cycle's sample-school participants are exactly the draw's in-sample schools
    participants = CycleParticipant.objects.filter(cycle=cycle, unit__level=Level.SCHOOL)
    assert set(participants.values_list("unit_id", flat=True)) == set(in_sample.values_list("school_id", flat=True))
    for p in participants.select_related("unit"):
        assert p.coordinator_id == p.unit.parent_id
    # every school account works in a confirmed in-sample primary school of 南昌县
    county = Unit.objects.get(code=DEMO_COUNTY_CODE)
    schools = {unit for a, unit in demo_accounts() if a.where == "school"}
    assert len(schools) == 1
    school = schools.pop()
    assert school is not None and school.parent_id == county.pk
    row = in_sample.get(school=school, stage="primary")
    assert row.confirmed_at is not None
    # most counties confirmed their whole sample; 南昌县 only part of it, one replacement pending
    fully = [c for c in Unit.objects.filter(level=Level.COUNTY)
             if not in_sample.filter(county=c, confirmed_at__isnull=True).exists()]
    assert len(fully) >= 9 and county not in fully
    assert in_sample.filter(county=county, confirmed_at__isnull=False).count() > in_sample.filter(
        county=county, confirmed_at__isnull=True).count() > 0
    pending = ReplacementRequest.objects.filter(status=RequestStatus.PENDING)
    assert pending.count() == 1 and pending.get().sampled_school.county_id == county.pk


def test_rosters_of_the_demo_county_in_several_states() -> None:
    build()
    cycle = active_cycle()
    county = Unit.objects.get(code=DEMO_COUNTY_CODE)
    school = next(unit for a, unit in demo_accounts() if a.username == "school.principal")
    rosters = Roster.objects.filter(cycle=cycle).select_related("school")
    assert {r.school.parent_id for r in rosters} == {county.pk}  # other counties not opened yet
    statuses = set(rosters.values_list("status", flat=True))
    assert {RosterStatus.APPROVED, RosterStatus.SUBMITTED, RosterStatus.RETURNED,
            RosterStatus.SCHOOL_APPROVED} <= statuses
    assert rosters.filter(status=RosterStatus.APPROVED).count() > len(rosters) / 2
    # the demo school's roster waits for its principal
    mine = rosters.get(school=school)
    assert mine.status == RosterStatus.SUBMITTED and mine.stage == "primary"
    assert Teacher.objects.filter(roster=mine).exists()
    returned = rosters.get(status=RosterStatus.RETURNED)
    assert returned.comment
    assert RosterEvent.objects.filter(roster=returned, action="return", comment=returned.comment).exists()
    # every roster belongs to an in-sample school of the published draw, for that stage
    in_sample = set(SampledSchool.objects.filter(draw=the_draw(), status=RowStatus.IN_SAMPLE)
                    .values_list("school_id", "stage"))
    assert {(r.school_id, r.stage) for r in rosters} <= in_sample
    # every student's ID number is valid (GB 11643) and matches the birth date and sex
    assert cycle is not None
    students = list(Student.objects.filter(cycle=cycle))
    assert len(students) >= 20 * len(rosters)
    test_day = min(cycle.test_days)
    for s in students:
        check = idcard.validate(s.national_id, test_day)
        assert check.ok, (s.national_id, check.reason)
        assert idcard.birth_date(s.national_id) == s.birth_date
        assert idcard.sex(s.national_id) == s.sex
    for r in rosters:
        for s in Student.objects.filter(roster=r)[:5]:
            assert idcard.plausible_birth_for_grade(s.birth_date, r.grade, test_day) is None
    assert not StudentDraw.objects.exists()  # not every roster is approved yet


def test_same_seed_and_day_give_the_same_chain() -> None:
    def snapshot() -> tuple[object, ...]:
        draw = the_draw()
        rows = sorted(SampledSchool.objects.filter(draw=draw).values_list("school__code", "stage", "role", "status"))
        rosters = sorted(Roster.objects.values_list("school__code", "stage", "status"))
        school = next(unit for a, unit in demo_accounts() if a.username == "school.principal")
        return draw.sample_hash, rows, rosters, school.code if school else ""

    results = []
    for _ in range(2):
        with transaction.atomic():
            build()
            results.append(snapshot())
            transaction.set_rollback(True)
    assert results[0] == results[1]
    assert results[0][1] and results[0][2]


def test_demo_command_prints_the_chain() -> None:
    out = StringIO()
    with clock.frozen(NOW):
        call_command("demo", no_migrate=True, stdout=out)
    text = out.getvalue()
    approved = FrameSubmission.objects.filter(status=FrameStatus.APPROVED).count()
    assert f"属地学校信息：{approved} 个县（区）" in text
    draw = the_draw()
    assert str(draw.seed) in text and draw.sample_hash[:12] in text
    in_sample = SampledSchool.objects.filter(draw=draw, status=RowStatus.IN_SAMPLE).count()
    assert f"在样 {in_sample} 校次" in text
    approved_rosters = Roster.objects.filter(status=RosterStatus.APPROVED).count()
    assert f"已通过 {approved_rosters} 份" in text
    for account in DEMO_ACCOUNTS:
        assert account.username in text
