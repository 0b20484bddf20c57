"""Writes of the after-test reporting. Every service runs under `transaction.atomic`, locks the
report row (`select_for_update`), checks its status, then updates it; the review steps go through
the one review engine (`jiance.review.engine`, chain `TESTED_CHAIN`); every write is audited."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts import roles
from jiance.accounts.scoping import Scope
from jiance.aftertest.models import (
    AbsenceReason,
    AftertestError,
    Attendance,
    CorrectionField,
    ReportAction,
    ReportStatus,
    TestedCorrection,
    TestedReport,
    TestedReportEvent,
    TestedStudent,
    TestedUpload,
)
from jiance.aftertest.selectors import visible
from jiance.aftertest.windows import KIND, supplementary_bounds, window_state
from jiance.apps_registry import attendance_facts
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.cycles.models import Cycle
from jiance.review import engine
from jiance.rosters.models import Roster, SampledStudent
from jiance.stages import stage_name
from jiance.testday.models import Seat
from jiance.units.models import Level, Unit
from jiance.windows.models import WindowReopen
from jiance.windows.services import window_reopen


def _require_school(scope: Scope, school: Unit) -> None:
    scope.require(roles.SCHOOL_OFFICE, school)


def _require_reviewer(scope: Scope, school: Unit) -> None:
    scope.require(roles.COUNTY_OFFICE, school)


def _require_open(cycle: Cycle, school: Unit) -> None:
    state = window_state(cycle, school, clock.today())
    if not state.open:
        raise AftertestError(state.message)


def _require_visible(scope: Scope, obj: Any) -> None:
    if not visible(scope, obj, clock.now()):
        raise AftertestError(_("抽样学生名单尚未发布，不能上报测试生信息。"))


def _locked(pk: int) -> TestedReport:
    return engine.lock(TestedReport, pk)


_bump = engine.bump  # conditional UPDATE on (version, status), as every review chain writes


def _locked_for_entry(scope: Scope, report: TestedReport) -> tuple[TestedReport, dict[int, TestedStudent]]:
    """The report locked for the school's entry (its office, after release, while editable, inside the
    window) and its tested students by pk: what the page's save and the file import both start from."""
    locked = _locked(report.pk)
    _require_school(scope, locked.school)
    _require_visible(scope, locked)
    locked.check_editable()
    _require_open(locked.cycle, locked.school)
    by_pk = {t.pk: t for t in TestedStudent.objects.filter(report=locked).select_related(
        "sampled__student", "report__cycle")}
    return locked, by_pk


def _event(report: TestedReport, action: str, actor: Any, from_status: str, comment: str = "") -> None:
    TestedReportEvent.objects.create(report=report, action=action, actor=actor, at=clock.now(),
                                     from_status=from_status, to_status=report.status, comment=comment)


@transaction.atomic
def tested_report_open(*, scope: Scope, roster: Roster, actor: Any) -> TestedReport:
    """The school's report for a roster, created on first use and prefilled from the seat plan:
    every sampled student, marked absent (all sessions) when their seat was marked absent."""
    _require_school(scope, roster.school)
    _require_visible(scope, roster)
    Roster.objects.select_for_update().filter(pk=roster.pk).first()  # two first opens queue here
    existing = TestedReport.objects.filter(roster=roster).first()
    if existing is not None:
        return existing
    _require_open(roster.cycle, roster.school)
    now = clock.now()
    report = TestedReport.objects.create(cycle=roster.cycle, school=roster.school, roster=roster,
                                         stage=roster.stage, created_at=now, updated_at=now)
    sampled = list(SampledStudent.objects.filter(roster=roster).select_related("student")
                   .order_by("student__row", "pk"))
    absent = set(Seat.objects.filter(student__in=[s.student_id for s in sampled], absent=True)
                 .values_list("student_id", flat=True))
    sessions = [s["code"] for s in session_list(roster.cycle, roster.stage)]
    # test day's own record (check-in, session control, discipline), where an app keeps one
    facts = attendance_facts(cycle=roster.cycle, student_ids=[s.student_id for s in sampled])
    rows = []
    for i, s in enumerate(sampled, start=1):
        row = TestedStudent(report=report, sampled=s, school=roster.school, row=i, updated_at=now)
        fact = facts.get(s.student_id)
        missed = [c for c in sessions if fact is not None and c in fact.absent_sessions]
        if fact is not None and missed:
            row.attendance = Attendance.ABSENT if len(missed) == len(sessions) else Attendance.PARTIAL
            row.absent_sessions, row.reason, row.note = missed, fact.reason, fact.note[:200]
        elif fact is None and s.student_id in absent:
            row.attendance, row.absent_sessions = Attendance.ABSENT, sessions
        rows.append(row)
    absent = {r.sampled.student_id for r in rows if r.attendance == Attendance.ABSENT}
    TestedStudent.objects.bulk_create(rows)
    TestedReportEvent.objects.create(report=report, action=ReportAction.CREATE, actor=actor, at=now,
                                     from_status="", to_status=report.status,
                                     comment=_("按座位表预填：%(n)s 名抽样学生，其中缺考 %(a)s 名")
                                     % {"n": len(sampled), "a": len(absent)})
    audit_record(action=Action.CREATE, obj=report, unit=roster.school, actor=actor,
                 after={"students": len(sampled), "absent": len(absent)},
                 detail=_("生成测试生基本信息（按座位表预填）"))
    return report


def session_list(cycle: Cycle, stage: str) -> list[dict[str, str]]:
    """The cycle's student sessions (code, name); sessions for principals/teachers are left out."""
    out = []
    for s in (cycle.config or {}).get("sessions") or []:
        respondents = s.get("respondents")
        if respondents and "student" not in respondents:
            continue
        if s.get("stages") and stage not in s["stages"]:
            continue
        out.append({"code": str(s.get("code")), "name": str(s.get("name") or s.get("code"))})
    return out


@dataclass(frozen=True)
class RowInput:
    attendance: str
    absent_sessions: list[str]
    reason: str
    note: str
    name: str
    sex: str
    class_name: str


def _apply(tested: TestedStudent, data: RowInput, *, actor: Any, now: dt.datetime) -> list[TestedCorrection]:
    """Copy a row's input onto `tested`; return the corrections it records (not saved)."""
    student = tested.sampled.student
    tested.attendance = data.attendance
    tested.absent_sessions = [] if data.attendance == Attendance.PRESENT else list(data.absent_sessions)
    if data.attendance == Attendance.ABSENT and not tested.absent_sessions:
        tested.absent_sessions = [s["code"] for s in session_list(tested.report.cycle, tested.report.stage)]
    tested.reason = "" if data.attendance == Attendance.PRESENT and not data.reason else data.reason
    tested.note = data.note.strip()
    corrections = []
    for fld, roster_value in ((CorrectionField.NAME, student.name), (CorrectionField.SEX, student.sex),
                              (CorrectionField.CLASS, student.class_name)):
        new = (getattr(data, fld) or "").strip()
        if new == roster_value:
            new = ""
        old_effective = getattr(tested, fld) or roster_value
        new_effective = new or roster_value
        if new_effective != old_effective:
            corrections.append(TestedCorrection(tested=tested, field=fld, old_value=old_effective,
                                                new_value=new_effective, actor=actor, at=now))
        setattr(tested, fld, new)
    tested.updated_at = now
    return corrections


@transaction.atomic
def tested_student_save(*, scope: Scope, tested: TestedStudent, data: RowInput, actor: Any) -> TestedStudent:
    """One student's attendance, reason and corrections (the htmx row / plain form)."""
    report = _locked(tested.report_id)
    _require_school(scope, report.school)
    _require_visible(scope, report)
    report.check_editable()
    _require_open(report.cycle, report.school)
    tested = TestedStudent.objects.select_related("sampled__student", "report__cycle").get(pk=tested.pk)
    before = {"attendance": tested.attendance, "reason": tested.reason, "name": tested.name, "sex": tested.sex,
              "class_name": tested.class_name}
    corrections = _apply(tested, data, actor=actor, now=clock.now())
    problems = tested.problems()
    if problems:
        raise AftertestError("；".join(
            _("第 %(row)s 行（%(name)s）“%(col)s”：%(reason)s")
            % {"row": tested.row, "name": tested.sampled.student.name, "col": c, "reason": r} for c, r in problems
        ))
    tested.save()
    TestedCorrection.objects.bulk_create(corrections)
    _bump(report, status=report.status)
    audit_record(action=Action.UPDATE, obj=tested, unit=report.school, actor=actor, before=before,
                 after={"attendance": tested.attendance, "reason": tested.reason, "name": tested.name,
                        "sex": tested.sex, "class_name": tested.class_name},
                 detail=_("测试生基本信息修改：第 %(row)s 行") % {"row": tested.row}
                 + ("；" + _("更正 %(n)s 项") % {"n": len(corrections)} if corrections else ""))
    return tested


@dataclass
class ImportOutcome:
    applied: int = 0
    corrections: int = 0
    errors: list[tuple[int, str, str]] | None = None


@transaction.atomic
def tested_import(*, scope: Scope, report: TestedReport, rows: list[tuple[int, int, RowInput]],
                  errors: list[tuple[int, str, str]], raw: list[tuple[int, dict[str, Any]]], filename: str,
                  actor: Any) -> ImportOutcome:
    """Apply a checked file all at once, or nothing: with any error, keep the rejected rows.

    `rows` are (sheet row, tested-student pk, input) from `importing.check_upload`.
    """
    report, by_pk = _locked_for_entry(scope, report)
    now = clock.now()
    all_errors = list(errors)
    staged: list[tuple[TestedStudent, list[TestedCorrection]]] = []
    for number, pk, data in rows:
        tested = by_pk[pk]
        corr = _apply(tested, data, actor=actor, now=now)
        for col, reason in tested.problems():
            all_errors.append((number, col, reason))
        staged.append((tested, corr))
    if all_errors:
        bad = {n for n, _c, _r in all_errors}
        reasons: dict[int, list[str]] = {}
        for n, c, r in all_errors:
            reasons.setdefault(n, []).append(f"“{c}”：{r}")
        kept = [[n, values, reasons.get(n, [])] for n, values in raw if n in bad]
        TestedUpload.objects.update_or_create(report=report, defaults={
            **TestedUpload.keep(json.dumps(kept, ensure_ascii=False, default=str).encode("utf-8"), filename=filename,
                                actor=actor),
            "error_count": len(all_errors)})
        audit_record(action=Action.IMPORT, obj=report, unit=report.school, actor=actor, result="rejected",
                     detail=_("测试生基本信息导入被拒绝：%(n)s 处错误") % {"n": len(all_errors)})
        return ImportOutcome(errors=sorted(all_errors))
    n_corr = 0
    for tested, corr in staged:
        tested.save()
        TestedCorrection.objects.bulk_create(corr)
        n_corr += len(corr)
    TestedUpload.objects.filter(report=report).delete()
    from_status = report.status
    _bump(report, status=report.status)
    _event(report, ReportAction.IMPORT, actor, from_status,
           _("导入 %(n)s 行，更正 %(c)s 项") % {"n": len(staged), "c": n_corr})
    audit_record(action=Action.IMPORT, obj=report, unit=report.school, actor=actor,
                 after={"rows": len(staged), "corrections": n_corr}, detail=_("测试生基本信息导入"))
    return ImportOutcome(applied=len(staged), corrections=n_corr, errors=[])


def _check_submittable(scope: Scope, report: TestedReport) -> None:
    _require_visible(scope, report)
    report.check_editable()
    _require_open(report.cycle, report.school)
    bad = []
    for t in TestedStudent.objects.filter(report=report).select_related("sampled__student").order_by("row"):
        for col, reason in t.problems():
            bad.append(_("第 %(row)s 行（%(name)s）“%(col)s”：%(reason)s")
                       % {"row": t.row, "name": t.sampled.student.name, "col": col, "reason": reason})
    if bad:
        raise AftertestError(_("以下学生信息有问题，不能提交：") + "；".join(bad[:10])
                             + (_("等 %(n)s 处") % {"n": len(bad)} if len(bad) > 10 else ""))


# --- the review chain: thin wrappers over the engine (TESTED_CHAIN holds roles and reasons) ------
@transaction.atomic
def tested_report_submit(*, scope: Scope, report: TestedReport, actor: Any,
                         version: int | None = None) -> TestedReport:
    """Completes the school's 测试生基本信息上报 task once every sampled stage is submitted."""
    return engine.transition(report, ReportAction.SUBMIT, scope=scope, actor=actor, version=version,
                             check=lambda r: _check_submittable(scope, r))


@transaction.atomic
def tested_report_approve(*, scope: Scope, report: TestedReport, actor: Any, comment: str = "",
                          version: int | None = None) -> TestedReport:
    return engine.transition(report, ReportAction.APPROVE, scope=scope, actor=actor, comment=comment,
                             version=version)


@transaction.atomic
def tested_report_return(*, scope: Scope, report: TestedReport, actor: Any, comment: str,
                         version: int | None = None) -> TestedReport:
    return engine.transition(report, ReportAction.RETURN, scope=scope, actor=actor, comment=comment,
                             version=version)


@transaction.atomic
def supplementary_window_open(*, scope: Scope, cycle: Cycle, school: Unit, start: dt.date, end: dt.date,
                              reason: str, actor: Any) -> WindowReopen:
    """开放补报: the county reopens reporting for one school (a reopening of the tested-students
    window, `jiance.windows`). Inside the cycle's 补报 window if the cycle has one; an approved
    report is reopened (returned) so the school can correct it."""
    if school.level != Level.SCHOOL:
        raise AftertestError(_("只能为学校开放补报"))
    _require_reviewer(scope, school)
    bounds = supplementary_bounds(cycle)
    if bounds is not None and not (bounds.covers(start) and bounds.covers(end)):
        raise AftertestError(_("补报日期须在本周期的补报时间内：%(label)s") % {"label": bounds.label})
    window = window_reopen(scope=scope, cycle=cycle, kind=KIND, unit=school, start=start, until=end,
                           reason=reason, actor=actor, error=AftertestError)
    for report in TestedReport.objects.filter(cycle=cycle, school=school, status=ReportStatus.APPROVED):
        locked = _locked(report.pk)
        from_status = locked.status
        _bump(locked, status=ReportStatus.RETURNED, locked=False, comment=_("开放补报"))
        _event(locked, ReportAction.RETURN, actor, from_status, _("开放补报：%(r)s") % {"r": window.reason})
    return window


def reasons_text() -> str:
    return "/".join(str(label) for _v, label in AbsenceReason.choices)



def personal_data_recorded(*, report: TestedReport, actor: Any, export: bool, what: str, rows: int) -> None:
    """Audit a display or an export of the tested students' names."""
    audit_record(action=Action.EXPORT if export else Action.VIEW_PERSONAL, obj=report, unit=report.school,
                 actor=actor, detail=f"{what}：{report.school.name}{stage_name(report.stage)}，{rows} 人")


def tested_window_reopen(*, scope: Scope, cycle: Cycle, school: Unit, until: dt.date, reason: str,
                         actor: Any) -> WindowReopen:
    """The county reopens the school's tested-student reporting from today until `until` (补报)."""
    return supplementary_window_open(scope=scope, cycle=cycle, school=school, start=clock.today(), end=until,
                                     reason=reason, actor=actor)
