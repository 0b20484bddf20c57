"""The test-day demo's incidents and supervision-line calls (phase "testday"), through the real
services, stamped at plausible moments of the test-day morning.

南昌县 (the demo county) shows every grade in a different state: at the demo school a grade-2
booklet shortage (the platform proposed whom to drop by seat number; the city decided; handled),
a grade-1 student taken ill (handled and closed), a misprint waiting for the inspector; at two
other sample schools a grade-3 power cut the city has decided on (waiting to be handled) and a
grade-3 impersonation reported with a proposal (waiting for the city, which was notified); and
three hotline calls, one of them turned into an incident. The demo cycle is the national 2022
cycle, which has no report-to-the-centre clock (only Chongqing's cycle has one), so no report is
overdue: `docs/incidents.md` says how to see that clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from jiance import clock
from jiance.accounts.models import User
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.incidents import hotline, services
from jiance.incidents.models import Incident
from jiance.incidents.services import IncidentInput
from jiance.rosters.models import Roster
from jiance.testday.models import Seat, TestRoom
from jiance.units.models import Unit
from jiance.web.demo.common import acting


@dataclass
class IncidentSummary:
    incidents: int = 0
    calls: int = 0

    def line(self) -> str:
        return f"应急事件：{self.incidents} 起（1-3 级各有）；监督专线来电 {self.calls} 次。"


def _at(today: dt.date, hh: int, mm: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(today, dt.time(hh, mm)))


def build_incidents(*, cycle: Cycle, county: Unit, demo_school: Unit, users: dict[str, User],
                    today: dt.date) -> IncidentSummary:
    """The test-day morning of `today` (the shifted cycle's first test day), every moment before
    the demo's 10:10 (`DEMO_TESTDAY_TIME`)."""
    officer, inspector = Scope(users["school.info"]), Scope(users["ncx.inspector"])
    county_admin, liaison, city = Scope(users["ncx.admin"]), Scope(users["ncx.liaison"]), Scope(users["nanchang.admin"])
    summary = IncidentSummary()
    others = list(Unit.objects.filter(pk__in=Roster.objects.filter(cycle=cycle, school__parent=county)
                                      .exclude(school=demo_school).values("school_id")).order_by("code")[:2])

    def act(who: Scope, incident: Incident, action: str, when: dt.datetime, comment: str = "") -> Incident:
        with clock.frozen(when):
            incident.refresh_from_db()
            return services.incident_step(scope=who, incident=incident, action=action, version=incident.version,
                                          comment=comment, actor=who.user)

    def recorded(school: Unit, when: dt.datetime, data: IncidentInput) -> Incident:
        who = officer if school.pk == demo_school.pk else Scope.acting_for(school, "school_info")
        with clock.frozen(when), acting(who):
            summary.incidents += 1
            return services.incident_record(scope=who, cycle=cycle, school=school, data=data, actor=who.user)

    room = TestRoom.objects.filter(cycle=cycle, school=demo_school).order_by("stage", "number").first()
    if room is not None:
        present = Seat.objects.filter(room=room, student__isnull=False, absent=False).count()
        short = recorded(demo_school, _at(today, 8, 52), IncidentInput(
            kind_code="booklets_short", occurred_at=_at(today, 8, 45), room_id=room.pk, booklets=max(present - 2, 0),
            session_code=_first_session(cycle), what=f"拆封语文测试卷袋后清点，测试卷 {max(present - 2, 0)} 份，少于实测学生 {present} 人。",
            actions="暂停发卷，主监测员与区县巡视员核对卷袋清单。"))
        act(inspector, short, "confirm", _at(today, 8, 55))
        act(county_admin, short, "escalate", _at(today, 8, 58), "请示：按座位号由大到小剔除 2 名测试生后开考。")
        act(city, short, "decide", _at(today, 9, 2), "同意按座位号由大到小剔除 2 名测试生，如实记录。")
        act(inspector, short, "handle", _at(today, 9, 6), "已剔除最大座位号的 2 名学生，其余学生 9:08 开考。")

    ill = recorded(demo_school, _at(today, 9, 41), IncidentInput(
        kind_code="student_unwell", occurred_at=_at(today, 9, 35), what="一名学生腹痛，不能坚持完成语文测试。",
        actions="经主监测员、监测员确认后准其退出测试，交校医处理并出具证明。"))
    act(inspector, ill, "confirm", _at(today, 9, 47))
    act(inspector, ill, "handle", _at(today, 9, 52), "该生不参加后续场次测试，按缺测处理。")
    act(county_admin, ill, "close", _at(today, 9, 58))

    recorded(demo_school, _at(today, 10, 3), IncidentInput(
        kind_code="misprint", occurred_at=_at(today, 9, 59), what="2 份测试卷第 5 页印刷模糊。",
        actions="测试生按顺序在能作答的地方作答。"))

    if others:
        power = recorded(others[0], _at(today, 9, 14), IncidentInput(
            kind_code="computer_failure", occurred_at=_at(today, 9, 10),
            what="计算机监测教室 9:10 停电，全部计算机无法使用。", actions="学生留在教室等待，已联系供电所。"))
        act(inspector, power, "confirm", _at(today, 9, 18))
        act(county_admin, power, "escalate", _at(today, 9, 21),
            "供电所预计 40 分钟内恢复。建议暂缓填答，恢复供电后继续；超过 1 小时再请示取消本堂。")
        act(city, power, "decide", _at(today, 9, 30), "同意暂缓填答，恢复供电后继续，县级做好记录。")
    if len(others) > 1:
        fake = recorded(others[1], _at(today, 9, 26), IncidentInput(
            kind_code="impersonation", occurred_at=_at(today, 9, 20),
            what="检录时发现第2监测室 1 名学生与名册照片不符，系他人冒名顶替。", actions="已请其离开测试教室。"))
        act(inspector, fake, "confirm", _at(today, 9, 31))
        act(county_admin, fake, "escalate", _at(today, 9, 36),
            "建议：该座位按缺测处理，县级调查冒名顶替的组织者并依规处理。")

    calls = [
        (_at(today, 8, 20), "市民 张先生", None, "询问监测是否影响学生正常上课。", "已解释测试安排。"),
        (_at(today, 9, 12), "家长 李女士 138****6620", demo_school, "反映学校附近工地施工噪音大，担心影响孩子测试。",
         "已联系责任督学到现场核实，并请工地暂停施工。"),
        (_at(today, 9, 50), "匿名", others[0] if others else None, "反映学校停电，学生在教室等待。", "已在处置中。"),
    ]
    made = []
    for when, caller, school, content, handling in calls:
        with clock.frozen(when):
            made.append(hotline.hotline_call_log(scope=liaison, cycle=cycle, county=county, actor=liaison.user, at=when,
                                                 caller=caller, content=content, handling=handling, school=school))
    summary.calls = len(made)
    with clock.frozen(_at(today, 9, 16)):
        kind = "disturbance" if _has_kind(cycle, "disturbance") else "other"
        hotline.hotline_call_to_incident(scope=liaison, call=made[1], actor=liaison.user, kind_code=kind, grade=1)
        summary.incidents += 1
    return summary


def _first_session(cycle: Cycle) -> str:
    for s in (cycle.config or {}).get("sessions") or []:
        if "student" in (s.get("respondents") or ["student"]):
            return str(s.get("code", ""))
    return ""


def _has_kind(cycle: Cycle, code: str) -> bool:
    from jiance.incidents.catalogue import rules_of

    return rules_of(cycle).kind(code) is not None
