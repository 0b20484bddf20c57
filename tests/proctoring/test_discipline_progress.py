"""Discipline cases (confirmed by the inspector; a student's participation ends) and the live
progress counts (a constant number of queries)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.apps_registry import attendance_facts
from jiance.errors import RoleRequired
from jiance.proctoring import progress
from jiance.proctoring.discipline import CaseInput, case_decide, case_record
from jiance.proctoring.models import CaseStatus, CheckIn, Presence, ProctoringError
from jiance.proctoring.services import checkin_mark, run_act
from tests.factories import World
from tests.proctoring.builders import Site, at

pytestmark = pytest.mark.django_db


def record(s: Site, **kw: object) -> object:
    data = CaseInput(**{"kind": "student", "offence": "student-1-2", "description": "与邻座交头接耳，劝阻无效",
                        "room": s.room, "session": "s1-chinese", "seat_number": 3, **kw})  # type: ignore[arg-type]
    return case_record(scope=Scope(s.proctor), cycle=s.cycle, school=s.room.school, data=data, actor=s.proctor)


def test_a_student_offence_ends_participation_until_the_inspector_says_otherwise(s: Site) -> None:
    with clock.frozen(at(25, 9, 30)):
        case = record(s)
        assert case.tier == 1 and case.ends_participation and case.student_id == s.seats[2].student_id
        assert CheckIn.objects.get(seat=s.seats[2]).status == Presence.ENDED
        with pytest.raises(ProctoringError, match="取消监测资格"):
            checkin_mark(scope=Scope(s.proctor), room=s.room, session="s2-q1", actor=s.proctor, status="present",
                         seat_number=3)
        fact = attendance_facts(cycle=s.cycle, student_ids=[case.student_id])[case.student_id]
        assert fact.absent_sessions == ("s1-chinese", "s2-q1", "s3-arts", "s4-english")
        assert fact.reason == "other" and "交头接耳" in fact.note
        with pytest.raises(RoleRequired):
            case_decide(scope=Scope(s.proctor), case=case, confirm=True, actor=s.proctor, version=case.version)
        with pytest.raises(ProctoringError, match="理由"):
            case_decide(scope=Scope(s.inspector), case=case, confirm=False, actor=s.inspector, version=case.version)
        rejected = case_decide(scope=Scope(s.inspector), case=case, confirm=False, actor=s.inspector,
                               version=case.version, comment="核实为误登")
    assert rejected.status == CaseStatus.REJECTED
    assert CheckIn.objects.get(seat=s.seats[2]).status == Presence.PRESENT
    assert attendance_facts(cycle=s.cycle, student_ids=[case.student_id])[case.student_id].absent_sessions == ()


def test_a_staff_offence_names_the_person_and_a_stale_decision_is_refused(s: Site) -> None:
    with clock.frozen(at(25, 9, 30)):
        with pytest.raises(ProctoringError, match="姓名"):
            record(s, kind="staff", offence="staff-1-1", seat_number=None)
        with pytest.raises(ProctoringError, match="不在本周期"):
            record(s, kind="staff", offence="student-1-2", person_name="李老师")
        case = record(s, kind="staff", offence="staff-1-1", seat_number=None, person_name="李老师",
                      person_post="副监测员")
        assert case.handling.startswith("由区县") and not case.ends_participation
        confirmed = case_decide(scope=Scope(s.inspector), case=case, confirm=True, actor=s.inspector,
                                version=case.version)
        assert confirmed.status == CaseStatus.CONFIRMED
        with pytest.raises(ProctoringError, match=r"inspector.*已确认"):
            case_decide(scope=Scope(s.inspector), case=case, confirm=True, actor=s.inspector, version=1)


def test_school_progress_counts_the_day_in_constant_queries(world: World, s: Site) -> None:
    with clock.frozen(at(25, 9)):
        checkin_mark(scope=Scope(s.proctor), room=s.room, session="s1-chinese", actor=s.proctor, status="present",
                     seat_number=1)
        checkin_mark(scope=Scope(s.proctor), room=s.room, session="s1-chinese", actor=s.proctor, status="absent",
                     seat_number=2)
        run_act(scope=Scope(s.proctor), room=s.room, session="s1-chinese", action="start", actor=s.proctor,
                version=None)
        run_act(scope=Scope(s.proctor), room=s.room, session="s1-chinese", action="pause", actor=s.proctor,
                version=None, reason="停电")
        record(s)
    ids = [world.school_a1.pk, world.school_a2.pk, world.school_b1.pk]
    with CaptureQueriesContext(connection) as q:
        out = progress.school_progress(cycle=s.cycle, school_ids=ids, day=at(25, 9).date())
    assert len(q.captured_queries) == 3
    assert set(out) == {world.school_a1.pk}
    row = out[world.school_a1.pk]
    assert row["proctoring_paused"] == 1 and row["proctoring_present"] == 1
    assert row["proctoring_absent"] == 2  # the absent one and the one whose participation ended
    assert row["proctoring_discipline"] == 1
    assert set(progress.ATTENTION) <= {k for k, _label in progress.COLUMNS}


def test_the_inbox_asks_the_inspector_to_confirm_and_the_city_to_decide(s: Site) -> None:
    from jiance.proctoring.inbox import inbox

    with clock.frozen(at(25, 9, 30)):
        record(s)
        run_act(scope=Scope(s.proctor), room=s.room, session="s1-chinese", action="start", actor=s.proctor,
                version=None)
        run_act(scope=Scope(s.proctor), room=s.room, session="s1-chinese", action="pause", actor=s.proctor,
                version=None, reason="断网")
        assert [i.kind for i in inbox(scope=Scope(s.inspector), cycle=s.cycle)] == ["confirm"]
        assert list(inbox(scope=Scope(s.city), cycle=s.cycle)) == []  # not an hour yet
        assert list(inbox(scope=Scope(s.proctor), cycle=s.cycle)) == []
    with clock.frozen(at(25, 10, 31)):
        assert [i.kind for i in inbox(scope=Scope(s.city), cycle=s.cycle)] == ["decide"]
