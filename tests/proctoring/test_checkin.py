"""Check-in: barcode, typed code or tap; absent never replaced; left unwell counts absent after;
the release time respected; idempotent and version-checked; attendance prefills the after-test
report with no retyping."""

from __future__ import annotations

import uuid

import pytest

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.aftertest import services as aftertest_services
from jiance.aftertest.models import Attendance
from jiance.printouts import barcode_value
from jiance.proctoring.models import CheckInEvent, Presence, ProctoringError
from jiance.proctoring.services import checkin_mark, run_act
from jiance.rosters.models import Roster
from tests.aftertest.builders import IN_WINDOW, WINDOW
from tests.factories import World, make_user
from tests.proctoring.builders import Site, at

pytestmark = pytest.mark.django_db


def mark(s: Site, status: str = "present", session: str = "s1-chinese", **kw: object) -> object:
    return checkin_mark(scope=Scope(s.proctor), room=s.room, session=session, actor=s.proctor, status=status,
                        **kw)  # type: ignore[arg-type]


def code(s: Site, seat: int, session: int = 1) -> str:
    student = s.seats[seat - 1].student
    return barcode_value(cycle_year=2022, school_code=s.room.school.code, room=s.room.number, seat=seat,
                         student_no=student.student_no, session=session)


def test_nobody_is_checked_in_before_the_release_time(s: Site) -> None:
    with clock.frozen(at(25, 7, 29)), pytest.raises(ProctoringError, match="不是本监测室的学生"):
        mark(s, code=code(s, 1))


def test_scan_typed_and_tap_check_in_and_a_second_scan_changes_nothing(s: Site) -> None:
    with clock.frozen(at(25, 8, 10)):
        row = mark(s, code=code(s, 1), how="scan")
        assert row.status == Presence.PRESENT and row.seat == s.seats[0]
        again = mark(s, code=code(s, 1), how="scan")
        assert again.version == row.version == 1
        assert mark(s, code=s.seats[1].student.student_no).seat == s.seats[1]  # typed student number
        assert mark(s, code="3").seat == s.seats[2]  # typed seat number
        assert mark(s, seat_number=4).seat == s.seats[3]  # a tap on the row
        with pytest.raises(ProctoringError, match="不是本场次"):
            mark(s, code=code(s, 5, session=2))
        absent = mark(s, "absent", seat_number=5, reason="sick")
    assert absent.status == Presence.ABSENT and absent.reason == "sick"


def test_a_tap_on_a_stale_row_is_refused_and_a_queued_tap_counts_once(s: Site) -> None:
    cid = uuid.uuid4()
    with clock.frozen(at(25, 8, 10)):
        mark(s, "absent", seat_number=1, version=0, client_id=cid)
        mark(s, "absent", seat_number=1, version=0, client_id=cid)
        assert CheckInEvent.objects.filter(checkin__seat=s.seats[0]).count() == 1
        with pytest.raises(ProctoringError, match=r"proctor.*缺考"):
            mark(s, "present", seat_number=1, version=0)
        assert mark(s, "present", seat_number=1, version=1).status == Presence.PRESENT


def test_left_unwell_counts_absent_afterwards_and_attendance_prefills_the_report(world: World, s: Site) -> None:
    with clock.frozen(at(25, 8, 10)):
        for seat in (1, 2, 3, 4):
            mark(s, seat_number=seat)
        mark(s, "absent", seat_number=5, reason="sick")
        with pytest.raises(ProctoringError, match="开始后"):
            mark(s, "left", seat_number=2)
    with clock.frozen(at(25, 9, 30)):
        run_act(scope=Scope(s.proctor), room=s.room, session="s1-chinese", action="start", actor=s.proctor,
                version=None)
        mark(s, "left", seat_number=2)
    with clock.frozen(at(25, 10, 40)):
        with pytest.raises(ProctoringError, match="离场"):
            mark(s, session="s2-q1", seat_number=2)
        mark(s, session="s2-q1", seat_number=1)
    s.cycle.config["windows"] = [WINDOW]
    s.cycle.save()
    officer = make_user("officer", "school_info", world.school_a1)
    with clock.frozen(IN_WINDOW):
        report = aftertest_services.tested_report_open(scope=Scope(officer), roster=Roster.objects.get(cycle=s.cycle), actor=officer)
    rows = {t.sampled.student_id: t for t in report.students.all()}
    sessions = ["s1-chinese", "s2-q1", "s3-arts", "s4-english"]
    present, left, absent = rows[s.seats[0].student_id], rows[s.seats[1].student_id], rows[s.seats[4].student_id]
    assert present.attendance == Attendance.PRESENT and present.absent_sessions == []
    assert left.attendance == Attendance.PARTIAL and left.absent_sessions == sessions[1:]
    assert left.reason == "sick" and "离场" in left.note
    assert absent.attendance == Attendance.PARTIAL and absent.absent_sessions == ["s1-chinese"]
    assert absent.reason == "sick"
