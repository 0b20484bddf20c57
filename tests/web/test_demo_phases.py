"""The demo on test day: every roster of 南昌县 approved, its students drawn on their own (the
per-county draw), the school's test-day pages showing real students after the release time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from jiance import clock
from jiance.accounts.models import RoleAssignment, User
from jiance.rosters.models import Roster, RosterStatus, SampledStudent, StudentDraw
from jiance.sampling.models import ReplacementRequest
from jiance.units.models import Unit
from jiance.web.services import DEMO_COUNTY_CODE, demo_build, first_test_day_target

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)


def test_phase_shifts_put_test_day_where_it_belongs() -> None:
    first = dt.date(2022, 4, 20)
    assert first + dt.timedelta(days=first_test_day_target(TODAY, first, "testday")) == TODAY
    assert first + dt.timedelta(days=first_test_day_target(TODAY, first, "after")) == TODAY - dt.timedelta(days=2)
    ahead = first + dt.timedelta(days=first_test_day_target(TODAY, first))
    assert 8 <= (ahead - TODAY).days <= 14 and ahead.weekday() == first.weekday()


def test_demo_on_test_day_has_drawn_students_the_school_sees_after_release() -> None:
    with clock.frozen(dt.datetime(2026, 11, 23, 7, 0)):
        summary = demo_build(seed=2022, today=TODAY, phase="testday")
    county = Unit.objects.get(code=DEMO_COUNTY_CODE)
    rosters = Roster.objects.filter(school__parent=county)
    assert rosters.exists() and set(rosters.values_list("status", flat=True)) == {RosterStatus.APPROVED}
    draw = StudentDraw.objects.get()
    assert draw.owner == county  # the county was drawn on its own
    assert SampledStudent.objects.count() == draw.students == summary.chain.sampled_students > 0
    assert not ReplacementRequest.objects.exists()
    assert any("按县抽取" in line for line in summary.chain.lines())
    # incidents of every grade in different states, hotline calls, one of them an incident
    from jiance.incidents.models import HotlineCall, Incident

    assert set(Incident.objects.values_list("grade", flat=True)) == {1, 2, 3}
    assert len(set(Incident.objects.values_list("status", flat=True))) >= 4
    assert Incident.objects.filter(students__proposed_drop=True).exists()  # the booklet shortage's proposal
    assert HotlineCall.objects.count() == 3 and HotlineCall.objects.filter(incident__isnull=False).count() == 1
    assert "应急事件" in summary.incidents

    officer = User.objects.get(username="school.info")
    school = RoleAssignment.objects.get(user=officer).unit
    name = SampledStudent.objects.filter(school=school).select_related("student").first().student.name
    client = Client()
    client.force_login(officer)
    seats = reverse("testday:seats", kwargs={"code": school.code, "stage": "primary"})
    with clock.frozen(dt.datetime(2026, 11, 23, 23, 0)):  # test day, after any release time
        assert name in client.get(seats).content.decode()


def test_demo_after_the_test_opens_the_after_test_reporting() -> None:
    with clock.frozen(dt.datetime(2026, 11, 23, 9, 0)):
        demo_build(seed=2022, today=TODAY, phase="after")
        officer = User.objects.get(username="school.info")
        school = RoleAssignment.objects.get(user=officer).unit
        client = Client()
        client.force_login(officer)
        opened = client.post(reverse("aftertest:open", kwargs={"code": school.code, "stage": "primary"}))
        assert opened.status_code == 302  # the school starts its report (refused if the window were closed)
        page = client.get(reverse("aftertest:report", kwargs={"code": school.code, "stage": "primary"}))
        assert page.status_code == 200
        body = page.content.decode()
        name = SampledStudent.objects.filter(school=school).select_related("student").first().student.name
        assert name in body and "已于" not in body.split("<main", 1)[1][:2000]  # open, names listed
