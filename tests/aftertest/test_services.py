"""After-test services: prefill from the seat plan, absences need a reason, corrections recorded,
windows (before / inside / after, 补报), the review chain, scoping and secrecy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from jiance import clock
from jiance.accounts.models import Role
from jiance.accounts.scoping import Scope
from jiance.aftertest import services
from jiance.aftertest.models import (
    AftertestError,
    Attendance,
    ReportStatus,
    TestedCorrection,
    TestedReportEvent,
    TestedStudent,
)
from jiance.aftertest.services import RowInput
from jiance.aftertest.windows import window_state
from jiance.audit.models import AuditEntry
from jiance.windows.models import WindowReopen
from tests.aftertest.builders import AFTER_WINDOW, BEFORE_WINDOW, aftertest_cycle, seated_a1
from tests.factories import make_user
from tests.rosters.builders import BEFORE_RELEASE

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):  # type: ignore[no-untyped-def]
    cycle, students = seated_a1(world, 6, 4, absent={2, 5})
    officer = make_user("a1_xx", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    county = make_user("nc_county", Role.COUNTY_INFO_OFFICER, world.county_a)
    other_county = make_user("jx_county", Role.COUNTY_ADMIN, world.county_b)
    roster = students[0].roster
    return cycle, roster, officer, county, other_county


def row(attendance: str = "present", **kw: object) -> RowInput:
    base = {"absent_sessions": [], "reason": "", "note": "", "name": "", "sex": "", "class_name": ""}
    return RowInput(attendance=attendance, **{**base, **kw})  # type: ignore[arg-type]


def test_prefill_from_seat_plan(setup):  # type: ignore[no-untyped-def]
    _cycle, roster, officer, *_ = setup
    report = services.tested_report_open(scope=Scope(officer), roster=roster, actor=officer)
    rows = list(TestedStudent.objects.filter(report=report).select_related("sampled__student").order_by("row"))
    assert len(rows) == 6
    absent = [t.row for t in rows if t.attendance == Attendance.ABSENT]
    assert absent == [2, 5]
    # an absentee from the seat plan missed every student session of the cycle
    assert rows[1].absent_sessions == ["s1-chinese", "s2-q1", "s3-arts", "s4-english"]
    assert rows[0].absent_sessions == []
    # opening again returns the same report, nothing duplicated
    again = services.tested_report_open(scope=Scope(officer), roster=roster, actor=officer)
    assert again.pk == report.pk and TestedStudent.objects.filter(report=report).count() == 6


def test_absentees_need_a_reason(setup):  # type: ignore[no-untyped-def]
    _cycle, roster, officer, *_ = setup
    scope = Scope(officer)
    report = services.tested_report_open(scope=scope, roster=roster, actor=officer)
    with pytest.raises(AftertestError, match=r"第 2 行.*缺考原因"):
        services.tested_report_submit(scope=scope, report=report, actor=officer)
    t1 = TestedStudent.objects.get(report=report, row=1)
    with pytest.raises(AftertestError, match="缺考原因"):
        services.tested_student_save(scope=scope, tested=t1, data=row("absent"), actor=officer)
    with pytest.raises(AftertestError, match="缺考的场次"):
        services.tested_student_save(scope=scope, tested=t1, data=row("partial", reason="sick"), actor=officer)
    with pytest.raises(AftertestError, match="备注"):
        services.tested_student_save(scope=scope, tested=t1, data=row("absent", reason="other"), actor=officer)
    t1.refresh_from_db()
    assert t1.attendance == Attendance.PRESENT
    for r in (2, 5):
        t = TestedStudent.objects.get(report=report, row=r)
        services.tested_student_save(scope=scope, tested=t, data=row("absent", reason="sick"), actor=officer)
    report = services.tested_report_submit(scope=scope, report=report, actor=officer)
    assert report.status == ReportStatus.SUBMITTED


def test_corrections_recorded_not_overwritten(setup):  # type: ignore[no-untyped-def]
    _cycle, roster, officer, *_ = setup
    scope = Scope(officer)
    report = services.tested_report_open(scope=scope, roster=roster, actor=officer)
    t = TestedStudent.objects.select_related("sampled__student").get(report=report, row=1)
    student = t.sampled.student
    old_name, old_class = student.name, student.class_name
    services.tested_student_save(scope=scope, tested=t, data=row(name="王小明", class_name="4年级（9）班"),
                                 actor=officer)
    student.refresh_from_db()
    assert (student.name, student.class_name) == (old_name, old_class)  # the roster is untouched
    got = {(c.field, c.old_value, c.new_value) for c in TestedCorrection.objects.filter(tested=t)}
    assert got == {("name", old_name, "王小明"), ("class_name", old_class, "4年级（9）班")}
    # saving the same values again records nothing new; going back to the roster value is recorded
    services.tested_student_save(scope=scope, tested=t, data=row(name="王小明", class_name="4年级（9）班"),
                                 actor=officer)
    assert TestedCorrection.objects.filter(tested=t).count() == 2
    services.tested_student_save(scope=scope, tested=t, data=row(name=old_name, class_name="4年级（9）班"),
                                 actor=officer)
    t.refresh_from_db()
    assert t.name == "" and TestedCorrection.objects.filter(tested=t, new_value=old_name).count() == 1
    assert AuditEntry.objects.filter(object_type="aftertest.testedstudent", action="update").count() == 3


def test_windows_before_inside_after(setup):  # type: ignore[no-untyped-def]
    cycle, roster, officer, *_ = setup
    with clock.frozen(BEFORE_WINDOW):
        state = window_state(cycle, roster.school, clock.today())
        assert not state.open and "2022年05月27日" in state.message and "尚未开放" in state.message
        with pytest.raises(AftertestError, match="尚未开放"):
            services.tested_report_open(scope=Scope(officer), roster=roster, actor=officer)
    report = services.tested_report_open(scope=Scope(officer), roster=roster, actor=officer)
    assert window_state(cycle, roster.school, clock.today()).open
    t = TestedStudent.objects.get(report=report, row=1)
    with clock.frozen(AFTER_WINDOW):
        state = window_state(cycle, roster.school, clock.today())
        assert not state.open and "2022年06月06日" in state.message and "截止" in state.message
        with pytest.raises(AftertestError, match="截止"):
            services.tested_student_save(scope=Scope(officer), tested=t, data=row(), actor=officer)
        with pytest.raises(AftertestError, match="截止"):
            services.tested_report_submit(scope=Scope(officer), report=report, actor=officer)


def test_supplementary_window_reopens(setup, world):  # type: ignore[no-untyped-def]
    cycle, roster, officer, county, other_county = setup
    scope = Scope(officer)
    report = services.tested_report_open(scope=scope, roster=roster, actor=officer)
    for r in (2, 5):
        services.tested_student_save(scope=scope, tested=TestedStudent.objects.get(report=report, row=r),
                                     data=row("absent", reason="personal"), actor=officer)
    report = services.tested_report_submit(scope=scope, report=report, actor=officer)
    services.tested_report_approve(scope=Scope(county), report=report, actor=county)
    with clock.frozen(AFTER_WINDOW):
        today = clock.today()
        with pytest.raises(Http404):  # another county's school
            services.supplementary_window_open(scope=Scope(other_county), cycle=cycle, school=world.school_a1,
                                               start=today, end=today, reason="x", actor=other_county)
        with pytest.raises(PermissionDenied):  # the school cannot open it for itself
            services.supplementary_window_open(scope=scope, cycle=cycle, school=world.school_a1,
                                               start=today, end=today, reason="x", actor=officer)
        w = services.supplementary_window_open(scope=Scope(county), cycle=cycle, school=world.school_a1,
                                               start=today, end=today + dt.timedelta(days=3), reason="漏报转学生",
                                               actor=county)
        assert window_state(cycle, world.school_a1, today).open
        assert not window_state(cycle, world.school_b1, today).open  # only for that school
        report.refresh_from_db()
        assert report.status == ReportStatus.RETURNED and not report.locked
        t = TestedStudent.objects.get(report=report, row=2)
        services.tested_student_save(scope=scope, tested=t, data=row("absent", reason="transferred"), actor=officer)
        assert AuditEntry.objects.filter(object_type="windows.windowreopen", object_id=str(w.pk)).exists()
    with clock.frozen(AFTER_WINDOW + dt.timedelta(days=5)):
        assert not window_state(cycle, world.school_a1, clock.today()).open


def test_supplementary_window_within_cycle_bounds(world):  # type: ignore[no-untyped-def]
    cycle = aftertest_cycle(code="cq-2020", windows=[
        {"kind": "tested_students", "name": "参测学生信息补报", "start": "2020-10-30", "end": "2020-11-05"}])
    county = make_user("nc_county", Role.COUNTY_ADMIN, world.county_a)
    with clock.frozen(dt.datetime(2020, 10, 20, 10, 0)):
        with pytest.raises(AftertestError, match="补报时间内"):
            services.supplementary_window_open(scope=Scope(county), cycle=cycle, school=world.school_a1,
                                               start=dt.date(2020, 10, 25), end=dt.date(2020, 11, 1),
                                               reason="漏报", actor=county)
        with pytest.raises(AftertestError, match="原因"):  # a reopening states its reason
            services.supplementary_window_open(scope=Scope(county), cycle=cycle, school=world.school_a1,
                                               start=dt.date(2020, 10, 30), end=dt.date(2020, 11, 2), reason=" ",
                                               actor=county)
        services.supplementary_window_open(scope=Scope(county), cycle=cycle, school=world.school_a1,
                                           start=dt.date(2020, 10, 30), end=dt.date(2020, 11, 2), reason="漏报",
                                           actor=county)
    assert WindowReopen.objects.count() == 1


def test_review_chain_history_and_lock(setup):  # type: ignore[no-untyped-def]
    _cycle, roster, officer, county, other_county = setup
    scope = Scope(officer)
    report = services.tested_report_open(scope=scope, roster=roster, actor=officer)
    for r in (2, 5):
        services.tested_student_save(scope=scope, tested=TestedStudent.objects.get(report=report, row=r),
                                     data=row("absent", reason="sick"), actor=officer)
    with pytest.raises(AftertestError, match="不能县级审核通过"):
        services.tested_report_approve(scope=Scope(county), report=report, actor=county)
    report = services.tested_report_submit(scope=scope, report=report, actor=officer)
    with pytest.raises(AftertestError, match="审核中"):
        services.tested_student_save(scope=scope, tested=TestedStudent.objects.get(report=report, row=1),
                                     data=row(), actor=officer)
    with pytest.raises(PermissionDenied):  # the school does not review itself
        services.tested_report_approve(scope=scope, report=report, actor=officer)
    with pytest.raises(Http404):  # a foreign county
        services.tested_report_approve(scope=Scope(other_county), report=report, actor=other_county)
    with pytest.raises(AftertestError, match="退回原因"):
        services.tested_report_return(scope=Scope(county), report=report, actor=county, comment=" ")
    report = services.tested_report_return(scope=Scope(county), report=report, actor=county, comment="请核对5号")
    assert report.status == ReportStatus.RETURNED and report.comment == "请核对5号"
    report = services.tested_report_submit(scope=scope, report=report, actor=officer)
    report = services.tested_report_approve(scope=Scope(county), report=report, actor=county)
    assert report.status == ReportStatus.APPROVED and report.locked
    with pytest.raises(AftertestError, match="锁定"):
        services.tested_student_save(scope=scope, tested=TestedStudent.objects.get(report=report, row=1),
                                     data=row(), actor=officer)
    history = list(TestedReportEvent.objects.filter(report=report).values_list("action", "to_status"))
    assert history == [("create", "draft"), ("submit", "submitted"), ("return", "returned"),
                       ("submit", "submitted"), ("approve", "approved")]
    assert AuditEntry.objects.filter(object_type="aftertest.testedreport", action="approve").count() == 1


def test_secrecy_before_release(setup, world):  # type: ignore[no-untyped-def]
    _cycle, roster, officer, _county, _ = setup
    with clock.frozen(BEFORE_RELEASE), pytest.raises(AftertestError, match="尚未发布"):
        services.tested_report_open(scope=Scope(officer), roster=roster, actor=officer)


def test_school_cannot_open_another_school(setup, world):  # type: ignore[no-untyped-def]
    _cycle, roster, _officer, *_ = setup
    other = make_user("b1_xx", Role.SCHOOL_INFO_OFFICER, world.school_b1)
    with pytest.raises(Http404):
        services.tested_report_open(scope=Scope(other), roster=roster, actor=other)
    assert not TestedStudent.objects.exists()



def test_submitting_the_report_completes_the_schools_task(setup):  # type: ignore[no-untyped-def]
    from jiance.cycles.models import Milestone, MilestoneCompletion

    cycle, roster, officer, *_ = setup
    task = Milestone.objects.create(cycle=cycle, level="school", number=10, phase="after", task="完成测试生基本信息的上报。",
                                    done_when="tested_submitted")
    scope = Scope(officer)
    report = services.tested_report_open(scope=scope, roster=roster, actor=officer)
    for t in TestedStudent.objects.filter(report=report, attendance=Attendance.ABSENT):
        services.tested_student_save(scope=scope, tested=t, data=row("absent", reason="sick"), actor=officer)
    services.tested_report_submit(scope=scope, report=report, actor=officer)
    assert MilestoneCompletion.objects.get(milestone=task).unit == roster.school
