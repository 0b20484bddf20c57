"""样本校 / 县级 / 市级应急事件报告表 [000, 001, 002], built from the records: one table per school,
county or city (the documents app prints it to sign and stamp, and registers it as the provided
table of the cycle's incident-report documents). Students are given by room and seat number only,
never by name: the table travels up the chain and out of the platform."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from jiance.apps_registry import DocumentTable
from jiance.incidents.models import Evaluation, Incident, IncidentStatus, IncidentStudent
from jiance.units.models import Level, Unit

TITLES: dict[str, str] = {Level.SCHOOL: "样本校应急事件报告表", Level.COUNTY: "县级应急事件报告表", Level.CITY: "市级应急事件报告表"}
COMMON = ("发生时间", "监测室及场次", "事件类别", "等级", "事件情况", "涉及学生", "已采取的措施", "上报、请示与决定",
          "处置情况及结果", "状态")
NONE_NOTE = "测试期间未发生应急事件（零报告）。"


def _when(at: Any) -> str:
    return timezone.localtime(at).strftime("%m-%d %H:%M") if at else ""


def _students(i: Incident) -> str:
    seats = [s for s in i.students.all()]
    if not seats:
        return ""
    nums = "、".join(f"{s.seat:02d}" if s.seat else "—" for s in seats)
    dropped = sum(1 for s in seats if s.proposed_drop)
    text = f"{len(seats)} 人（座位 {nums}）"
    return text + (f"，其中按座位号剔除 {dropped} 人" if dropped else "")


def _chain(i: Incident) -> str:
    parts = [f"{_when(i.recorded_at)} 学校上报"]
    if i.confirmed_at:
        parts.append(f"{_when(i.confirmed_at)} 巡视员确认")
    if i.escalated_at:
        parts.append(f"{_when(i.escalated_at)} 县级报市级：{i.proposal}")
    if i.decided_at:
        parts.append(f"{_when(i.decided_at)} 市级决定：{i.decision}")
    if i.reported_at:
        late = i.report_due_at is not None and i.reported_at > i.report_due_at
        parts.append(f"{_when(i.reported_at)} 报告监测中心" + ("（超时）" if late else ""))
    elif i.report_due_at:
        parts.append(f"应于 {_when(i.report_due_at)} 前报告监测中心")
    return "\n".join(parts)


def _result(i: Incident) -> str:
    text = i.handling
    ev = getattr(i, "evaluation", None)
    if isinstance(ev, Evaluation):
        text += (f"\n评估——原因：{ev.cause}；过程：{ev.course}；影响：{ev.effect}；等级：{ev.grade_note}；"
                 f"处置办法：{ev.handling}；效果：{ev.result}")
    return text.strip()


def _place(i: Incident) -> str:
    return " ".join(p for p in ((i.room.name if i.room else ""), i.session_name) if p)


def _rows(cycle: Any, unit: Unit) -> list[Incident]:
    return list(
        Incident.objects.filter(cycle=cycle, school__path__startswith=unit.path)
        .exclude(status=IncidentStatus.DRAFT)
        .select_related("school", "room", "evaluation")
        .prefetch_related(Prefetch("students", queryset=IncidentStudent.objects.order_by("seat", "pk")))
        .order_by("school__path", "occurred_at", "pk")
    )


def _county_name(school: Unit, cache: dict[int, str]) -> str:
    key = school.parent_id or 0
    if key not in cache:
        county = school.county()
        cache[key] = county.name if county else ""
    return cache[key]


def incident_table(*, cycle: Any, unit: Unit) -> DocumentTable:
    """The report table of `unit` (a school, county or city; a province or the centre get the city
    layout for their area)."""
    level = unit.level if unit.level in TITLES else Level.CITY
    incidents = _rows(cycle, unit)
    lead: tuple[str, ...] = ("序号",)
    if level == Level.CITY:
        lead += ("区县", "学校")
    elif level == Level.COUNTY:
        lead += ("学校",)
    names: dict[int, str] = {}
    rows = []
    for n, i in enumerate(incidents, 1):
        first: tuple[str, ...] = (str(n),)
        if level == Level.CITY:
            first += (_county_name(i.school, names), i.school.name)
        elif level == Level.COUNTY:
            first += (i.school.name,)
        rows.append((*first, _when(i.occurred_at), _place(i), i.kind_name, f"{i.grade} 级", i.what, _students(i),
                     i.actions, _chain(i), _result(i), i.get_status_display()))
    by_grade = Counter(i.grade for i in incidents)
    notes: tuple[str, ...]
    if incidents:
        notes = (f"共 {len(incidents)} 起：1 级 {by_grade[1]} 起，2 级 {by_grade[2]} 起，3 级 {by_grade[3]} 起；"
                 f"已办结 {sum(1 for i in incidents if i.status == IncidentStatus.CLOSED)} 起。",)
        if level != Level.SCHOOL:
            notes += (f"涉及学校 {len({i.school_id for i in incidents})} 所。",)
    else:
        notes = (NONE_NOTE,)
    return DocumentTable(title=TITLES[level], header=(*lead, *COMMON), rows=tuple(rows), unit=unit.name, notes=notes,
                         )
