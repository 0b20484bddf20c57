"""The test-day demo's incidents and supervision-line calls (phase "testday", standing on the
second test day at `DEMO_TESTDAY_TIME`), through the real services, each step inside
`clock.frozen` at its moment.

南昌县 (the demo county) shows every grade in a different state. The first test day, at the demo
school: a grade-2 booklet shortage (the platform proposed whom to drop by seat number; the city
decided; handled and closed that afternoon), a grade-1 student taken ill (closed), a misprint the
inspector confirmed and handled (waiting for the county to close it); at two other sample schools
a grade-3 power cut (decided, handled, evaluated and closed: the room of `proctoring.py` paused
09:05–09:25) and a grade-3 impersonation (decided and handled, its evaluation still to write).
The second test day: a grade-3 power cut since 09:20 (the room still paused; escalated, waiting
for the city, which was notified) and a misprint in the English test waiting for the inspector.
Hotline calls on both days, one turned into an incident. The county custodian's short count of
the morning (`custody.py`) adds a draft from the contents signal. The demo cycle is the national
2022 cycle, which has no report-to-the-centre clock (only Chongqing's has one), so no report is
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
from jiance.testday.models import Seat, TestRoom
from jiance.units.models import Unit
from jiance.web.demo.common import acting


@dataclass
class IncidentSummary:
    incidents: int = 0
    calls: int = 0

    def line(self) -> str:
        return f"应急事件：{self.incidents} 起（1-3 级各有，两天）；监督专线来电 {self.calls} 次。"


def _at(day: dt.date, hh: int, mm: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm)))


def build_incidents(*, cycle: Cycle, county: Unit, demo_school: Unit, users: dict[str, User],
                    today: dt.date) -> IncidentSummary:
    """`today` is the day the demo stands on (the second test day); every moment is before the
    demo's 10:30 (`DEMO_TESTDAY_TIME`)."""
    days = sorted(cycle.test_days)
    first = days[0]
    officer, inspector = Scope(users["school.info"]), Scope(users["ncx.inspector"])
    county_admin, liaison, city = Scope(users["ncx.admin"]), Scope(users["ncx.liaison"]), Scope(users["nanchang.admin"])
    summary = IncidentSummary()
    rooms = TestRoom.objects.filter(cycle=cycle, school__parent=county).order_by("school__code", "stage", "number")
    schools = list(dict.fromkeys(r.school for r in rooms.select_related("school")))
    others = [s for s in schools if s.pk != demo_school.pk][:2]

    def act(who: Scope, incident: Incident, action: str, when: dt.datetime, comment: str = "") -> Incident:
        with clock.frozen(when):
            incident.refresh_from_db()
            return services.incident_step(scope=who, incident=incident, action=action, version=incident.version,
                                          comment=comment, actor=who.user)

    def evaluate(incident: Incident, when: dt.datetime, values: dict[str, str]) -> None:
        with clock.frozen(when):
            incident.refresh_from_db()
            services.incident_evaluate(scope=county_admin, incident=incident, version=incident.version,
                                       actor=county_admin.user, values=values)

    def recorded(school: Unit, when: dt.datetime, data: IncidentInput) -> Incident:
        who = officer if school.pk == demo_school.pk else Scope.acting_for(school, "school_info")
        with clock.frozen(when), acting(who):
            summary.incidents += 1
            return services.incident_record(scope=who, cycle=cycle, school=school, data=data, actor=who.user)

    # --- the first test day ----------------------------------------------------------------
    room = rooms.filter(school=demo_school).first()
    if room is not None:
        present = Seat.objects.filter(room=room, student__isnull=False, absent=False).count()
        short = recorded(demo_school, _at(first, 8, 52), IncidentInput(
            kind_code="booklets_short", occurred_at=_at(first, 8, 45), room_id=room.pk, booklets=max(present - 2, 0),
            session_code=_first_session(cycle), what=f"拆封语文测试卷袋后清点，测试卷 {max(present - 2, 0)} 份，少于实测学生 {present} 人。",
            actions="暂停发卷，主监测员与区县巡视员核对卷袋清单。"))
        act(inspector, short, "confirm", _at(first, 8, 55))
        act(county_admin, short, "escalate", _at(first, 8, 58), "请示：按座位号由大到小剔除 2 名测试生后开考。")
        act(city, short, "decide", _at(first, 9, 2), "同意按座位号由大到小剔除 2 名测试生，如实记录。")
        act(inspector, short, "handle", _at(first, 9, 6), "已剔除最大座位号的 2 名学生，其余学生 9:08 开考。")
        act(county_admin, short, "close", _at(first, 16, 30))

    ill = recorded(demo_school, _at(first, 9, 41), IncidentInput(
        kind_code="student_unwell", occurred_at=_at(first, 9, 35), what="一名学生腹痛，不能坚持完成语文测试。",
        actions="经主监测员、监测员确认后准其退出测试，交校医处理并出具证明。"))
    act(inspector, ill, "confirm", _at(first, 9, 47))
    act(inspector, ill, "handle", _at(first, 9, 52), "该生不参加后续场次测试，按缺测处理。")
    act(county_admin, ill, "close", _at(first, 9, 58))

    misprint = recorded(demo_school, _at(first, 10, 3), IncidentInput(
        kind_code="misprint", occurred_at=_at(first, 9, 59), what="2 份测试卷第 5 页印刷模糊。",
        actions="测试生按顺序在能作答的地方作答。"))
    act(inspector, misprint, "confirm", _at(first, 10, 12))
    act(inspector, misprint, "handle", _at(first, 10, 25), "已在测试记录袋中注明，测试卷随箱送回。")

    if others:
        power = recorded(others[0], _at(first, 9, 8), IncidentInput(
            kind_code="computer_failure", occurred_at=_at(first, 9, 5),
            what="第1监测室所在教学楼 9:05 停电，测试暂停。", actions="学生留在教室等待，已联系供电所。"))
        act(inspector, power, "confirm", _at(first, 9, 11))
        act(county_admin, power, "escalate", _at(first, 9, 13),
            "供电所预计 30 分钟内恢复。建议暂停计时，恢复供电后继续并顺延；超过 1 小时再请示取消本堂。")
        act(city, power, "decide", _at(first, 9, 16), "同意暂停计时，恢复供电后继续并顺延，县级做好记录。")
        act(inspector, power, "handle", _at(first, 9, 30), "9:25 恢复供电，测试继续，结束时间顺延 20 分钟。")
        evaluate(power, _at(first, 15, 0), {
            "cause": "教学楼线路检修，供电所未提前告知。", "course": "9:05 停电，9:25 恢复，测试暂停 20 分钟。",
            "effect": "第1监测室语文测试顺延 20 分钟结束，未影响后续场次。", "grade_note": "3 级（影响一所样本校一个监测室）。",
            "handling": "暂停计时，恢复后继续并顺延，县级全程记录。", "result": "测试完整进行，数据有效。"})
        act(county_admin, power, "close", _at(first, 16, 0))
    if len(others) > 1:
        fake = recorded(others[1], _at(first, 9, 26), IncidentInput(
            kind_code="impersonation", occurred_at=_at(first, 9, 20),
            what="检录时发现第1监测室 1 名学生与名册照片不符，系他人冒名顶替。", actions="已请其离开测试教室。"))
        act(inspector, fake, "confirm", _at(first, 9, 31))
        act(county_admin, fake, "escalate", _at(first, 9, 36),
            "建议：该座位按缺测处理，县级调查冒名顶替的组织者并依规处理。")
        act(city, fake, "decide", _at(first, 11, 0), "同意县级建议，该座位按缺测处理，调查结果报市级。")
        act(county_admin, fake, "handle", _at(first, 15, 40), "该座位已按缺测处理，已约谈学校负责人，调查进行中。")

    day1_calls = [
        (_at(first, 8, 20), "市民 张先生", None, "询问监测是否影响学生正常上课。", "已解释测试安排。"),
        (_at(first, 9, 12), "家长 李女士 138****6620", demo_school, "反映学校附近工地施工噪音大，担心影响孩子测试。",
         "已联系责任督学到现场核实，并请工地暂停施工。"),
    ]
    made = []
    for when, caller, school, content, handling in day1_calls:
        with clock.frozen(when):
            made.append(hotline.hotline_call_log(scope=liaison, cycle=cycle, county=county, actor=liaison.user, at=when,
                                                 caller=caller, content=content, handling=handling, school=school))
    with clock.frozen(_at(first, 9, 16)):
        kind = "disturbance" if _has_kind(cycle, "disturbance") else "other"
        noise = hotline.hotline_call_to_incident(scope=liaison, call=made[1], actor=liaison.user, kind_code=kind, grade=1)
        summary.incidents += 1
    act(inspector, noise, "confirm", _at(first, 9, 25))
    act(inspector, noise, "handle", _at(first, 9, 40), "工地已停工至测试结束。")
    act(county_admin, noise, "close", _at(first, 17, 0))

    # --- the second test day, until the demo's moment ----------------------------------------
    for today_ in days[1:2]:
        if len(others) > 1:
            cut = recorded(others[1], _at(today_, 9, 24), IncidentInput(
                kind_code="computer_failure", occurred_at=_at(today_, 9, 20),
                what="艺术测试进行中，监测室所在教学楼 9:20 停电，测试暂停。", actions="学生留在教室等待，已联系供电所抢修。"))
            act(inspector, cut, "confirm", _at(today_, 9, 30))
            act(county_admin, cut, "escalate", _at(today_, 9, 40),
                "供电所预计 11:00 前恢复。建议等待恢复后继续；暂停超过 1 小时由市级决定是否取消本场（不再补测）。")
        recorded(demo_school, _at(today_, 10, 27), IncidentInput(
            kind_code="misprint", occurred_at=_at(today_, 10, 24), what="1 份英语测试卷第 3 页缺页。",
            actions="测试生按顺序在能作答的地方作答，已在测试情况记录中注明。"))
        with clock.frozen(_at(today_, 9, 50)):
            made.append(hotline.hotline_call_log(
                scope=liaison, cycle=cycle, county=county, actor=liaison.user, at=_at(today_, 9, 50),
                caller="匿名", school=others[1] if len(others) > 1 else None,
                content="反映学校停电，学生在教室等待。", handling="已在处置中，县级已报市级。"))
    summary.calls = len(made)
    return summary


def _first_session(cycle: Cycle) -> str:
    for s in (cycle.config or {}).get("sessions") or []:
        if "student" in (s.get("respondents") or ["student"]):
            return str(s.get("code", ""))
    return ""


def _has_kind(cycle: Cycle, code: str) -> bool:
    from jiance.incidents.catalogue import rules_of

    return rules_of(cycle).kind(code) is not None
