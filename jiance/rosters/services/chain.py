"""The roster review chain: opening a school's roster, submit → principal → county → city, return.

Every step goes through the one review engine (`jiance.review.engine`, chain `ROSTER_CHAIN` in the
models): it locks the roster row, refuses a stale page, writes with a conditional UPDATE on (status,
version), records the event and the audit entry; the loser of a race gets a RosterError in Chinese.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts import roles
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.review import engine
from jiance.rosters import selectors
from jiance.rosters.models import (
    STEP_ROLES as STEP_ROLES,  # re-exported: the page shows who acts next
)
from jiance.rosters.models import (
    Roster,
    RosterAction,
    RosterError,
    RosterStatus,
    Student,
    Teacher,
)
from jiance.units.models import Unit
from jiance.windows.models import WindowReopen
from jiance.windows.services import window_reopen, window_require, window_state

STUDENT_FIELDS = ("name", "sex", "birth_date", "national_id", "class_name", "student_no")


# --- helpers ------------------------------------------------------------------------------------
def _locked(pk: int) -> Roster:
    return engine.lock(Roster, pk)


_bump = engine.bump  # conditional UPDATE on (version, status), as every review chain writes


# the cycle's windows of the school's entry (students and teachers may have their own dates); the
# principal's check and the reviews above are not bound to them (jiance.windows.services)
STUDENTS_WINDOW = "student_roster"
TEACHERS_WINDOW = "teacher_roster"


def _require_entry(scope: Scope, roster: Roster, window: str = "") -> None:
    """The school's officer, inside the roster's `window` (the first that applies, for a submit)."""
    scope.require(roles.SCHOOL_OFFICER, roster.school)
    kinds = [window] if window else [STUDENTS_WINDOW, TEACHERS_WINDOW]
    window_require(cycle=roster.cycle, kinds=kinds, unit=roster.school, error=RosterError)


def test_date_of(cycle: Cycle) -> date:
    days = cycle.test_days
    return days[0] if days else clock.today()


# --- opening --------------------------------------------------------------------------------------
@transaction.atomic
def roster_open(*, scope: Scope, cycle: Cycle, school: Unit, stage: str) -> Roster:
    """The school's roster for a stage, created on first use; only for a sample school of a
    published draw."""
    scope.require(selectors.VIEW_ROLES, school)
    existing = Roster.objects.filter(cycle=cycle, school=school, stage=stage).first()
    if existing is not None:
        return existing
    if stage not in selectors.sampled_stages(scope=scope, cycle=cycle, school=school):
        raise RosterError(_("本校不是本周期已发布的样本校（该学段），无需上报名单。"))
    now = clock.now()
    try:
        with transaction.atomic():
            return Roster.objects.create(
                cycle=cycle, school=school, stage=stage, grade=selectors.grade_for(cycle, stage),
                created_at=now, updated_at=now,
            )
    except IntegrityError:
        return Roster.objects.get(cycle=cycle, school=school, stage=stage)


def rosters_open_for_school(*, scope: Scope, cycle: Cycle, school: Unit) -> list[Roster]:
    for stage in selectors.sampled_stages(scope=scope, cycle=cycle, school=school):
        roster_open(scope=scope, cycle=cycle, school=school, stage=stage)
    return selectors.school_rosters(scope=scope, cycle=cycle, school=school)


# --- the review chain -----------------------------------------------------------------------------
def _check_complete(roster: Roster) -> None:
    n = Student.objects.filter(roster=roster).count()
    if n == 0:
        raise RosterError(_("名单中还没有学生，不能提交"))
    if not Teacher.objects.filter(roster=roster).exists():
        raise RosterError(_("还没有填报教师名单，不能提交"))
    record = selectors.frame_record_for(cycle=roster.cycle, school=roster.school)
    expected = getattr(record, f"{roster.stage}_classes", 0) if record else 0
    classes = Student.objects.filter(roster=roster).values("class_name").distinct().count()
    if expected and classes != expected:
        raise RosterError(
            _("名单中有 %(n)s 个班级，与本校属地学校信息中的班级数 %(m)s 不一致，不能提交") % {"n": classes, "m": expected}
        )


@transaction.atomic
def roster_submit(*, scope: Scope, roster: Roster, actor: Any, comment: str = "", version: int | None = None) -> Roster:
    """Completes the school's 师生信息上报 task once every sampled stage is submitted (ROSTER_CHAIN).
    Inside the students' or the teachers' window."""
    window_require(cycle=roster.cycle, kinds=[STUDENTS_WINDOW, TEACHERS_WINDOW], unit=roster.school,
                   error=RosterError)
    return engine.transition(roster, RosterAction.SUBMIT, scope=scope, actor=actor, comment=comment,
                             version=version, check=_check_complete)


# the step waiting on a roster in each status: principal, then county, then city
APPROVE_STEPS: dict[str, str] = {
    RosterStatus.SUBMITTED: RosterAction.PRINCIPAL_APPROVE,
    RosterStatus.SCHOOL_APPROVED: RosterAction.COUNTY_APPROVE,
    RosterStatus.COUNTY_APPROVED: RosterAction.CITY_APPROVE,
}


@transaction.atomic
def roster_approve(*, scope: Scope, roster: Roster, actor: Any, comment: str = "", version: int | None = None) -> Roster:
    """The step waiting on the roster: principal, then county, then city."""
    step = APPROVE_STEPS.get(roster.status)
    if step is None:
        raise RosterError(_("当前状态为“%(s)s”，没有待审核的步骤") % {"s": roster.get_status_display()})
    return engine.transition(roster, step, scope=scope, actor=actor, comment=comment, version=version)


@transaction.atomic
def roster_return(*, scope: Scope, roster: Roster, actor: Any, comment: str, version: int | None = None) -> Roster:
    return engine.transition(roster, RosterAction.RETURN, scope=scope, actor=actor, comment=comment,
                             version=version)


@transaction.atomic
def roster_window_reopen(*, scope: Scope, cycle: Cycle, school: Unit, until: date, reason: str,
                         actor: Any) -> list[WindowReopen]:
    """The county reopens the school's roster entry (students and teachers) until `until`, with a
    reason; audited once per window."""
    return [window_reopen(scope=scope, cycle=cycle, kind=kind, unit=school, until=until, reason=reason,
                          actor=actor, error=RosterError)
            for kind in (STUDENTS_WINDOW, TEACHERS_WINDOW)]


def can_act(scope: Scope, roster: Roster) -> dict[str, bool]:
    """What this person may do on the roster now (for the page's buttons)."""
    allowed = engine.allowed_actions(roster, scope)
    review = bool(allowed & {*APPROVE_STEPS.values(), RosterAction.RETURN})
    entry = roster.editable and scope.holds(roles.SCHOOL_OFFICER, roster.school) and any(
        window_state(cycle=roster.cycle, kind=k, unit=roster.school).open for k in (STUDENTS_WINDOW, TEACHERS_WINDOW))
    return {"edit": entry, "submit": entry, "approve": review, "return": review}
