"""Recording: the booklet-shortage proposal, idempotent phone saves with their original time,
students only from the released sample, drafts from the custody ledger, the hotline, the report
tables and the live progress."""

from __future__ import annotations

import datetime as dt
import uuid
from types import SimpleNamespace

import pytest

from jiance import clock
from jiance.cycles.models import Cycle
from jiance.incidents import hotline, services
from jiance.incidents.models import HotlineCall, Incident, IncidentError, IncidentStatus, Source
from jiance.incidents.progress import ATTENTION, COLUMNS, school_progress
from jiance.incidents.receivers import on_contents_mismatch
from jiance.incidents.reports import NONE_NOTE, incident_table
from jiance.incidents.services import IncidentInput
from jiance.testday.models import Seat
from tests.factories import World
from tests.incidents.builders import People, at, record, seated_room
from tests.incidents.test_chain import step
from tests.rosters.builders import BEFORE_RELEASE

pytestmark = pytest.mark.django_db


def test_booklet_shortage_proposes_dropping_from_the_highest_seat(world: World, cycle: Cycle, p: People) -> None:
    room = seated_room(cycle, world.school_a1, 30, absent=(29,))
    i = record(p, cycle, world.school_a1, "booklets_short", room_id=room.pk, booklets=27, what="卷袋内测试卷 27 份")
    dropped = list(i.students.filter(proposed_drop=True).order_by("-seat").values_list("seat", flat=True))
    assert dropped == [30, 28]  # 29 present students, 27 booklets; seat 29 is absent and needs none
    assert i.grade == 2
    with pytest.raises(IncidentError, match="实有测试卷数"):
        record(p, cycle, world.school_a1, "booklets_short", what="少卷")


def test_recording_is_idempotent_and_keeps_the_original_time(world: World, cycle: Cycle, p: People) -> None:
    cid = uuid.uuid4()
    taken = at(9, 12)
    data = IncidentInput(kind_code="misprint", occurred_at=at(9, 10), what="3 份测试卷缺页")
    first = services.incident_record(scope=p.scope("officer_a1"), cycle=cycle, school=world.school_a1, data=data,
                                     actor=p.officer_a1, client_id=cid, at=taken)
    again = services.incident_record(scope=p.scope("officer_a1"), cycle=cycle, school=world.school_a1, data=data,
                                     actor=p.officer_a1, client_id=cid, at=at(9, 25))
    assert again.pk == first.pk and Incident.objects.count() == 1
    assert first.recorded_at == taken and first.events.get().at == taken and first.occurred_at == at(9, 10)


def test_bad_input_is_refused_in_chinese(world: World, cycle: Cycle, p: People) -> None:
    with pytest.raises(IncidentError, match="不在本周期的事件目录"):
        record(p, cycle, world.school_a1, "no-such-kind")
    with pytest.raises(IncidentError, match="晚于当前时间"):
        record(p, cycle, world.school_a1, when=clock.now() + dt.timedelta(hours=1))
    with pytest.raises(IncidentError, match="事件情况"):
        record(p, cycle, world.school_a1, "other", what="  ")
    other_room = seated_room(cycle, world.school_b1, 3, start=500)
    with pytest.raises(IncidentError, match="监测室不属于本校"):
        record(p, cycle, world.school_a1, room_id=other_room.pk)
    assert not Incident.objects.exists()


def test_students_come_only_from_the_released_sample(world: World, cycle: Cycle, p: People) -> None:
    seated_room(cycle, world.school_a1, 5)
    sid = Seat.objects.get(seat=2).student_id
    with clock.frozen(BEFORE_RELEASE), pytest.raises(IncidentError, match="不在本校的测试学生名单"):
        record(p, cycle, world.school_a1, student_ids=(sid,), when=BEFORE_RELEASE)
    i = record(p, cycle, world.school_a1, student_ids=(sid,))
    assert list(i.students.values_list("seat", flat=True)) == [2]
    foreign = seated_room(cycle, world.school_b1, 2, start=500)
    other = Seat.objects.filter(room=foreign).first()
    assert other is not None
    with pytest.raises(IncidentError, match="不在本校"):
        record(p, cycle, world.school_a1, student_ids=(other.student_id,))


class FakeLedgerEntry:
    """Stands in for the custody app's ledger entry model (the signal's sender)."""


def test_custody_mismatch_opens_a_draft_once(world: World, cycle: Cycle, p: People) -> None:
    entry = SimpleNamespace(pk=4711, cycle=cycle, reference="BOX-2022-0525-01", at=at(7, 50))
    on_contents_mismatch(FakeLedgerEntry, entry=entry, school=world.school_a1, description="题本袋少 1 袋")
    on_contents_mismatch(FakeLedgerEntry, entry=entry, school=world.school_a1, description="题本袋少 1 袋")
    draft = Incident.objects.get()
    assert (draft.status, draft.source, draft.custody_entry_id, draft.custody_ref) == (
        IncidentStatus.DRAFT, Source.CUSTODY, 4711, "BOX-2022-0525-01")
    assert draft.kind_code == "bags_missing" and draft.grade == 3 and draft.occurred_at == at(7, 50)
    # nobody above the school sees a draft; the school completes and records it
    from jiance.incidents.selectors import incidents_under

    assert not incidents_under(scope=p.scope("county_a"), cycle=cycle, unit=world.county_a).exists()
    assert incidents_under(scope=p.scope("officer_a1"), cycle=cycle, unit=world.school_a1).count() == 1
    data = IncidentInput(kind_code="bags_missing", occurred_at=at(7, 50), what="题本袋少 1 袋，已核查保密柜",
                         actions="按实有卷袋组织测试")
    draft = services.incident_save(scope=p.scope("officer_a1"), incident=draft, data=data, version=draft.version,
                                   actor=p.officer_a1)
    draft = step(p, "officer_a1", draft, "record")
    assert draft.status == IncidentStatus.RECORDED and draft.recorded_by == p.officer_a1


def test_receiver_is_connected_only_when_custody_exists() -> None:
    from importlib.util import find_spec

    from jiance.incidents.apps import CUSTODY_SIGNALS

    if find_spec("jiance.custody") is None:
        pytest.skip("the custody app is not in this tree")
    from importlib import import_module

    signal = import_module(CUSTODY_SIGNALS).contents_mismatch
    assert any("incidents.contents_mismatch" in str(r[0]) for r in signal.receivers)


def test_hotline_calls_and_one_step_incidents(world: World, cycle: Cycle, p: People) -> None:
    cid = uuid.uuid4()
    call = hotline.hotline_call_log(scope=p.scope("liaison_a"), cycle=cycle, county=world.county_a,
                                    actor=p.liaison_a, at=at(9, 5), caller="家长 王女士 139****1234",
                                    content="反映莲塘一小第1监测室有人使用手机", school=world.school_a1, client_id=cid)
    again = hotline.hotline_call_log(scope=p.scope("liaison_a"), cycle=cycle, county=world.county_a,
                                     actor=p.liaison_a, at=at(9, 6), caller="x", content="y", client_id=cid)
    assert again.pk == call.pk and HotlineCall.objects.count() == 1 and call.at == at(9, 5)
    with pytest.raises(IncidentError, match="不在本区县"):
        hotline.hotline_call_log(scope=p.scope("liaison_a"), cycle=cycle, county=world.county_a, actor=p.liaison_a,
                                 at=at(9, 7), caller="x", content="y", school=world.school_b1)
    from django.http import Http404

    with pytest.raises(Http404):  # another county's line
        hotline.hotline_call_log(scope=p.scope("county_b"), cycle=cycle, county=world.county_a, actor=p.county_b,
                                 at=at(9, 7), caller="x", content="y")
    incident = hotline.hotline_call_to_incident(scope=p.scope("liaison_a"), call=call, actor=p.liaison_a,
                                                kind_code="other", grade=2)
    call.refresh_from_db()
    assert call.incident == incident
    assert (incident.source, incident.status, incident.grade, incident.school) == (
        Source.HOTLINE, IncidentStatus.RECORDED, 2, world.school_a1)
    assert "王女士" in incident.what and incident.occurred_at == at(9, 5)
    with pytest.raises(IncidentError, match="已转为"):
        hotline.hotline_call_to_incident(scope=p.scope("liaison_a"), call=call, actor=p.liaison_a, kind_code="other")
    anonymous = hotline.hotline_call_log(scope=p.scope("county_a"), cycle=cycle, county=world.county_a,
                                         actor=p.county_a, at=at(9, 8), caller="匿名", content="询问测试时间")
    with pytest.raises(IncidentError, match="未注明涉及的学校"):
        hotline.hotline_call_to_incident(scope=p.scope("county_a"), call=anonymous, actor=p.county_a,
                                         kind_code="other")


def test_report_tables_per_school_county_and_city(world: World, cycle: Cycle, p: People) -> None:
    room = seated_room(cycle, world.school_a1, 30)
    a = record(p, cycle, world.school_a1, "booklets_short", room_id=room.pk, booklets=28, session_code="s1-chinese",
               what="语文测试卷少 2 份")
    a = step(p, "inspector_a", a, "confirm")
    a = step(p, "county_a", a, "escalate", "请示按座位号剔除 2 名学生")
    a = step(p, "city", a, "decide", "同意")
    a = step(p, "county_a", a, "handle", "已剔除 29、30 号座位学生后测试")
    from jiance.incidents.receivers import incident_draft_from_custody

    incident_draft_from_custody(entry=SimpleNamespace(pk=1, cycle=cycle, reference="R1"), school=world.school_a1,
                                description="draft")  # drafts are never reported
    school = incident_table(cycle=cycle, unit=world.school_a1)
    assert school.title == "样本校应急事件报告表" and school.header[:3] == ("序号", "发生时间", "监测室及场次")
    assert len(school.rows) == 1
    row = dict(zip(school.header, school.rows[0], strict=True))
    assert row["等级"] == "2 级" and row["事件类别"] == "卷袋内测试卷数少于实测学生数"
    assert "第1监测室" in row["监测室及场次"] and "学生语文测试" in row["监测室及场次"]
    assert row["涉及学生"] == "2 人（座位 29、30），其中按座位号剔除 2 人"
    assert "县级报市级：请示按座位号剔除 2 名学生" in row["上报、请示与决定"] and "市级决定：同意" in row["上报、请示与决定"]
    assert row["处置情况及结果"].startswith("已剔除") and row["状态"] == "已处置"
    names = {s.student.name for s in Seat.objects.filter(room=room).select_related("student")}
    assert not any(n in cell for r in school.rows for cell in r for n in names)  # seats, never names
    county = incident_table(cycle=cycle, unit=world.county_a)
    assert county.title == "县级应急事件报告表" and county.header[1] == "学校" and county.rows[0][1] == world.school_a1.name
    city = incident_table(cycle=cycle, unit=world.city)
    assert city.title == "市级应急事件报告表" and city.rows[0][1:3] == (world.county_a.name, world.school_a1.name)
    assert "1 级 0 起，2 级 1 起，3 级 0 起" in city.notes[0]
    assert incident_table(cycle=cycle, unit=world.county_b).notes == (NONE_NOTE,)


def test_live_progress_counts_and_constant_queries(world: World, cycle: Cycle, p: People,
                                                   django_assert_num_queries: object) -> None:
    assert len({k for k, _ in COLUMNS}) == len(COLUMNS) and set(ATTENTION) <= {k for k, _ in COLUMNS}
    record(p, cycle, world.school_a1, "student_unwell")
    g3 = record(p, cycle, world.school_a1, "impersonation", what="冒名顶替")
    step(p, "inspector_a", g3, "confirm")
    closed = record(p, cycle, world.school_a1, "misprint", what="缺页")
    for who, action, text in (("inspector_a", "confirm", ""), ("inspector_a", "handle", "x"), ("county_a", "close", "")):
        closed = step(p, who, closed, action, text)
    record(p, cycle, world.school_a1, "student_absent", what="前一天的记录", when=at(16, 0, day=24))
    ids = [world.school_a1.pk, world.school_a2.pk, world.school_b1.pk]
    with django_assert_num_queries(1):  # type: ignore[operator]
        got = school_progress(cycle=cycle, school_ids=ids, day=at(9).date())
    assert got == {world.school_a1.pk: {"incidents_grade1": 1, "incidents_grade2": 0, "incidents_grade3": 1,
                                        "incidents_unconfirmed": 1, "incidents_overdue": 0}}
    with django_assert_num_queries(1):  # type: ignore[operator]
        school_progress(cycle=cycle, school_ids=[s.pk for s in world.__dict__.values() if hasattr(s, "level")],
                        day=at(9).date())
    assert school_progress(cycle=cycle, school_ids=[], day=at(9).date()) == {}
