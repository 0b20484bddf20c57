"""Leadership groups and the staffing of sample schools: every change checks the version the
page was built from, refuses while the county's staffing is submitted, and is audited. The
rules themselves are `jiance_core.staffing` (checked on every save by the page, and before the
county may submit)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.cycles.models import Cycle
from jiance.staffing import selectors
from jiance.staffing.models import (
    GroupMember,
    Sheet,
    SheetKind,
    StaffingError,
    StaffingStatus,
    StaffPost,
)
from jiance.units.models import Level, Unit
from jiance_core.staffing import ROOM_UNITS


def _sheet_locked(*, cycle: Cycle, unit: Unit, kind: str, version: int | None) -> Sheet:
    """The unit's sheet, locked, after checking the page's version (a stale page is refused)."""
    sheet, _created = Sheet.objects.get_or_create(cycle=cycle, unit=unit, kind=kind, defaults={"version": 0})
    sheet = Sheet.objects.select_for_update().get(pk=sheet.pk)
    if version is not None and sheet.version != version:
        raise StaffingError(_("页面已过期：名单已被他人修改（第 %(v)s 版），请刷新后再操作") % {"v": sheet.version})
    return sheet


def _bump(sheet: Sheet) -> None:
    sheet.version += 1
    sheet.save(update_fields=["version"])


def _county_of(site: Unit) -> Unit:
    county = site.ancestors().filter(level=Level.COUNTY).first()
    if county is None:
        raise StaffingError(_("学校不属于任何县（区）"))
    return county


def _check_open(sheet: Sheet) -> None:
    if sheet.status == StaffingStatus.SUBMITTED:
        raise StaffingError(_("本县测试工作人员安排已提交，须先撤回才能修改"))


# --- leadership groups -------------------------------------------------------------------------
@transaction.atomic
def group_member_add(*, scope: Scope, cycle: Cycle, unit: Unit, data: dict[str, Any], version: int | None,
                     actor: Any) -> GroupMember:
    scope.require(selectors.GROUP_EDIT_ROLES.get(unit.level, ()), unit)
    spec = selectors.group_spec(cycle, unit.level)
    roles = {r.role: r for r in spec.roles} if spec else {}
    role = roles.get(data["role"])
    if role is None:
        raise StaffingError(_("本轮%(unit)s领导小组没有“%(role)s”这一角色") % {"unit": unit.name, "role": data["role"]})
    sheet = _sheet_locked(cycle=cycle, unit=unit, kind=SheetKind.GROUP, version=version)
    member = GroupMember.objects.create(
        cycle=cycle, unit=unit, role=role.role, body=role.body, name=data["name"].strip(),
        post=data.get("post", "").strip(), phone=data.get("phone", "").strip(), created_at=clock.now(),
    )
    _bump(sheet)
    audit_record(action=Action.CREATE, obj=member, unit=unit, after={"role": member.role, "name": member.name},
                 detail="登记领导小组成员", actor=actor)
    return member


@transaction.atomic
def group_member_delete(*, scope: Scope, member: GroupMember, version: int | None, actor: Any) -> None:
    unit = member.unit
    scope.require(selectors.GROUP_EDIT_ROLES.get(unit.level, ()), unit)
    sheet = _sheet_locked(cycle=member.cycle, unit=unit, kind=SheetKind.GROUP, version=version)
    audit_record(action=Action.DELETE, obj=member, unit=unit, before={"role": member.role, "name": member.name},
                 detail="删除领导小组成员", actor=actor)
    member.delete()
    _bump(sheet)


# --- staffing of sample schools ----------------------------------------------------------------
@transaction.atomic
def staff_post_add(*, scope: Scope, cycle: Cycle, site: Unit, data: dict[str, Any], version: int | None,
                   actor: Any) -> StaffPost:
    """Put one person into one post of a sample school. `data`: role, provided_by, room (a
    TestRoom of the site for a per-room post), and the person: `teacher` (from the roster:
    name, school, subjects known) or name, phone, post, home (a unit of the county), subjects."""
    county = _county_of(site)
    rules = selectors.staffing_rules(cycle)
    rule = next((r for r in selectors.core.site_rules(rules.rules)
                 if r.role == data["role"] and r.provided_by == data["provided_by"]), None)
    if rule is None:
        raise StaffingError(_("本轮没有“%(role)s”这一岗位") % {"role": data["role"]})
    edit_roles = selectors.COUNTY_EDIT_ROLES if rule.provided_by != Level.SCHOOL else selectors.SCHOOL_EDIT_ROLES
    scope.require(edit_roles, site)
    sheet = _sheet_locked(cycle=cycle, unit=county, kind=SheetKind.STAFFING, version=version)
    _check_open(sheet)
    room = data.get("room")
    if rule.per in ROOM_UNITS:
        if room is None or room.school_id != site.pk or room.cycle_id != cycle.pk:
            raise StaffingError(_("“%(role)s”按监测室配备，请选择监测室") % {"role": rule.role})
        if rule.per != "room" and room.kind != {"paper_room": "paper", "computer_room": "computer"}[rule.per]:
            raise StaffingError(_("%(room)s不是该岗位对应类型的监测室") % {"room": selectors.room_label(room)})
    else:
        room = None
    teacher = data.get("teacher")
    if teacher is not None:
        home = teacher.roster.school
        name, subjects = teacher.name, selectors.teacher_subjects(teacher)
    else:
        home = data.get("home") or (site if rule.provided_by == Level.SCHOOL else county)
        name, subjects = data["name"].strip(), sorted(set(data.get("subjects") or ()))
        if not name:
            raise StaffingError(_("请填写姓名或从教师名单中选择"))
    if not (home.pk == county.pk or home.path.startswith(county.path)):
        raise StaffingError(_("人员须来自本县（区）的学校或单位"))
    if rule.provided_by == Level.SCHOOL and home.pk != site.pk:
        raise StaffingError(_("“%(role)s”由样本校自配，须为本校人员") % {"role": rule.role})
    post = StaffPost.objects.create(
        cycle=cycle, site=site, role=rule.role, provided_by=rule.provided_by, room=room, name=name,
        phone=data.get("phone", "").strip(), post=data.get("post", "").strip(), home=home, subjects=subjects,
        teacher=teacher, created_at=clock.now(),
    )
    _bump(sheet)
    audit_record(action=Action.CREATE, obj=post, unit=site,
                 after={"role": post.role, "name": post.name, "home": home.code, "subjects": subjects},
                 detail="安排测试工作人员", actor=actor)
    return post


@transaction.atomic
def staff_post_delete(*, scope: Scope, post: StaffPost, version: int | None, actor: Any) -> None:
    edit_roles = selectors.COUNTY_EDIT_ROLES if post.provided_by != Level.SCHOOL else selectors.SCHOOL_EDIT_ROLES
    scope.require(edit_roles, post.site)
    sheet = _sheet_locked(cycle=post.cycle, unit=_county_of(post.site), kind=SheetKind.STAFFING, version=version)
    _check_open(sheet)
    now = clock.now()
    post.badges.filter(revoked_at__isnull=True).update(revoked_at=now)  # the badge goes with the post
    audit_record(action=Action.DELETE, obj=post, unit=post.site, before={"role": post.role, "name": post.name},
                 detail="删除测试工作人员（胸牌作废）", actor=actor)
    post.delete()
    _bump(sheet)


@transaction.atomic
def staffing_submit(*, scope: Scope, cycle: Cycle, county: Unit, version: int | None, actor: Any) -> Sheet:
    """The county submits its staffing: refused while any rule is broken (each one named)."""
    scope.require(selectors.COUNTY_EDIT_ROLES, county)
    sheet = _sheet_locked(cycle=cycle, unit=county, kind=SheetKind.STAFFING, version=version)
    _check_open(sheet)
    view = selectors.county_view(scope=scope, cycle=cycle, county=county)
    if not view.sites:
        raise StaffingError(_("本县尚无已发布的样本校"))
    if view.violations:
        raise StaffingError(_("还有 %(n)s 处不符合配备要求，不能提交：%(list)s") % {
            "n": len(view.violations), "list": "；".join(v.message for v in view.violations[:5])})
    sheet.status = StaffingStatus.SUBMITTED
    sheet.submitted_at = clock.now()
    sheet.submitted_by = actor if getattr(actor, "pk", None) else None
    sheet.version += 1
    sheet.save()
    audit_record(action=Action.SUBMIT, obj=sheet, unit=county,
                 after={"sites": len(view.sites), "people": sum(len(s.posts) for s in view.sites)},
                 detail="提交样本校测试工作人员安排", actor=actor)
    return sheet


@transaction.atomic
def staffing_withdraw(*, scope: Scope, cycle: Cycle, county: Unit, version: int | None, actor: Any) -> Sheet:
    scope.require(selectors.COUNTY_EDIT_ROLES, county)
    sheet = _sheet_locked(cycle=cycle, unit=county, kind=SheetKind.STAFFING, version=version)
    if sheet.status != StaffingStatus.SUBMITTED:
        raise StaffingError(_("尚未提交，无需撤回"))
    sheet.status = StaffingStatus.DRAFT
    sheet.version += 1
    sheet.save(update_fields=["status", "version"])
    audit_record(action=Action.UPDATE, obj=sheet, unit=county, after={"status": sheet.status},
                 detail="撤回测试工作人员安排", actor=actor)
    return sheet
