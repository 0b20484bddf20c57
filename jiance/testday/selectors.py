"""Reads of test rooms and printout data, always through the Scope.

Secrecy: a seat's student is read only through the rosters' `released_sample` (the city and above
always, school and county users from the cycle's release time on test day): `seats_of`, `seat_get`
and `printout_data` restrict their query to it, so no page, partial or printout can show a seated
student the person may not see yet. `students_visible` is the same rule as a yes/no for the page.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from jiance import clock
from jiance.accounts.models import Role
from jiance.accounts.roles import (
    CITY_AND_ABOVE,
    COUNTY_AND_ABOVE,
    COUNTY_OFFICE,
    COUNTY_STAFF,
    SCHOOL_OFFICE,
    SCHOOL_TESTDAY,
)
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.printouts import STUDENT_RULES, Phone, RoomSheet, SessionLine, StudentLine, TestDayData
from jiance.printouts.data import BOX_COLOURS
from jiance.rosters.selectors import released_sample, sampled_students_visible
from jiance.stages import stage_label
from jiance.testday.models import ComputerRoom, ReportPhone, Seat, TestRoom
from jiance.units.areas import Area
from jiance.units.models import Level, Unit
from jiance_core.rooms.booklets import SubjectForms, subjects_from_config

# Who sees the test-day pages: the school's test-day staff, the county staff, the city and above.
VIEW_ROLES = (*SCHOOL_TESTDAY, *COUNTY_STAFF, *CITY_AND_ABOVE)
# Who sees the overview of many schools instead of one school's page.
OVERVIEW_ROLES = (*COUNTY_STAFF, *CITY_AND_ABOVE)
# Who reports the school's computer rooms and makes the seat plan.
ENTRY_ROLES = (*SCHOOL_OFFICE, *COUNTY_OFFICE)
# Who enters the report phone numbers of the notice board (county and above).
PHONE_ROLES = COUNTY_AND_ABOVE
# Who keeps the test materials of a county's sample schools (held at the county).
COUNTY_CUSTODY_ROLES = (Role.CUSTODIAN,)
# Who marks absent students on the day: the school office and the chief proctor.
ABSENCE_ROLES = (*SCHOOL_OFFICE, Role.CHIEF_PROCTOR)  # TODO(roles): a named set for it

# Printouts listing sampled students: secret until release.
SECRET_KINDS = ("checkin", "roomlist", "barcodes")
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "checkin": ("检录名册", ("pdf", "xlsx")),
    "roomlist": ("监测室学生名单", ("pdf", "xlsx")),
    "labels": ("座位签", ("pdf",)),
    "barcodes": ("学生条形码", ("pdf",)),
    "notice": ("公示栏", ("pdf",)),
    "boxes": ("监测工具箱标签", ("pdf",)),
}
# The same printouts named on pages, in the user's language (the documents stay Chinese).
KIND_LABELS = {
    "checkin": _("检录名册"), "roomlist": _("监测室学生名单"), "labels": _("座位签"),
    "barcodes": _("学生条形码"), "notice": _("公示栏"), "boxes": _("监测工具箱标签"),
}


def students_visible(scope: Scope, school: Unit, cycle: Cycle) -> bool:
    """May this person see the sampled students of `school` now? (The rosters app's rule.)"""
    return sampled_students_visible(scope, school, cycle, clock.now())


def school_for(*, scope: Scope, code: str) -> Unit:
    return scope.get_unit(code=code, level=Level.SCHOOL)


def computer_rooms_of(*, scope: Scope, cycle: Cycle, school: Unit) -> QuerySet[ComputerRoom]:
    return scope.filter(ComputerRoom.objects.filter(cycle=cycle, school=school), unit_field="school").order_by("pk")


def computer_room_get(*, scope: Scope, pk: int) -> ComputerRoom:
    return scope.get(ComputerRoom.objects.select_related("school", "cycle"), unit_field="school", pk=pk)


def rooms_of(*, scope: Scope, cycle: Cycle, school: Unit) -> QuerySet[TestRoom]:
    return scope.filter(TestRoom.objects.filter(cycle=cycle, school=school), unit_field="school").order_by(
        "stage", "number"
    )


def _seated(scope: Scope, cycle: Cycle) -> QuerySet[Seat]:
    """Seats of `cycle` holding a student this person may see now (the one secrecy rule)."""
    return Seat.objects.filter(room__cycle=cycle, student__sampled__in=released_sample(scope=scope, cycle=cycle))


def seat_get(*, scope: Scope, cycle: Cycle, pk: int) -> Seat:
    """A seat with its student; before release (or without a student) it does not exist."""
    return scope.get(_seated(scope, cycle).select_related("room", "room__school", "room__cycle", "student"),
                     unit_field="room__school", pk=pk)


def seats_of(*, scope: Scope, room: TestRoom) -> QuerySet[Seat]:
    """The seats of a room with their students: only those the person may see now."""
    return scope.filter(_seated(scope, room.cycle).filter(room=room), unit_field="room__school").select_related(
        "student").order_by("seat")


def seat_counts(*, scope: Scope, cycle: Cycle, school: Unit, stage: str) -> dict[str, int]:
    """Seated students and absentees of one stage of a school (what the seat page counts)."""
    seats = scope.filter(_seated(scope, cycle).filter(room__school=school, room__stage=stage),
                         unit_field="room__school")
    return seats.aggregate(seated=Count("pk"), absent=Count("pk", filter=Q(absent=True)))


def phone_get(*, scope: Scope, pk: int) -> ReportPhone:
    return scope.get(ReportPhone.objects.select_related("unit", "cycle"), pk=pk)


def phones_of(*, scope: Scope, cycle: Cycle, unit: Unit) -> QuerySet[ReportPhone]:
    return scope.filter(ReportPhone.objects.filter(cycle=cycle, unit=unit)).order_by("pk")


def phones_for_school(*, cycle: Cycle, school: Unit) -> list[ReportPhone]:
    """The phone lines on a school's notice board: those of the units above it, top down.
    (Published lines, not personal data: read for the school's own board.)"""
    codes = school.ancestor_codes()
    rows = ReportPhone.objects.filter(cycle=cycle, unit__code__in=codes).select_related("unit")
    return sorted(rows, key=lambda p: (p.unit.path.count("/"), p.pk))


def phone_units(*, scope: Scope) -> QuerySet[Unit]:
    """Units where the person may publish phone lines (county and above, never schools)."""
    return scope.units_for_roles(PHONE_ROLES).exclude(level=Level.SCHOOL).filter(
        pk__in=[g.unit_id for g in scope.grants if g.role in PHONE_ROLES]
    )


def sessions_for(cycle: Cycle, stage: str) -> list[SessionLine]:
    """The cycle's student sessions that `stage` takes, numbered across the cycle's student
    sessions (the barcode's session part)."""
    out: list[SessionLine] = []
    number = 0
    for s in (cycle.config or {}).get("sessions") or []:
        if "student" not in (s.get("respondents") or ["student"]):
            continue
        number += 1
        if stage not in (s.get("stages") or ["primary", "junior"]):
            continue
        own = s.get(stage) or {}
        start = own.get("start") or s.get("start") or ""
        end = "" if s.get("until_done") else (own.get("end") or s.get("end") or "")
        out.append(SessionLine(number, str(s.get("code", number)), dt.date.fromisoformat(str(s["day"])),
                               str(s.get("name", "")), str(start)[:5], str(end)[:5]))
    return out


def booklet_subjects(cycle: Cycle, grade: int) -> list[SubjectForms]:
    """The subjects with booklet forms in `grade`, template order (the core's one rule)."""
    return subjects_from_config((cycle.config or {}).get("subjects") or [], grade)


def stages_of(*, scope: Scope, cycle: Cycle, school: Unit) -> list[str]:
    """Stages with rooms, else stages in which the school is sampled."""
    stages = list(dict.fromkeys(rooms_of(scope=scope, cycle=cycle, school=school).values_list("stage", flat=True)))
    if stages:
        return stages
    from jiance.rosters.selectors import sample_rows

    return list(dict.fromkeys(r.stage for r in sample_rows(cycle=cycle, school=school)))


def grade_of(cycle: Cycle, stage: str) -> int:
    grades = (cycle.config or {}).get("grades") or {}
    return int(grades.get(stage) or (4 if stage == "primary" else 8))


def printout_data(*, scope: Scope, cycle: Cycle, school: Unit, stage: str, with_students: bool) -> TestDayData:
    """Everything the renderers need. Students only when `with_students` (what the printout is
    for) and only those `released_sample` gives the person; without them rooms keep their
    numbers, kinds and desks."""
    grade = grade_of(cycle, stage)
    subjects = [s.name for s in booklet_subjects(cycle, grade)]
    rooms = list(rooms_of(scope=scope, cycle=cycle, school=school).filter(stage=stage))
    two_stages = len(stages_of(scope=scope, cycle=cycle, school=school)) > 1
    seats_by_room: dict[int, list[Seat]] = {}
    if with_students:
        for seat in _seated(scope, cycle).filter(room__in=rooms).select_related("student").order_by("room_id", "seat"):
            seats_by_room.setdefault(seat.room_id, []).append(seat)
    sheets = []
    for room in rooms:
        lines = tuple(
            StudentLine(
                seat=s.seat, name=s.student.name, sex=s.student.sex, class_name=s.student.class_name,
                student_no=s.student.student_no, masked_id=s.student.masked_id,
                booklets=tuple(str(s.booklets.get(name, "")) for name in subjects), absent=s.absent,
            )
            for s in seats_by_room.get(room.pk, [])
            if s.student is not None
        )
        desks = tuple(room.seats.order_by("seat").values_list("seat", "row", "column"))
        sheets.append(RoomSheet(
            number=room.number, kind=room.kind, computer_room=room.computer_room_name,
            seats=len(desks), students=lines, desks=desks, pattern=room.pattern,
            stage_label=stage_label(stage) if two_stages else "",
        ))
    config: dict[str, Any] = cycle.config or {}
    county = school.county()
    return TestDayData(
        cycle_code=cycle.code, cycle_name=cycle.name, cycle_year=cycle.year, school_code=school.code,
        school_name=school.name, county_name=county.name if county else "", stage=stage, grade=grade,
        rooms=tuple(sheets), sessions=tuple(sessions_for(cycle, stage)), booklet_subjects=tuple(subjects),
        phones=tuple(Phone(_phone_label(p), p.number) for p in phones_for_school(cycle=cycle, school=school)),
        rules=tuple(config.get("student_rules") or STUDENT_RULES),
        box_colours={**BOX_COLOURS, **(config.get("box_colours") or {})},
    )


def _phone_label(phone: ReportPhone) -> str:
    """A line named after what it is (本地监督电话, from the county's self-check list) is named after
    its unit too on the notice board: “南昌县本地监督电话”."""
    if phone.label.endswith(("电话", "专线")) and not phone.label.startswith(phone.unit.name):
        return f"{phone.unit.name}{phone.label}"
    return phone.label


def overview_places(*, scope: Scope, cycle: Cycle, area: Area) -> QuerySet[Any]:
    """The in-sample places (school, stage) of the published draws inside `area`, each with its
    number of test rooms (`n_rooms`, a correlated count on the rooms' index)."""
    from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool

    rooms = TestRoom.objects.filter(cycle=cycle, school=OuterRef("school"), stage=OuterRef("stage")).order_by() \
        .values("school").annotate(n=Count("pk")).values("n")
    return scope.filter(
        SampledSchool.objects.filter(draw__cycle=cycle, draw__status=DrawStatus.PUBLISHED,
                                     status=RowStatus.IN_SAMPLE).filter(area.q("school__")),
        unit_field="school",
    ).annotate(n_rooms=Coalesce(Subquery(rooms), 0))


def overview_counts(*, scope: Scope, cycle: Cycle, area: Area) -> dict[str, Counter[str]]:
    """Places and places with rooms per county path: one GROUP BY query."""
    rows = overview_places(scope=scope, cycle=cycle, area=area).order_by().values_list("county__path").annotate(
        places=Count("pk"), planned=Count("pk", filter=Q(n_rooms__gt=0)))
    return {path: Counter(places=n, planned=planned) for path, n, planned in rows}


def county_schools(*, scope: Scope, cycle: Cycle, places: list[Any]) -> list[dict[str, Any]]:
    """One page of places (from `overview_places`) as the overview's rows."""
    return [
        {"school": r.school, "stage": r.stage, "stage_label": stage_label(r.stage), "rooms": r.n_rooms}
        for r in places
    ]
