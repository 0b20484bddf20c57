"""The incident chain per grade (SPEC §8, [003]): who reports to whom, version-checked steps with
history and audit, the grade-3 notification to the city, the 1-hour report clock (Chongqing)."""

from __future__ import annotations

import pytest

from jiance import clock
from jiance.accounts.scoping import RoleRequired
from jiance.audit.models import AuditEntry
from jiance.cycles.models import Cycle
from jiance.incidents import selectors, services
from jiance.incidents.models import Incident, IncidentError, IncidentStatus
from jiance.incidents.progress import school_progress
from jiance.notifications.models import Notification
from tests.factories import World
from tests.incidents.builders import People, at, record

pytestmark = pytest.mark.django_db


def step(p: People, who: str, incident: Incident, action: str, comment: str = "", **kw: object) -> Incident:
    incident.refresh_from_db()
    return services.incident_step(scope=p.scope(who), incident=incident, action=action, version=incident.version,
                                  comment=comment, actor=getattr(p, who), **kw)  # type: ignore[arg-type]


def actions(incident: Incident) -> list[str]:
    return list(incident.events.order_by("at", "pk").values_list("action", flat=True))


def test_grade_1_school_reports_county_handles(world: World, cycle: Cycle, p: People) -> None:
    i = record(p, cycle, world.school_a1, "student_unwell")
    assert (i.status, i.grade, i.recorded_by) == (IncidentStatus.RECORDED, 1, p.officer_a1)
    with pytest.raises(RoleRequired):  # the school does not confirm its own record
        step(p, "principal_a1", i, "confirm")
    i = step(p, "inspector_a", i, "confirm")
    with pytest.raises(IncidentError, match="不报市级"):
        step(p, "county_a", i, "escalate", "请示")
    i = step(p, "inspector_a", i, "handle", "经医护人员处理，该生不参加后续场次，按缺测处理")
    assert i.status == IncidentStatus.HANDLED and i.handled_at == clock.now() and i.report_due_at is None
    i = step(p, "county_a", i, "close")
    assert i.status == IncidentStatus.CLOSED and i.locked
    assert actions(i) == ["record", "confirm", "handle", "close"]
    assert AuditEntry.objects.filter(object_type__icontains="incident").count() >= 4


def test_grade_2_county_asks_the_city(world: World, cycle: Cycle, p: People) -> None:
    i = record(p, cycle, world.school_a1, "schools_merged", what="测试前与邻校合并")
    assert i.grade == 2
    i = step(p, "inspector_a", i, "confirm")
    with pytest.raises(IncidentError, match="须先报市级"):
        step(p, "inspector_a", i, "handle", "已处置")
    with pytest.raises(IncidentError, match="请示"):
        step(p, "county_a", i, "escalate", "")
    with pytest.raises(RoleRequired):  # the inspector does not speak for the county office
        step(p, "inspector_a", i, "escalate", "请示市级")
    i = step(p, "county_a", i, "escalate", "请示：由合并后的学校组织实施是否可行")
    assert i.proposal.startswith("请示") and i.status == IncidentStatus.ESCALATED
    with pytest.raises(RoleRequired):  # the county cannot decide for the city
        step(p, "county_a", i, "decide", "同意")
    i = step(p, "city", i, "decide", "由合并后的学校组织实施，仍按原样本校和学生范围测试")
    assert i.decision and i.decided_at == clock.now()
    i = step(p, "county_a", i, "handle", "已按市级决定组织测试")
    i = step(p, "county_a", i, "close")
    assert actions(i) == ["record", "confirm", "escalate", "decide", "handle", "close"]


def test_grade_3_notifies_the_city_and_needs_an_evaluation(
        world: World, cycle: Cycle, p: People, django_capture_on_commit_callbacks: object) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        i = record(p, cycle, world.school_a1, "impersonation", what="第1监测室发现冒名顶替者 1 人")
    note = Notification.objects.get(recipient=p.city)
    assert "3 级应急事件" in note.title and str(i.pk) in note.url
    assert not Notification.objects.filter(recipient=p.county_a).exists()
    i = step(p, "inspector_a", i, "confirm")
    i = step(p, "county_a", i, "escalate", "建议：该生退出测试，按缺测处理，追查组织者")
    i = step(p, "city", i, "decide", "同意县级建议")
    i = step(p, "county_a", i, "handle", "已执行")
    with pytest.raises(IncidentError, match="评估"):
        step(p, "county_a", i, "close")
    values = {"cause": "家长替考", "course": "检录时核对照片发现", "effect": "一名学生数据无效", "grade_note": "3 级",
              "handling": "请其离开，按缺测处理", "result": "测试正常进行"}
    with pytest.raises(IncidentError, match="处置效果"):
        services.incident_evaluate(scope=p.scope("county_a"), incident=i, version=i.version, actor=p.county_a,
                                   values={**values, "result": ""})
    i.refresh_from_db()
    i = services.incident_evaluate(scope=p.scope("county_a"), incident=i, version=i.version, actor=p.county_a,
                                   values=values)
    i = step(p, "county_a", i, "close")
    assert i.status == IncidentStatus.CLOSED and i.evaluation.cause == "家长替考"
    assert actions(i) == ["record", "confirm", "escalate", "decide", "handle", "evaluate", "close"]
    assert Notification.objects.filter(recipient=p.city).count() == 1  # once per incident


def test_inspector_regrades_on_confirming(world: World, cycle: Cycle, p: People,
                                          django_capture_on_commit_callbacks: object) -> None:
    i = record(p, cycle, world.school_a1, "other", what="考场外施工噪音严重")
    assert i.grade == 1
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        i = step(p, "inspector_a", i, "confirm", "", grade=3)
    assert (i.grade, i.reported_grade) == (3, 1)
    assert "等级由 1 级调整为 3 级" in i.events.get(action="confirm").comment
    assert Notification.objects.filter(recipient=p.city).exists()


def test_return_to_school_and_record_again(world: World, cycle: Cycle, p: People) -> None:
    i = record(p, cycle, world.school_a1)
    with pytest.raises(IncidentError, match="退回时必须"):
        step(p, "inspector_a", i, "return", "")
    i = step(p, "inspector_a", i, "return", "请写明学生座位号")
    assert i.status == IncidentStatus.RETURNED
    i = step(p, "officer_a1", i, "record")
    assert i.status == IncidentStatus.RECORDED


def test_a_stale_page_is_refused(world: World, cycle: Cycle, p: People) -> None:
    i = record(p, cycle, world.school_a1)
    seen = i.version
    step(p, "inspector_a", i, "return", "补充")
    i.refresh_from_db()
    with pytest.raises(IncidentError, match=r"页面已过期|刷新"):
        services.incident_step(scope=p.scope("officer_a1"), incident=i, action="record", version=seen,
                               actor=p.officer_a1)


def test_report_clock_runs_where_the_cycle_says_so(world: World, chongqing: Cycle, p: People) -> None:
    """Chongqing: report to the centre within 1 hour of handling [003]; frozen clock."""
    i = record(p, chongqing, world.school_a1, "booklets_extra", what="多出 2 份")  # grade 1: no clock
    i = step(p, "inspector_a", i, "confirm")
    i = step(p, "inspector_a", i, "handle", "背靠背装回原袋")
    assert i.report_due_at is None

    g2 = record(p, chongqing, world.school_a1, "no_sms", what="校长未收到短信")
    g2 = step(p, "inspector_a", g2, "confirm")
    g2 = step(p, "county_a", g2, "escalate", "请示")
    g2 = step(p, "city", g2, "decide", "致电监测中心")
    with clock.frozen(at(10, 0)):
        g2 = step(p, "county_a", g2, "handle", "已致电说明")
    assert g2.report_due_at == at(11, 0)
    schools = [world.school_a1.pk]
    with clock.frozen(at(11, 0)):
        assert selectors.counts(Incident.objects.all())["overdue"] == 0
        assert school_progress(cycle=chongqing, school_ids=schools, day=at(11).date())[world.school_a1.pk][
            "incidents_overdue"] == 0
    with clock.frozen(at(11, 1)):
        assert selectors.counts(Incident.objects.all())["overdue"] == 1
        assert school_progress(cycle=chongqing, school_ids=schools, day=at(11).date())[world.school_a1.pk][
            "incidents_overdue"] == 1
        with pytest.raises(RoleRequired):  # the county does not report to the centre itself
            services.incident_report_centre(scope=p.scope("county_a"), incident=g2, version=g2.version,
                                            actor=p.county_a)
        g2.refresh_from_db()
        g2 = services.incident_report_centre(scope=p.scope("supervisor"), incident=g2, version=g2.version,
                                             actor=p.supervisor, comment="电话报告中心值班员")
        assert g2.reported_at == at(11, 1) and g2.events.filter(action="report").exists()
        assert selectors.counts(Incident.objects.all())["overdue"] == 0
        with pytest.raises(IncidentError, match="已于"):
            services.incident_report_centre(scope=p.scope("supervisor"), incident=g2, version=g2.version,
                                            actor=p.supervisor)


def test_no_report_clock_in_a_national_cycle(world: World, cycle: Cycle, p: People) -> None:
    i = record(p, cycle, world.school_a1, "no_sms", what="校长未收到短信")
    for who, action, text in (("inspector_a", "confirm", ""), ("county_a", "escalate", "请示"),
                              ("city", "decide", "致电"), ("county_a", "handle", "已处置")):
        i = step(p, who, i, action, text)
    assert i.report_due_at is None
    with pytest.raises(IncidentError, match="不要求"):
        services.incident_report_centre(scope=p.scope("city"), incident=i, version=i.version, actor=p.city)
