"""The official tables the documents app prints from this app's data (`DocumentTable`):
县级（市级）实施工作领导小组名单 from the leadership group, 样本校测试工作人员名单 from the staffing.
Called by the documents app, which has already checked the person may see `unit`."""

from __future__ import annotations

from typing import Any

from jiance.apps_registry import DocumentTable
from jiance.staffing.models import GroupMember, StaffPost
from jiance.staffing.selectors import group_problems, group_spec, room_label, staffing_rules
from jiance_core.staffing import PROVIDER_NAMES


def _attachment(cycle: Any, code: str) -> str:
    kind = next((d for d in cycle.section("documents", []) or [] if d.get("code") == code), None)
    return (kind or {}).get("attachment") or ""


def county_group_table(*, cycle: Any, unit: Any) -> DocumentTable:
    """The level's 实施工作领导小组（实施办）名单, roles in the cycle's order."""
    spec = group_spec(cycle, unit.level)
    members = list(GroupMember.objects.filter(cycle=cycle, unit=unit).order_by("pk"))
    order = {r.role: i for i, r in enumerate(spec.roles)} if spec else {}
    members.sort(key=lambda m: (order.get(m.role, len(order)), m.pk))
    rows = tuple(
        (str(i), m.role, m.name, m.post, m.phone) for i, m in enumerate(members, start=1)
    )
    name = spec.name if spec else "实施工作领导小组"
    code = "city_group_list" if unit.level == "city" else "county_group_list"
    return DocumentTable(
        title=f"{unit.name}{name}名单", header=("序号", "小组职务", "姓名", "工作单位及职务", "联系电话"),
        rows=rows, unit=unit.name, attachment=_attachment(cycle, code),
        notes=tuple(group_problems(cycle=cycle, unit=unit, members=members)),
    )


def school_staff_table(*, cycle: Any, unit: Any) -> DocumentTable:
    """样本校测试工作人员名单: every post of the sample school, county-sent and the school's own."""
    order: dict[tuple[str, str], int] = {(r.role, str(r.provided_by)): i for i, r in enumerate(staffing_rules(cycle).rules)}
    posts = list(StaffPost.objects.filter(cycle=cycle, site=unit).select_related("home", "room"))
    posts.sort(key=lambda p: (order.get((p.role, p.provided_by), 99), p.room.number if p.room else 0, p.pk))
    rows = tuple(
        (str(i), p.role, PROVIDER_NAMES.get(p.provided_by, p.provided_by), room_label(p.room) if p.room else "",
         p.name, p.home.name, p.post, p.phone)
        for i, p in enumerate(posts, start=1)
    )
    return DocumentTable(
        title=f"{unit.name}测试工作人员名单",
        header=("序号", "岗位", "选派方", "监测室", "姓名", "所在单位", "职务", "联系电话"),
        rows=rows, unit=unit.name, attachment=_attachment(cycle, "school_staff_list"),
    )
