"""The roster windows: the school enters and submits inside them (students and teachers may have
their own dates), the principal and the county check any time, the county may reopen entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from jiance import clock
from jiance.audit.models import AuditEntry
from jiance.cycles.models import Cycle
from jiance.rosters import services
from jiance.rosters.models import Roster, RosterError, RosterStatus, Student
from jiance.windows.models import WindowReopen
from tests.factories import client_for
from tests.rosters.builders import TEACHERS, People, students, teacher_xlsx, xlsx
from tests.rosters.conftest import scope_of

pytestmark = pytest.mark.django_db

WINDOWS = [
    {"kind": "student_roster", "name": "测试年级学生信息上报", "reported_by": "school", "reviewed_by": "county",
     "start": "2022-04-10", "end": "2022-04-27"},
    {"kind": "teacher_roster", "name": "测试年级教师信息上报", "reported_by": "school", "reviewed_by": "county",
     "start": "2022-04-10", "end": "2022-04-29"},
]


def at(day: int, month: int = 4) -> Any:
    return clock.frozen(timezone.make_aware(dt.datetime(2022, month, day, 10, 0)))


@pytest.fixture
def roster(world, cycle: Cycle, people: People) -> Roster:  # type: ignore[no-untyped-def]
    cycle.config = {**cycle.config, "windows": WINDOWS}
    cycle.save()
    return services.roster_open(scope=scope_of(people.officer_a1), cycle=cycle, school=world.school_a1, stage="primary")


def import_students(people: People, roster: Roster) -> Any:
    return services.roster_import(scope=scope_of(people.officer_a1), roster=roster, filename="a.xlsx",
                                  content=xlsx(students("3601210001", "360121", 40, 2)), actor=people.officer_a1)


def import_teachers(people: People, roster: Roster) -> Any:
    return services.teacher_import(scope=scope_of(people.officer_a1), roster=roster, filename="t.xlsx",
                                   content=teacher_xlsx(TEACHERS), actor=people.officer_a1)


def submit(people: People, roster: Roster) -> Roster:
    return services.roster_submit(scope=scope_of(people.officer_a1), roster=Roster.objects.get(pk=roster.pk),
                                  actor=people.officer_a1)


def test_before_inside_after_per_window(people: People, roster: Roster) -> None:
    with at(9):
        with pytest.raises(RosterError, match=r"尚未开放.*2022年04月10日"):
            import_students(people, roster)
        with pytest.raises(RosterError, match=r"尚未开放.*测试年级教师信息上报"):
            import_teachers(people, roster)
    with at(27):
        assert import_students(people, roster).applied
    with at(28):
        with pytest.raises(RosterError, match="学生信息上报（2022年04月10日至2022年04月27日）已于 2022年04月27日 截止"):
            import_students(people, roster)
        with pytest.raises(RosterError, match="截止"):
            services.student_delete(scope=scope_of(people.officer_a1), roster=roster,
                                    student=Student.objects.filter(roster=roster).first(), actor=people.officer_a1)
        assert import_teachers(people, roster).ok  # the teachers' window is still open
        assert submit(people, roster).status == RosterStatus.SUBMITTED  # as long as one of the two is open
    with at(30):
        # the principal's check and the county's review are not bound to the school's windows
        roster = services.roster_approve(scope=scope_of(people.principal_a1), roster=Roster.objects.get(pk=roster.pk),
                                         actor=people.principal_a1)
        roster = services.roster_return(scope=scope_of(people.county_a), roster=roster, actor=people.county_a,
                                        comment="核对转学生")
        assert roster.status == RosterStatus.RETURNED
        with pytest.raises(RosterError, match="截止"):
            import_teachers(people, roster)
        with pytest.raises(RosterError, match="截止"):
            submit(people, roster)


def test_reopened_then_expired_and_audited(world, people: People, roster: Roster) -> None:  # type: ignore[no-untyped-def]
    with at(30):
        reopens = services.roster_window_reopen(scope=scope_of(people.county_a), cycle=roster.cycle,
                                                school=world.school_a1, until=dt.date(2022, 5, 2),
                                                reason="学籍系统迁移", actor=people.county_a)
        assert {r.kind for r in reopens} == {"student_roster", "teacher_roster"}
        assert import_students(people, roster).applied and import_teachers(people, roster).ok
    with at(2, 5):
        assert submit(people, roster).status == RosterStatus.SUBMITTED
    with at(3, 5), pytest.raises(RosterError, match="截止"):
        services.roster_import(scope=scope_of(people.officer_a2), roster=services.roster_open(
            scope=scope_of(people.officer_a2), cycle=roster.cycle, school=world.school_a2, stage="junior"),
            filename="b.xlsx", content=b"x", actor=people.officer_a2)  # another school: not reopened
    entries = AuditEntry.objects.filter(object_type="windows.windowreopen", unit=world.school_a1)
    assert entries.count() == 2 and all("学籍系统迁移" in e.detail for e in entries)


def test_only_the_county_above_may_reopen(world, people: People, roster: Roster) -> None:  # type: ignore[no-untyped-def]
    kw = {"cycle": roster.cycle, "school": world.school_a1, "until": dt.date(2022, 5, 2), "reason": "补报"}
    with at(30):
        with pytest.raises(PermissionDenied):  # the school itself
            services.roster_window_reopen(scope=scope_of(people.officer_a1), actor=people.officer_a1, **kw)
        with pytest.raises(PermissionDenied):  # the principal
            services.roster_window_reopen(scope=scope_of(people.principal_a1), actor=people.principal_a1, **kw)
        with pytest.raises(Http404):  # another county
            services.roster_window_reopen(scope=scope_of(people.county_b), actor=people.county_b, **kw)
        with pytest.raises(RosterError, match="原因"):
            services.roster_window_reopen(scope=scope_of(people.county_a), actor=people.county_a,
                                          **{**kw, "reason": ""})
    assert not WindowReopen.objects.exists()



def test_views_refuse_an_edit_after_the_close_and_show_the_reopening(world, people: People, roster: Roster) -> None:  # type: ignore[no-untyped-def]
    officer, county = client_for(people.officer_a1), client_for(people.county_a)
    page = reverse("rosters:roster", kwargs={"roster_id": roster.pk})
    with at(30):
        text = officer.get(page).content.decode()
        assert "已于 2022年04月27日 截止" in text and 'id="window-reopen"' not in text
        f = SimpleUploadedFile("学生名单.xlsx", xlsx(students("3601210001", "360121", 40, 2)))
        r = officer.post(reverse("rosters:upload", kwargs={"roster_id": roster.pk}), {"file": f}, follow=True)
        assert "已于 2022年04月27日 截止" in r.content.decode()
        assert not Student.objects.exists()
        assert 'id="window-reopen"' in county.get(page).content.decode()
        r = county.post(reverse("rosters:window_reopen", kwargs={"code": world.school_a1.code}),
                        {"until": "2022-05-03", "reason": "学籍系统迁移", "next": page}, follow=True)
        assert "已重新开放至 2022-05-03" in r.content.decode()
        text = officer.get(page).content.decode()
        assert "上报重新开放中" in text and "南昌县信息员" in text and "学籍系统迁移" in text
