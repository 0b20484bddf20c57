"""rooms_plan through the web service: splitting, computer rooms, booklets, a fixed plan."""

from __future__ import annotations

import pytest

from jiance import clock
from jiance.accounts.models import Role
from jiance.accounts.scoping import Scope
from jiance.audit.models import AuditEntry
from jiance.cycles.models import Cycle
from jiance.testday import services
from jiance.testday.models import ComputerRoom, Seat, TestdayError, TestRoom
from tests.factories import World, make_user
from tests.rosters.builders import AFTER_RELEASE
from tests.testday.builders import sample_school

pytestmark = pytest.mark.django_db


def sizes(cycle: Cycle, school) -> list[int]:  # type: ignore[no-untyped-def]
    return list(TestRoom.objects.filter(cycle=cycle, school=school).order_by("number").values_list("students", flat=True))


@pytest.mark.parametrize(("n", "expected"), [(42, [42]), (43, [22, 21]), (84, [42, 42]), (85, [29, 28, 28])])
def test_rooms_split_at_42_43_84_85(world: World, cycle: Cycle, n: int, expected: list[int]) -> None:
    sample_school(cycle, world.school_a1, n)
    rooms = services.rooms_plan(school=world.school_a1, cycle=cycle)
    assert [r.students for r in rooms] == expected == sizes(cycle, world.school_a1)
    assert all(r.kind == "paper" for r in rooms)
    # every paper room has its 42 desks as seats, students fill 01.. in roster order
    for room in rooms:
        seats = list(room.seats.order_by("seat"))
        assert [s.seat for s in seats] == list(range(1, 43))
        filled = [s for s in seats if s.student_id]
        assert [s.seat for s in filled] == list(range(1, room.students + 1))
    rows = [s.student.row for s in Seat.objects.filter(room__school=world.school_a1, student__isnull=False)
            .select_related("student").order_by("room__number", "seat")]
    assert rows == list(range(1, n + 1))


def test_seat_01_front_by_the_entrance_vertical_s(world: World, cycle: Cycle) -> None:
    sample_school(cycle, world.school_a1, 10)
    room = services.rooms_plan(school=world.school_a1, cycle=cycle)[0]
    pos = {s.seat: (s.row, s.column) for s in room.seats.all()}
    assert pos[1] == (1, 1) and pos[7] == (7, 1) and pos[8] == (7, 2) and pos[14] == (1, 2)


def test_booklets_cycle_by_seat_per_subject(world: World, cycle: Cycle) -> None:
    sample_school(cycle, world.school_a1, 43)
    services.rooms_plan(school=world.school_a1, cycle=cycle)
    seats = {(s.room.number, s.seat): s.booklets for s in Seat.objects.filter(student__isnull=False).select_related("room")}
    assert seats[(1, 1)] == {"语文": 1, "艺术": 1, "英语": 1}
    assert seats[(1, 7)] == {"语文": 1, "艺术": 1, "英语": 1}
    assert seats[(1, 8)]["语文"] == 2 and seats[(1, 8)]["艺术"] == 2
    assert seats[(2, 1)] == {"语文": 1, "艺术": 1, "英语": 1}  # restarts in every room
    assert Seat.objects.filter(student__isnull=True).values_list("booklets", flat=True).distinct().get() == {}


def test_computer_rooms_take_rooms_with_spare_pcs(world: World, cycle: Cycle) -> None:
    school = world.school_a1
    sample_school(cycle, school, 60)  # 30 + 30
    now = clock.now()
    small = ComputerRoom.objects.create(cycle=cycle, school=school, name="机房一", pcs=32, created_at=now)
    big = ComputerRoom.objects.create(cycle=cycle, school=school, name="机房二", pcs=40, orientation="sideways",
                                      columns=5, created_at=now)
    rooms = services.rooms_plan(school=school, cycle=cycle)
    assert [(r.kind, r.computer_room_id, r.students) for r in rooms] == [("computer", big.pk, 30), ("paper", None, 30)]
    computer = rooms[0]
    assert computer.seats.count() == 40 and computer.seats.filter(student__isnull=True).count() == 10
    assert computer.pattern == "vertical"
    assert small.test_rooms.count() == 0
    entry = AuditEntry.objects.filter(action="create", unit=school).latest("pk")
    assert "机房一" in entry.detail and "不足" in entry.detail


def test_absent_student_keeps_an_empty_seat_and_nobody_moves(world: World, cycle: Cycle) -> None:
    sample_school(cycle, world.school_a1, 20)
    services.rooms_plan(school=world.school_a1, cycle=cycle)
    before = list(Seat.objects.order_by("room__number", "seat").values_list("seat", "student_id", "booklets"))
    officer = make_user("a1_xx", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    seat = Seat.objects.get(seat=5)
    with clock.frozen(AFTER_RELEASE):
        services.seat_mark_absent(scope=Scope(officer), seat=seat, absent=True, actor=officer)
    after = list(Seat.objects.order_by("room__number", "seat").values_list("seat", "student_id", "booklets"))
    assert after == before
    assert list(Seat.objects.filter(absent=True).values_list("seat", flat=True)) == [5]
    # the plan is now fixed: no re-planning moves anyone
    with pytest.raises(TestdayError, match="缺考"):
        services.rooms_plan(school=world.school_a1, cycle=cycle)
    assert list(Seat.objects.order_by("room__number", "seat").values_list("seat", "student_id", "booklets")) == before


def test_absence_refused_before_release_and_for_an_empty_seat(world: World, cycle: Cycle) -> None:
    sample_school(cycle, world.school_a1, 20)
    services.rooms_plan(school=world.school_a1, cycle=cycle)
    officer = make_user("a1_xx", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    with pytest.raises(TestdayError, match="尚未发布"):
        services.seat_mark_absent(scope=Scope(officer), seat=Seat.objects.get(seat=3), absent=True, actor=officer)
    with clock.frozen(AFTER_RELEASE), pytest.raises(TestdayError, match="没有安排学生"):
        services.seat_mark_absent(scope=Scope(officer), seat=Seat.objects.get(seat=30), absent=True, actor=officer)
    assert not Seat.objects.filter(absent=True).exists()


def test_plan_is_fixed_after_release(world: World, cycle: Cycle) -> None:
    sample_school(cycle, world.school_a1, 20)
    services.rooms_plan(school=world.school_a1, cycle=cycle)
    with clock.frozen(AFTER_RELEASE), pytest.raises(TestdayError, match="已固定"):
        services.rooms_plan(school=world.school_a1, cycle=cycle)


def test_replanning_before_release_replaces_the_plan(world: World, cycle: Cycle) -> None:
    sample_school(cycle, world.school_a1, 50)
    services.rooms_plan(school=world.school_a1, cycle=cycle)
    ComputerRoom.objects.create(cycle=cycle, school=world.school_a1, name="机房", pcs=28, created_at=clock.now())
    rooms = services.rooms_plan(school=world.school_a1, cycle=cycle)
    assert [(r.kind, r.students) for r in rooms] == [("computer", 25), ("paper", 25)]
    assert TestRoom.objects.count() == 2 and Seat.objects.filter(student__isnull=False).count() == 50


def test_no_sampled_students_no_plan(world: World, cycle: Cycle) -> None:
    with pytest.raises(TestdayError, match="尚无样本学生"):
        services.rooms_plan(school=world.school_a1, cycle=cycle)
    assert not TestRoom.objects.exists()


def test_two_stages_get_their_own_rooms(world: World, cycle: Cycle) -> None:
    sample_school(cycle, world.school_b2, 30, stage="primary")
    sample_school(cycle, world.school_b2, 45, stage="junior", start=100)
    rooms = services.rooms_plan(school=world.school_b2, cycle=cycle)
    assert [(r.stage, r.number, r.students) for r in rooms] == [("junior", 1, 23), ("junior", 2, 22), ("primary", 1, 30)]
    junior = Seat.objects.get(room__stage="junior", room__number=1, seat=1)
    assert junior.booklets == {"语文": 1, "艺术": 1, "英语": 1}


def test_computer_room_save_refuses_a_duplicate_name(world: World, cycle: Cycle) -> None:
    officer = make_user("a1_xx", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    data = {"name": "机房", "pcs": 45, "orientation": "front", "columns": None}
    services.computer_room_save(scope=Scope(officer), cycle=cycle, school=world.school_a1, data=data, actor=officer)
    with pytest.raises(TestdayError, match="已登记"):
        services.computer_room_save(scope=Scope(officer), cycle=cycle, school=world.school_a1, data=data, actor=officer)
    assert ComputerRoom.objects.count() == 1


def test_booklets_follow_the_core_rotation(world: World, cycle: Cycle) -> None:
    """One booklet rule (jiance_core.rooms.booklets): the seats get `deal`'s forms, subjects read
    from the stored template (string grade keys) and skipped without forms in the grade."""
    from jiance.testday.selectors import booklet_subjects
    from jiance_core.rooms.booklets import deal, subjects_from_config

    subjects = booklet_subjects(cycle, 4)
    assert [(s.name, s.forms) for s in subjects] == [("语文", 6), ("艺术", 2), ("英语", 2)]
    assert subjects_from_config([{"code": "q", "name": "问卷", "booklet_forms": {"4": 0}}], 4) == []
    sample_school(cycle, world.school_a1, 30)
    services.rooms_plan(school=world.school_a1, cycle=cycle)
    seats = list(Seat.objects.filter(student__isnull=False).order_by("room__number", "seat"))
    for seat in seats:
        expected = deal([seat.seat], subjects)[0]
        assert seat.booklets == {f.subject: f.form for f in expected.values()}
    assert seats[6].booklets == {"语文": 1, "艺术": 1, "英语": 1}
