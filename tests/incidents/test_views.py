"""Pages and downloads: the phone record form (offline contract), the steps, who sees what
(a school never sees another school's incidents), the report downloads, the hotline page."""

from __future__ import annotations

import io
import uuid

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiance.cycles.models import Cycle
from jiance.incidents.models import HotlineCall, Incident, IncidentStatus
from jiance.testday.models import ReportPhone
from tests.factories import World, client_for
from tests.incidents.builders import People, at, record, seated_room
from tests.printouts.pdftools import is_pdf, squash, text

pytestmark = pytest.mark.django_db



def form(**kw: str) -> dict[str, str]:
    return {"kind": "misprint", "occurred_at": "2022-05-25T09:10", "what": "2 份测试卷缺页", "actions": "按顺序作答",
            **kw}


def test_officer_records_from_the_phone_form(world: World, cycle: Cycle, p: People) -> None:
    c = client_for(p.officer_a1)
    page = c.get(reverse("incidents:record", args=[world.school_a1.code]))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-queue="' in html and "data-queue-status" in html
    assert "卷袋内测试卷数少于实测学生数（2 级）" in html
    r = c.post(reverse("incidents:record", args=[world.school_a1.code]), form())
    i = Incident.objects.get()
    assert r.status_code == 302 and r.url == reverse("incidents:detail", args=[i.pk])
    assert i.status == IncidentStatus.RECORDED and i.occurred_at == at(9, 10)
    detail = c.get(r.url).content.decode()
    assert "2 份测试卷缺页" in detail and "待确认" in detail and "部分测试卷印刷模糊或缺页" in detail


def test_queued_post_is_acknowledged_once(world: World, cycle: Cycle, p: People) -> None:
    c = client_for(p.officer_a1)
    cid = str(uuid.uuid4())
    post = form(client_id=cid, client_at="2022-05-25T09:12:00+08:00")
    url = reverse("incidents:record", args=[world.school_a1.code])
    for _ in range(2):
        r = c.post(url, post, HTTP_X_JIANCE_QUEUE="1")
        assert r.status_code == 200 and "已登记并上报区县" in r.content.decode()
    i = Incident.objects.get()
    assert i.recorded_at == at(9, 12)
    bad = c.post(url, form(kind="", client_id=str(uuid.uuid4())), HTTP_X_JIANCE_QUEUE="1")
    assert bad.status_code == 409 and "事件类别" in bad.content.decode()
    late = c.post(url, form(client_id=str(uuid.uuid4()), client_at="2022-05-25T11:00:00+08:00"),
                  HTTP_X_JIANCE_QUEUE="1")
    assert late.status_code == 409 and Incident.objects.count() == 1


def test_a_reported_incident_is_not_edited(world: World, cycle: Cycle, p: People) -> None:
    i = record(p, cycle, world.school_a1)
    r = client_for(p.officer_a1).post(reverse("incidents:edit", args=[i.pk]), form(what="改写"), follow=True)
    assert "已上报，不能修改" in r.content.decode()
    i.refresh_from_db()
    assert i.what != "改写"


def test_a_plain_post_with_errors_shows_them(world: World, cycle: Cycle, p: People) -> None:
    c = client_for(p.officer_a1)
    r = c.post(reverse("incidents:record", args=[world.school_a1.code]), form(what=""))
    assert r.status_code == 200 and "请填写事件情况" in r.content.decode() and not Incident.objects.exists()


def test_inspector_confirms_through_the_page(world: World, cycle: Cycle, p: People) -> None:
    i = record(p, cycle, world.school_a1)
    c = client_for(p.inspector_a)
    page = c.get(reverse("incidents:detail", args=[i.pk])).content.decode()
    assert 'id="confirm-form"' in page and 'id="escalate-form"' not in page
    r = c.post(reverse("incidents:step", args=[i.pk]), {"action": "confirm", "version": i.version, "grade": "1"})
    assert r.status_code == 302
    i.refresh_from_db()
    assert i.status == IncidentStatus.CONFIRMED
    stale = c.post(reverse("incidents:step", args=[i.pk]), {"action": "handle", "version": i.version - 1,
                                                            "comment": "x"}, follow=True)
    assert "页面已过期" in stale.content.decode()
    i.refresh_from_db()
    assert i.status == IncidentStatus.CONFIRMED


def test_a_school_cannot_see_another_schools_incidents(world: World, cycle: Cycle, p: People) -> None:
    i = record(p, cycle, world.school_a1)
    other = client_for(p.officer_b1)
    assert other.get(reverse("incidents:detail", args=[i.pk])).status_code == 404
    assert other.get(reverse("incidents:unit", args=[world.school_a1.code])).status_code == 404
    assert other.post(reverse("incidents:step", args=[i.pk]), {"action": "record"}).status_code == 404
    own = other.get(reverse("incidents:unit", args=[world.school_b1.code])).content.decode()
    assert i.number not in own
    county_b = client_for(p.county_b)
    assert county_b.get(reverse("incidents:detail", args=[i.pk])).status_code == 404
    county_a = client_for(p.county_a).get(reverse("incidents:unit", args=[world.county_a.code])).content.decode()
    assert i.number in county_a
    city = client_for(p.city).get(reverse("incidents:unit", args=[world.city.code])).content.decode()
    assert i.number in city and world.school_a1.name in city


def test_home_goes_to_the_persons_unit(world: World, cycle: Cycle, p: People) -> None:
    assert client_for(p.officer_a1).get(reverse("incidents:home")).url == reverse(
        "incidents:unit", args=[world.school_a1.code])
    assert client_for(p.inspector_a).get(reverse("incidents:home")).url == reverse(
        "incidents:unit", args=[world.county_a.code])


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_report_downloads(world: World, cycle: Cycle, p: People, fmt: str) -> None:
    seated_room(cycle, world.school_a1, 3)
    record(p, cycle, world.school_a1, "impersonation", what="发现冒名顶替者 1 人")
    r = client_for(p.county_a).get(reverse("incidents:report", args=[world.county_a.code, fmt]))
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    content = b"".join(r.streaming_content) if r.streaming else r.content
    if fmt == "pdf":
        assert is_pdf(content)
        body = squash(text(content))
        assert "县级应急事件报告表" in body and "发现冒名顶" in body and "3级" in body and "涉及学校1所" in body
    else:
        ws = load_workbook(io.BytesIO(content)).active
        cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
        assert any("县级应急事件报告表" in v for v in cells) and "发现冒名顶替者 1 人" in cells
    assert client_for(p.officer_b1).get(reverse("incidents:report", args=[world.county_a.code, fmt])).status_code == 404
    from jiance.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="export", object_type="incidents.report", unit=world.county_a).count() == 1


def test_hotline_page_logs_calls_and_converts_one(world: World, cycle: Cycle, p: People) -> None:
    ReportPhone.objects.create(cycle=cycle, unit=world.county_a, label="本地监督电话", number="0791-85700000",
                               created_at=at(8))
    c = client_for(p.liaison_a)
    url = reverse("incidents:hotline", args=[world.county_a.code])
    page = c.get(url).content.decode()
    assert "0791-85700000" in page and 'data-queue="' in page
    r = c.post(url, {"at": "2022-05-25T09:05", "caller": "家长王女士", "school": str(world.school_a1.pk),
                     "content": "反映考场外有噪音", "handling": "已转告巡视员"})
    assert r.status_code == 302
    call = HotlineCall.objects.get()
    assert call.at == at(9, 5) and call.logged_by == p.liaison_a
    r = c.post(reverse("incidents:call_to_incident", args=[call.pk]), {"kind": "other"})
    i = Incident.objects.get()
    assert r.url == reverse("incidents:detail", args=[i.pk]) and i.source == "hotline"
    assert i.number in c.get(url).content.decode()
    assert client_for(p.county_b).get(url).status_code == 404
    assert client_for(p.officer_a1).get(url).status_code == 404  # a school does not see its county


def test_catalogue_page(world: World, cycle: Cycle, p: People) -> None:
    page = client_for(p.proctor_a1).get(reverse("incidents:catalogue")).content.decode()
    assert "按座位号由大到小剔除测试生" in page and "区县实施工作领导小组应及时向市级实施工作领导小组报告" in page


def test_the_notice_board_prints_the_countys_hotline(world: World, cycle: Cycle, p: People) -> None:
    """The number the county published in its self-check list (a ReportPhone labelled 本地监督电话)
    is on every sample school's notice board, named after the county; the hotline page shows it."""
    seated_room(cycle, world.school_a1, 3)
    ReportPhone.objects.create(cycle=cycle, unit=world.county_a, label="本地监督电话", number="0791-85700000",
                               created_at=at(8))
    board = client_for(p.principal_a1).get(
        reverse("testday:printout", kwargs={"code": world.school_a1.code, "stage": "primary", "kind": "notice",
                                            "fmt": "pdf"}))
    assert board.status_code == 200
    assert "南昌县本地监督电话：0791-85700000" in squash(text(board.content))
    assert "0791-85700000" in client_for(p.county_a).get(
        reverse("incidents:hotline", args=[world.county_a.code])).content.decode()


def test_a_countys_custodian_reads_its_countys_incidents_and_acts_on_none(world: World, cycle: Cycle,
                                                                           p: People) -> None:
    from jiance.accounts.models import Role
    from tests.factories import make_user

    i = record(p, cycle, world.school_a1)
    custodian = client_for(make_user("county-custodian", Role.CUSTODIAN, world.county_a))
    landing = custodian.get(reverse("incidents:home"))
    assert landing.url == reverse("incidents:unit", args=[world.county_a.code])
    page = custodian.get(landing.url)
    assert page.status_code == 200 and i.number in page.content.decode()
    assert custodian.get(reverse("incidents:unit", args=[world.county_b.code])).status_code == 404
    before = i.status
    assert custodian.post(reverse("incidents:step", args=[i.pk]), {"action": "confirm"}).status_code in (403, 409)
    i.refresh_from_db()
    assert i.status == before != IncidentStatus.CONFIRMED
