"""Pages and downloads: who sees what, secrecy before release (frozen clock), audit of downloads."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiance import clock
from jiance.accounts.models import Role
from jiance.audit.models import AuditEntry
from jiance.cycles.models import Cycle
from jiance.testday import services
from jiance.testday.models import ComputerRoom, ReportPhone, Seat, TestRoom
from tests.factories import World, client_for, make_user
from tests.htmx_oob import oob_part
from tests.printouts.pdftools import is_pdf, squash, text
from tests.rosters.builders import AFTER_RELEASE, BEFORE_RELEASE
from tests.testday.builders import sample_school, student_name

pytestmark = pytest.mark.django_db

SECRET = [("checkin", "pdf"), ("checkin", "xlsx"), ("roomlist", "pdf"), ("roomlist", "xlsx"), ("barcodes", "pdf")]
OPEN = [("labels", "pdf"), ("boxes", "pdf"), ("notice", "pdf")]



def url(code: str, kind: str, fmt: str, stage: str = "primary") -> str:
    return reverse("testday:printout", kwargs={"code": code, "stage": stage, "kind": kind, "fmt": fmt})


@pytest.fixture
def planned(world: World, cycle: Cycle) -> World:
    sample_school(cycle, world.school_a1, 30)
    services.rooms_plan(school=world.school_a1, cycle=cycle)
    return world


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.SCHOOL_INFO_OFFICER, Role.CUSTODIAN, Role.CHIEF_PROCTOR,
                                  Role.PROCTOR])
def test_school_staff_see_their_test_day_page(planned: World, role: str) -> None:
    c = client_for(make_user("u", role, planned.school_a1))
    assert c.get(reverse("testday:home")).url == reverse("testday:school", args=[planned.school_a1.code])
    page = c.get(reverse("testday:school", args=[planned.school_a1.code]))
    assert page.status_code == 200
    assert "座位签" in page.content.decode() and "第1监测室" in page.content.decode()


def test_timekeeper_and_other_schools_are_refused(planned: World) -> None:
    c = client_for(make_user("ss", Role.TIMEKEEPER, planned.school_a1))
    assert c.get(reverse("testday:school", args=[planned.school_a1.code])).status_code == 403
    other = client_for(make_user("b1", Role.PRINCIPAL, planned.school_b1))
    assert other.get(reverse("testday:school", args=[planned.school_a1.code])).status_code == 404
    assert other.get(url(planned.school_a1.code, "labels", "pdf")).status_code == 404


def test_county_sees_its_schools(planned: World) -> None:
    c = client_for(make_user("county", Role.COUNTY_INFO_OFFICER, planned.county_a))
    page = c.get(reverse("testday:home")).content.decode()
    assert planned.school_a1.name in page and planned.school_b1.name not in page
    assert c.get(reverse("testday:school", args=[planned.school_a1.code])).status_code == 200
    assert client_for(make_user("kb", Role.COUNTY_ADMIN, planned.county_b)).get(
        reverse("testday:school", args=[planned.school_a1.code])).status_code == 404


def test_county_custodian_lands_on_the_county_list_not_a_school(planned: World) -> None:
    c = client_for(make_user("kc", Role.CUSTODIAN, planned.county_a))
    home = c.get(reverse("testday:home"))
    assert home.status_code == 200  # a page of the county, not a redirect to its first school
    page = home.content.decode()
    assert "保密材料与交接" in page and "测试日功能上线后可用" in page
    assert planned.school_a1.name in page and planned.school_b1.name not in page
    # a county role that is not the custodian's, with no school: refused, not sent to a school
    assert client_for(make_user("ti", Role.TIMEKEEPER, planned.county_a)).get(
        reverse("testday:home")).status_code == 403


@pytest.mark.parametrize("role_unit", ["school", "county"])
def test_student_printouts_are_secret_before_release(planned: World, role_unit: str) -> None:
    user = (make_user("u", Role.SCHOOL_INFO_OFFICER, planned.school_a1) if role_unit == "school"
            else make_user("u", Role.COUNTY_ADMIN, planned.county_a))
    c = client_for(user)
    code = planned.school_a1.code
    with clock.frozen(BEFORE_RELEASE):
        for kind, fmt in SECRET:
            # exactly like a school without a plan
            assert c.get(url(code, kind, fmt)).status_code == 404, kind
        page = c.get(reverse("testday:school", args=[code])).content.decode()
        assert student_name(0) not in page and "未发布" in page
        assert c.get(reverse("testday:seats", args=[code, "primary"])).status_code == 404
        for kind, fmt in OPEN:
            r = c.get(url(code, kind, fmt))
            assert r.status_code == 200 and is_pdf(r.content)
        notice = squash(text(c.get(url(code, "notice", "pdf")).content))
        assert student_name(0) not in notice and "学生检录后张贴" in notice
    assert not AuditEntry.objects.filter(action="export").exists()


def test_student_printouts_after_release_are_audited(planned: World) -> None:
    user = make_user("u", Role.SCHOOL_INFO_OFFICER, planned.school_a1)
    c = client_for(user)
    code = planned.school_a1.code
    with clock.frozen(AFTER_RELEASE):
        for kind, fmt in SECRET:
            r = c.get(url(code, kind, fmt))
            assert r.status_code == 200, kind
            assert "attachment" in r["Content-Disposition"] and "no-store" in r["Cache-Control"].split(", ")
            assert "private" in r["Cache-Control"] and "filename*=utf-8''" in r["Content-Disposition"]
            if fmt == "pdf":
                assert student_name(0) in squash(text(r.content))
            else:
                ws = load_workbook(io.BytesIO(r.content)).active
                assert ws["B4"].value == student_name(0)
        notice = squash(text(c.get(url(code, "notice", "pdf")).content))
        assert student_name(29) in notice
        c.get(url(code, "labels", "pdf"))
    entries = list(AuditEntry.objects.filter(action="export").order_by("pk"))
    assert [e.object_id.split(":")[-1] for e in entries] == [k for k, _ in SECRET] + ["notice"]
    assert all(e.actor_id == user.pk and e.unit_id == planned.school_a1.pk and "30 名学生" in e.detail
               for e in entries)


def test_city_sees_the_students_before_release(planned: World) -> None:
    c = client_for(make_user("city", Role.CITY_ADMIN, planned.city))
    with clock.frozen(BEFORE_RELEASE):
        r = c.get(url(planned.school_a1.code, "checkin", "pdf"))
    assert r.status_code == 200 and student_name(3) in squash(text(r.content))
    assert AuditEntry.objects.filter(action="export", actor__username="city").count() == 1


def test_unknown_kind_format_and_stage_are_404(planned: World) -> None:
    c = client_for(make_user("u", Role.PRINCIPAL, planned.school_a1))
    code = planned.school_a1.code
    with clock.frozen(AFTER_RELEASE):
        assert c.get(url(code, "labels", "xlsx")).status_code == 404
        assert c.get(url(code, "secrets", "pdf")).status_code == 404
        assert c.get(url(code, "checkin", "pdf", stage="junior")).status_code == 404


def test_school_without_plan_has_no_printouts(world: World, cycle: Cycle) -> None:
    c = client_for(make_user("u", Role.PRINCIPAL, world.school_a1))
    with clock.frozen(AFTER_RELEASE):
        assert c.get(url(world.school_a1.code, "checkin", "pdf")).status_code == 404
        assert c.get(url(world.school_a1.code, "labels", "pdf")).status_code == 404
        assert "尚未编排" in c.get(reverse("testday:school", args=[world.school_a1.code])).content.decode()


def test_officer_reports_a_lab_and_plans(world: World, cycle: Cycle) -> None:
    sample_school(cycle, world.school_a1, 50)
    c = client_for(make_user("u", Role.SCHOOL_INFO_OFFICER, world.school_a1))
    code = world.school_a1.code
    r = c.post(reverse("testday:lab_add", args=[code]), {"name": "一号机房", "pcs": "0", "orientation": "front"})
    assert r.status_code == 400 and "联网计算机台数应为正整数" in r.content.decode()
    r = c.post(reverse("testday:lab_add", args=[code]), {"name": "一号机房", "pcs": "30", "orientation": "sideways",
                                                         "columns": "5"})
    assert r.status_code == 302 and ComputerRoom.objects.get().columns == 5
    c.post(reverse("testday:plan", args=[code]))
    assert list(TestRoom.objects.order_by("number").values_list("kind", "students")) == [("computer", 25),
                                                                                         ("paper", 25)]
    proctor = client_for(make_user("p", Role.PROCTOR, world.school_a1))
    assert proctor.post(reverse("testday:plan", args=[code])).status_code == 403


def test_absence_marked_from_the_seat_page(planned: World) -> None:
    c = client_for(make_user("u", Role.CHIEF_PROCTOR, planned.school_a1))
    seat = Seat.objects.get(seat=4)
    with clock.frozen(AFTER_RELEASE):
        page = c.get(reverse("testday:seats", args=[planned.school_a1.code, "primary"]))
        assert student_name(3) in page.content.decode()
        assert '<b id="count-seated">30</b>' in page.content.decode() and '<b id="count-absent">0</b>' in page.content.decode()
        r = c.post(reverse("testday:absence", args=[planned.school_a1.code, seat.pk]), {"absent": "on"},
                   HTTP_HX_REQUEST="true")
        assert r.status_code == 200 and "缺考（撤销）" in r.content.decode() and "<html" not in r.content.decode()
        assert r.content.decode().startswith(f'<tr id="seat-{seat.pk}">')
        assert '<b id="count-absent">1</b>' in oob_part(r.content.decode(), "seat-stats")  # not stale at 0
        checkin = squash(text(c.get(url(planned.school_a1.code, "checkin", "pdf")).content))
    assert Seat.objects.get(pk=seat.pk).absent and Seat.objects.get(pk=seat.pk).student_id == seat.student_id
    assert f"04{student_name(3)}" in checkin and "缺考" in checkin
    viewed = AuditEntry.objects.get(action="view_personal", object_type="testday.seats")
    assert "30 名学生" in viewed.detail and viewed.unit_id == planned.school_a1.pk
    absent = AuditEntry.objects.get(action="update", object_type="testday.seat")
    assert absent.before == {"absent": False} and absent.after == {"absent": True}


def test_county_enters_phones_that_reach_the_notice_board(planned: World, cycle: Cycle) -> None:
    c = client_for(make_user("county", Role.COUNTY_ADMIN, planned.county_a))
    r = c.post(reverse("testday:phone_add", args=[planned.county_a.code]),
               {"label": "南昌县义务教育质量监测实施办公室", "number": "0791-85712345"})
    assert r.status_code == 302 and ReportPhone.objects.get().unit == planned.county_a
    school = client_for(make_user("u", Role.PRINCIPAL, planned.school_a1))
    body = squash(text(school.get(url(planned.school_a1.code, "notice", "pdf")).content))
    assert "南昌县义务教育质量监测实施办公室举报电话：0791-85712345" in body
    # a school cannot publish phone lines, nor another county delete them
    assert school.post(reverse("testday:phone_add", args=[planned.school_a1.code]),
                       {"label": "x", "number": "1"}).status_code == 403
    other = client_for(make_user("kb", Role.COUNTY_ADMIN, planned.county_b))
    assert other.post(reverse("testday:phone_delete", args=[ReportPhone.objects.get().pk])).status_code == 404
    assert ReportPhone.objects.count() == 1


@pytest.mark.parametrize("role", [Role.SCHOOL_INFO_OFFICER, Role.PRINCIPAL, Role.CHIEF_PROCTOR])
def test_absence_partial_tells_no_name_before_release(planned: World, role: str) -> None:
    """Walking the seat ids with the htmx "mark absent" POST must not reveal the sample
    (issue 8, item 11): before release the seat answers like a missing one and nothing changes."""
    c = client_for(make_user("u", role, planned.school_a1))
    names = [student_name(i) for i in range(30)]
    with clock.frozen(BEFORE_RELEASE):
        for seat in Seat.objects.filter(student__isnull=False):
            for htmx in ({"HTTP_HX_REQUEST": "true"}, {}):
                r = c.post(reverse("testday:absence", args=[planned.school_a1.code, seat.pk]), {"absent": "on"},
                           **htmx)
                body = r.content.decode()
                assert r.status_code == 404, (seat.pk, r.status_code)
                assert not [n for n in names if n in body]
                assert seat.student.student_no not in body
    assert not Seat.objects.filter(absent=True).exists()
