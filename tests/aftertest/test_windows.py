"""The after-test window on the shared rule: a reopening (补报) by the county only, with a reason,
expiring on its end date; a row saved after the close is refused on the page with the window's dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from jiance import clock
from jiance.accounts.models import Role
from jiance.accounts.scoping import Scope
from jiance.aftertest import services
from jiance.aftertest.models import AftertestError, TestedReport, TestedStudent
from jiance.aftertest.windows import window_state
from jiance.audit.models import AuditEntry
from jiance.testday.models import Seat, TestRoom
from tests.aftertest.builders import AFTER_WINDOW, aftertest_cycle, draw
from tests.factories import client_for, make_user
from tests.testday.builders import sample_school

pytestmark = pytest.mark.django_db


@pytest.fixture
def env(world):  # type: ignore[no-untyped-def]
    cycle = aftertest_cycle()
    draw(cycle, world, [{"code": world.school_a1.code}])
    students = sample_school(cycle, world.school_a1, 3)
    room = TestRoom.objects.create(cycle=cycle, school=world.school_a1, stage="primary", number=1, kind="paper",
                                   students=3, rows=7, columns=6, pattern="vertical", created_at=clock.now())
    for i, s in enumerate(students, start=1):
        Seat.objects.create(room=room, seat=i, row=1, column=i, student=s)
    return {
        "cycle": cycle, "school": world.school_a1, "roster": students[0].roster,
        "officer": make_user("a1_xx", Role.SCHOOL_INFO_OFFICER, world.school_a1),
        "principal": make_user("a1_xz", Role.PRINCIPAL, world.school_a1),
        "county": make_user("nc_county", Role.COUNTY_INFO_OFFICER, world.county_a, full_name="南昌县信息员"),
        "city": make_user("nc_city", Role.CITY_ADMIN, world.city),
    }


def test_reopen_by_the_county_only_then_expired(env):  # type: ignore[no-untyped-def]
    cycle, school = env["cycle"], env["school"]
    with clock.frozen(AFTER_WINDOW):
        today = clock.today()
        for who in ("officer", "principal", "city"):  # neither the school nor the level above the county
            with pytest.raises(PermissionDenied):
                services.tested_window_reopen(scope=Scope(env[who]), cycle=cycle, school=school,
                                              until=today, reason="补报", actor=env[who])
        w = services.tested_window_reopen(scope=Scope(env["county"]), cycle=cycle, school=school,
                                          until=today + dt.timedelta(days=2), reason="漏报转学生", actor=env["county"])
        state = window_state(cycle, school, today)
        assert state.state == "reopened" and "南昌县信息员" in state.message and "漏报转学生" in state.message
        assert AuditEntry.objects.filter(object_type="windows.windowreopen", object_id=str(w.pk)).exists()
    with clock.frozen(AFTER_WINDOW + dt.timedelta(days=3)):
        state = window_state(cycle, school, clock.today())
        assert state.state == "closed" and not state.open



def test_view_refuses_a_row_after_the_close(env):  # type: ignore[no-untyped-def]
    report = services.tested_report_open(scope=Scope(env["officer"]), roster=env["roster"], actor=env["officer"])
    t = TestedStudent.objects.get(report=report, row=1)
    c = client_for(env["officer"])
    row = reverse("aftertest:row", kwargs={"code": env["school"].code, "stage": "primary", "tested_id": t.pk})
    with clock.frozen(AFTER_WINDOW):
        r = c.post(row, {f"r{t.pk}-attendance": "absent", f"r{t.pk}-reason": "sick"}, follow=True)
        assert "2022年06月06日 截止" in r.content.decode()
    t.refresh_from_db()
    assert t.attendance != "absent" and TestedReport.objects.get().status == "draft"
    with pytest.raises(AftertestError, match="原因"):
        services.tested_window_reopen(scope=Scope(env["county"]), cycle=env["cycle"], school=env["school"],
                                      until=dt.date(2030, 1, 1), reason="", actor=env["county"])
