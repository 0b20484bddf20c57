"""The roster review chain: opening a school's roster, submit → principal → county → city, return.

Every step runs under `transaction.atomic`, locks the roster row and writes with a conditional UPDATE
on (status, version); the loser of a race gets a RosterError in Chinese. Every write is audit-logged.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.cycles.models import Cycle
from jiance.cycles.services import milestones_observed
from jiance.rosters import selectors
from jiance.rosters.models import (
    EDITABLE_STATUSES,
    Roster,
    RosterAction,
    RosterError,
    RosterEvent,
    RosterStatus,
    Student,
    Teacher,
)
from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool
from jiance.units.models import Unit

STUDENT_FIELDS = ("name", "sex", "birth_date", "national_id", "class_name", "student_no")
AUDIT_ACTIONS: dict[str, str] = {
    RosterAction.SUBMIT: Action.SUBMIT,
    RosterAction.PRINCIPAL_APPROVE: Action.APPROVE,
    RosterAction.COUNTY_APPROVE: Action.APPROVE,
    RosterAction.CITY_APPROVE: Action.APPROVE,
    RosterAction.RETURN: Action.RETURN,
}
# Who acts on a roster in each status (and may return it).
STEP_ROLES: dict[str, tuple[str, ...]] = {
    RosterStatus.SUBMITTED: selectors.PRINCIPAL_ROLES,
    RosterStatus.SCHOOL_APPROVED: selectors.COUNTY_ROLES,
    RosterStatus.COUNTY_APPROVED: selectors.CITY_ROLES,
}
ACTION_ROLES: dict[str, tuple[str, ...]] = {
    RosterAction.SUBMIT: selectors.SCHOOL_ROLES,
    RosterAction.PRINCIPAL_APPROVE: selectors.PRINCIPAL_ROLES,
    RosterAction.COUNTY_APPROVE: selectors.COUNTY_ROLES,
    RosterAction.CITY_APPROVE: selectors.CITY_ROLES,
}


# --- helpers ------------------------------------------------------------------------------------
def _locked(pk: int) -> Roster:
    return Roster.objects.select_for_update().select_related("school", "cycle").get(pk=pk)


def _bump(roster: Roster, **fields: Any) -> None:
    now = clock.now()
    updated = Roster.objects.filter(pk=roster.pk, version=roster.version, status=roster.status).update(
        version=roster.version + 1, updated_at=now, **fields
    )
    if updated != 1:
        raise RosterError(_("数据已被他人修改，请刷新页面后重试"))
    for k, v in fields.items():
        setattr(roster, k, v)
    roster.version += 1
    roster.updated_at = now


def _require_entry(scope: Scope, roster: Roster) -> None:
    scope.require(selectors.SCHOOL_ROLES, roster.school)


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


def _transition(*, scope: Scope, roster: Roster, action: str, actor: Any, comment: str = "") -> Roster:
    seen = roster.status
    roster = _locked(roster.pk)
    from_status = roster.status
    if from_status != seen:  # someone acted between the page and this click: say so, never guess
        raise RosterError(_("名单状态刚由“%(a)s”变为“%(b)s”（他人已处理），请刷新页面后再操作")
                          % {"a": RosterStatus(seen).label, "b": roster.get_status_display()})
    if action == RosterAction.RETURN:
        roles = STEP_ROLES.get(from_status)
        if roles is None:
            roster.target_status(action)  # raises the Chinese reason
            raise RosterError(_("当前状态不能退回"))
        scope.require(roles, roster.school)
        if not comment.strip():
            raise RosterError(_("退回时必须填写退回原因"))
    else:
        scope.require(ACTION_ROLES[action], roster.school)
    target = roster.target_status(action)
    if action == RosterAction.SUBMIT:
        _check_complete(roster)
    _bump(roster, status=target, comment=comment, locked=target == RosterStatus.APPROVED)
    now = clock.now()
    RosterEvent.objects.create(
        roster=roster, action=action, actor=actor, at=now, from_status=from_status, to_status=target, comment=comment,
    )
    audit_record(
        action=AUDIT_ACTIONS[action], obj=roster, unit=roster.school, actor=actor,
        before={"status": from_status}, after={"status": target, "version": roster.version},
        detail=f"学生名单{RosterAction(action).label}" + (f"：{comment}" if comment else ""),
    )
    return roster


@transaction.atomic
def roster_submit(*, scope: Scope, roster: Roster, actor: Any, comment: str = "") -> Roster:
    roster = _transition(scope=scope, roster=roster, action=RosterAction.SUBMIT, actor=actor, comment=comment.strip())
    # the school's 师生信息上报 task is done once every sampled stage's roster is submitted
    stages = set(
        SampledSchool.objects.filter(draw__cycle=roster.cycle, draw__status=DrawStatus.PUBLISHED,
                                     status=RowStatus.IN_SAMPLE, school=roster.school).values_list("stage", flat=True)
    )
    submitted = set(
        Roster.objects.filter(cycle=roster.cycle, school=roster.school).exclude(status__in=EDITABLE_STATUSES)
        .values_list("stage", flat=True)
    )
    if stages <= submitted:
        milestones_observed(cycle=roster.cycle, unit=roster.school, event="roster_submitted", actor=actor)
    return roster


@transaction.atomic
def roster_approve(*, scope: Scope, roster: Roster, actor: Any, comment: str = "") -> Roster:
    """The step waiting on the roster: principal, then county, then city."""
    steps: dict[str, str] = {
        RosterStatus.SUBMITTED: RosterAction.PRINCIPAL_APPROVE,
        RosterStatus.SCHOOL_APPROVED: RosterAction.COUNTY_APPROVE,
        RosterStatus.COUNTY_APPROVED: RosterAction.CITY_APPROVE,
    }
    step = steps.get(roster.status)
    if step is None:
        raise RosterError(_("当前状态为“%(s)s”，没有待审核的步骤") % {"s": roster.get_status_display()})
    return _transition(scope=scope, roster=roster, action=step, actor=actor, comment=comment.strip())


@transaction.atomic
def roster_return(*, scope: Scope, roster: Roster, actor: Any, comment: str) -> Roster:
    return _transition(scope=scope, roster=roster, action=RosterAction.RETURN, actor=actor, comment=(comment or "").strip())


def can_act(scope: Scope, roster: Roster) -> dict[str, bool]:
    """What this person may do on the roster now (for the page's buttons)."""
    step_roles = STEP_ROLES.get(roster.status)
    review = bool(step_roles) and scope.holds(step_roles or (), roster.school)
    return {
        "edit": roster.editable and scope.holds(selectors.SCHOOL_ROLES, roster.school),
        "submit": roster.editable and scope.holds(selectors.SCHOOL_ROLES, roster.school),
        "approve": review,
        "return": review,
    }
