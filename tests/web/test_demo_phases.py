"""The demo on test day: every roster of 南昌县 approved, its students drawn on their own (the
per-county draw), the school's test-day pages showing real students after the release time; the
test-day demo stands on the second test day at 10:30 with the first day complete (one box not
returned, seen by the county and the city), the second in progress, the staff questionnaires
partly answered."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import models
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jiance import clock
from jiance.accounts.models import RoleAssignment, User
from jiance.cycles.models import Cycle, CycleStatus
from jiance.rosters.models import Roster, RosterStatus, SampledStudent, StudentDraw
from jiance.sampling.models import ReplacementRequest
from jiance.units.models import Unit
from jiance.web.services import (
    DEMO_COUNTY_CODE,
    DEMO_TESTDAY_TIME,
    demo_build,
    demo_stand_day,
    first_test_day_target,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)


def test_phase_shifts_put_test_day_where_it_belongs() -> None:
    first = dt.date(2022, 4, 20)
    assert first + dt.timedelta(days=first_test_day_target(TODAY, first, "testday")) == TODAY
    second = first + dt.timedelta(days=1)
    assert second + dt.timedelta(days=first_test_day_target(TODAY, first, "testday", second)) == TODAY
    assert demo_stand_day([first, second]) == (2, DEMO_TESTDAY_TIME)
    assert demo_stand_day([first])[0] == 1 and demo_stand_day([first])[1] > dt.time(18, 0)  # after the return time
    assert first + dt.timedelta(days=first_test_day_target(TODAY, first, "after")) == TODAY - dt.timedelta(days=2)
    ahead = first + dt.timedelta(days=first_test_day_target(TODAY, first))
    assert 8 <= (ahead - TODAY).days <= 14 and ahead.weekday() == first.weekday()


def test_demo_on_test_day_has_drawn_students_the_school_sees_after_release(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # the demo's recordings are files
    moment = dt.datetime.combine(TODAY, DEMO_TESTDAY_TIME)  # as `jiance demo --phase testday` builds it
    with clock.frozen(moment):
        summary = demo_build(seed=2022, today=TODAY, phase="testday")
    county = Unit.objects.get(code=DEMO_COUNTY_CODE)
    rosters = Roster.objects.filter(school__parent=county)
    assert rosters.exists() and set(rosters.values_list("status", flat=True)) == {RosterStatus.APPROVED}
    draw = StudentDraw.objects.get()
    assert draw.owner == county  # the county was drawn on its own
    assert SampledStudent.objects.count() == draw.students == summary.chain.sampled_students > 0
    assert not ReplacementRequest.objects.exists()
    assert any("按县抽取" in line for line in summary.chain.lines())
    cycle = Cycle.objects.get(status=CycleStatus.ACTIVE)
    first, second = sorted(cycle.test_days)
    assert second == TODAY and first == TODAY - dt.timedelta(days=1)  # the demo stands on the second day

    # incidents of every grade, over both days, some closed, some open; hotline calls, one an incident
    from jiance.incidents.models import OPEN, HotlineCall, Incident, IncidentStatus

    assert set(Incident.objects.values_list("grade", flat=True)) == {1, 2, 3}
    assert len(set(Incident.objects.values_list("status", flat=True))) >= 4
    local = {timezone.localtime(i.occurred_at).date() for i in Incident.objects.all()}
    assert local == {first, second}
    day1 = Incident.objects.filter(occurred_at__lt=timezone.make_aware(dt.datetime.combine(second, dt.time(0))))
    assert day1.filter(status=IncidentStatus.CLOSED).exists() and day1.filter(status__in=OPEN).exists()
    assert {i.grade for i in Incident.objects.filter(status__in=OPEN)} == {1, 3}
    assert Incident.objects.filter(students__proposed_drop=True).exists()  # the booklet shortage's proposal
    assert HotlineCall.objects.count() == 3 and HotlineCall.objects.filter(incident__isnull=False).count() == 1
    assert "应急事件" in summary.incidents
    assert not Incident.objects.filter(occurred_at__gt=timezone.make_aware(moment)).exists()

    # the rooms: day 1 over, with check-ins in every session; day 2 in progress at 10:30
    from jiance.proctoring.models import CheckIn, Presence, RunStatus, SessionRun

    day1_runs = SessionRun.objects.filter(day=first)
    assert day1_runs.exists() and set(day1_runs.values_list("status", flat=True)) == {RunStatus.ENDED}
    sessions = set(day1_runs.values_list("session", flat=True))
    assert len(sessions) >= 2 and set(CheckIn.objects.filter(run__day=first).values_list("run__session", flat=True)) \
        == sessions
    assert CheckIn.objects.filter(run__day=first, status=Presence.ABSENT).exists()
    today_runs = SessionRun.objects.filter(day=second)
    assert today_runs.filter(status=RunStatus.IN_PROGRESS).exists()
    assert today_runs.filter(status=RunStatus.ENDED).exists() and today_runs.filter(status=RunStatus.PAUSED).exists()
    assert not SessionRun.objects.filter(started_at__gt=timezone.make_aware(moment)).exists()

    # custody: exactly one box overdue at the demo's moment, alerted to the county and the city
    from jiance.custody import state
    from jiance.custody.progress import school_progress
    from jiance.notifications.models import Notification

    rules = state.rules_of(cycle)
    boxes = state.box_states(cycle=cycle, rules=rules, schools=state.schools_with_rooms(cycle=cycle, county=county))
    late = [b for b in boxes if b.overdue(timezone.make_aware(moment))]
    assert len(late) == 1 and late[0].box.day == first
    assert {b.box.day for b in boxes if b.issued and b.returned} == {first}  # day 1's boxes came back
    assert any(b.out and b.box.day == second for b in boxes)  # day 2's are out
    told = set(Notification.objects.filter(key__startswith="custody-overdue").values_list("recipient__username",
                                                                                          flat=True))
    assert {"ncx.admin", "ncx.custodian", "nanchang.admin"} <= told
    with clock.frozen(moment):
        row = school_progress(cycle=cycle, school_ids=[late[0].school.pk], day=second)
    assert row[late[0].school.pk]["custody_overdue"] == 1  # the live pages of day 2 count it

    # the staff questionnaires: real answers (not practice) of teachers and the principal, some submitted
    from jiance.questionnaires.models import Kind, Response

    real = Response.objects.filter(practice=False)
    assert real.filter(respondent__kind=Kind.TEACHER, submitted_at__isnull=False).exists()
    assert real.filter(respondent__kind=Kind.TEACHER, submitted_at__isnull=True, answers__isnull=False).exists()
    principal = real.get(respondent__kind=Kind.PRINCIPAL, respondent__user__username="school.principal")
    assert principal.answers.exists() and principal.submitted_at is None  # part-way, to finish in the browser
    assert Response.objects.filter(practice=True, submitted_at__isnull=False).exists()
    assert not real.filter(updated_at__gt=timezone.make_aware(moment)).exists()

    # the PE field test: cards entered and checked at the demo school and two others, one sent back,
    # one out-of-range value confirmed, the two-person rule kept
    from jiance.fieldtest.models import CardStatus, FieldCard

    cards = FieldCard.objects.filter(cycle=cycle)
    assert cards.values("school").distinct().count() == 3
    assert {CardStatus.ENTERED, CardStatus.RETURNED, CardStatus.CHECKED} <= set(cards.values_list("status", flat=True))
    assert cards.exclude(confirmed=[]).exists() and cards.filter(attendance="exempt").exists()
    assert not cards.filter(checked_by__isnull=False, checked_by=F("entered_by")).exists()
    assert not cards.filter(updated_at__gt=timezone.make_aware(moment)).exists()
    assert "体育现场测试" in summary.incidents

    client = Client()
    client.force_login(User.objects.get(username="ncx.custodian"))
    with clock.frozen(moment + dt.timedelta(minutes=5)):
        page = client.get(reverse("custody:unit", kwargs={"code": county.code})).content.decode()
    assert f'data-box="{late[0].box.code}" data-status="overdue"' in page
    client.force_login(User.objects.get(username="nanchang.admin"))
    with clock.frozen(moment + dt.timedelta(minutes=5)):
        live = client.get(reverse("live:page")).content.decode()
        city_custody = client.get(reverse("custody:unit", kwargs={"code": county.parent.code})).content.decode()
    assert late[0].school.name in live and "逾期未送回" in live
    assert 'class="row-warning"><td>' + county.name in city_custody

    # the computer room in the English test at 10:30 (jiance.web.demo.cbt), on the console
    from jiance.cbt.models import Delivery

    states = list(Delivery.objects.values_list("status", flat=True))
    assert {"awaiting", "authorised", "in_progress", "paused", "completed"} <= set(states)
    moved = Delivery.objects.exclude(seat=models.F("plan_seat")).get()
    assert moved.status == "in_progress" and moved.seat.student_id is None
    assert not moved.saves.filter(received_at__gt=moved.events.get(action="move").at).exists()  # stamped in order
    room = moved.sitting.room
    client.force_login(User.objects.get(username="school.proctor"))
    with clock.frozen(moment + dt.timedelta(minutes=1)):
        console = client.get(reverse("cbt:console", kwargs={"test_room_id": room.pk,
                                                            "session": moved.sitting.session}))
    body = console.content.decode()
    assert console.status_code == 200 and "已暂停" in body and "已交卷" in body and "等待授权" in body
    assert not Delivery.objects.filter(sitting__started_at__gt=timezone.make_aware(moment)).exists()

    # the spoken-English task (jiance.web.demo.recordings): checked, failed and pending recordings,
    # made through the upload service, on the county's monitoring page
    from jiance.recordings import storage
    from jiance.recordings.models import Recording, RecordingMark

    assert sorted(Recording.objects.values_list("state", flat=True)) == ["checked", "checked", "failed", "failed"]
    assert RecordingMark.objects.count() == 1 and all(storage.exists(r.path)
                                                      for r in Recording.objects.all())
    client.force_login(User.objects.get(username="ncx.info"))
    with clock.frozen(moment + dt.timedelta(minutes=1)):
        monitor = client.get(reverse("recordings:monitor", kwargs={"code": room.school.code})).content.decode()
    assert "检查通过" in monitor and "检查未通过" in monitor and "已录音" in monitor

    officer = User.objects.get(username="school.info")
    school = RoleAssignment.objects.get(user=officer).unit
    name = SampledStudent.objects.filter(school=school).select_related("student").first().student.name
    client = Client()
    client.force_login(officer)
    seats = reverse("testday:seats", kwargs={"code": school.code, "stage": "primary"})
    with clock.frozen(dt.datetime(2026, 11, 23, 23, 0)):  # test day, after any release time
        assert name in client.get(seats).content.decode()

    # one parent slip to try: the demo school's parent links, printed from its slips page, open the
    # example parent questionnaire on a phone without an account
    from jiance.questionnaires.models import Respondent

    links = Respondent.objects.filter(kind=Kind.PARENT, token__isnull=False)
    assert links.exists() and set(links.values_list("unit_id", flat=True)) == {school.pk}
    with clock.frozen(moment + dt.timedelta(minutes=5)):
        slips = client.get(reverse("questionnaires:slips", kwargs={"code": school.code})).content.decode()
        assert reverse("questionnaires:slips_parents_pdf", kwargs={"code": school.code}) in slips
        pdf = client.get(reverse("questionnaires:slips_parents_pdf", kwargs={"code": school.code}))
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        parent = Client()
        opened = parent.get(reverse("questionnaires:parent", args=[links.first().token]), follow=True)
        assert opened.status_code == 200 and "家长问卷" in opened.content.decode()


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

        # the city's tested secondary students answered 学生相关因素问卷（一）: the city's junior report
        # shows questionnaire indicators with numbers
        from jiance.accounts.scoping import Scope
        from jiance.analysis.report import report_build

        city = Unit.objects.get(code=DEMO_COUNTY_CODE).parent
        assert city is not None
        report = report_build(scope=Scope(User.objects.get(username="nanchang.admin")), cycle=Cycle.objects.get(
            status=CycleStatus.ACTIVE), unit=city, stage="junior")
        section = report.questionnaire
        assert not section.missing and section.questionnaires[0].name == "学生相关因素问卷（一）"
        assert section.questionnaires[0].responses > 500 and len(section.indicators) == 8
        live = next(i for i in section.indicators if i.item.name == "live_with")
        assert all(e.shown and 0 < e.value < 1 and 0 < e.se < 0.1 for _l, e in live.overall.values)
        assert {r.domain for r in live.rows} >= {"男", "女"}
        primary = report_build(scope=Scope(User.objects.get(username="nanchang.admin")), cycle=report.cycle,
                               unit=city, stage="primary")
        assert primary.questionnaire.missing  # primary students answer on paper: one sentence, no error
