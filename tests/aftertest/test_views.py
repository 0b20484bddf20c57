"""Pages: the school reports (htmx row, plain fallback, XLSX round trip with rejected rows), the
county reviews and opens 补报, participation pages, scoping and secrecy."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiance import clock
from jiance.accounts.models import Role
from jiance.aftertest.models import (
    ReportStatus,
    TestedCorrection,
    TestedReport,
    TestedStudent,
    TestedUpload,
)
from jiance.audit.models import AuditEntry
from jiance.windows.models import WindowReopen
from tests.aftertest.builders import AFTER_WINDOW, BEFORE_WINDOW, seated_a1
from tests.factories import client_for, make_user
from tests.htmx_oob import oob_part, oob_version, page_versions
from tests.rosters.builders import BEFORE_RELEASE

pytestmark = pytest.mark.django_db



@pytest.fixture
def env(world):  # type: ignore[no-untyped-def]
    cycle, students = seated_a1(world, 5, 3, absent={3})
    return {
        "cycle": cycle, "students": students,
        "officer": make_user("a1_xx", Role.SCHOOL_INFO_OFFICER, world.school_a1),
        "county": make_user("nc_county", Role.COUNTY_INFO_OFFICER, world.county_a),
        "county_b": make_user("jx_county", Role.COUNTY_ADMIN, world.county_b),
        "city": make_user("nc_city", Role.CITY_ADMIN, world.city),
        "code": world.school_a1.code,
    }


def url(name: str, code: str, **kw: object) -> str:
    return reverse(f"aftertest:{name}", kwargs={"code": code, "stage": "primary", **kw})


def opened(env):  # type: ignore[no-untyped-def]
    c = client_for(env["officer"])
    r = c.post(url("open", env["code"]))
    assert r.status_code == 302
    return c, TestedReport.objects.get(school__code=env["code"])


def test_school_page_and_open(env):  # type: ignore[no-untyped-def]
    c = client_for(env["officer"])
    r = c.get(reverse("aftertest:home"))
    assert r.status_code == 302 and r["Location"].endswith(reverse("aftertest:school", args=[env["code"]]))
    page = c.get(reverse("aftertest:school", args=[env["code"]])).content.decode()
    assert "上报开放中" in page and "开始上报" in page
    c, report = opened(env)
    page = c.get(url("report", env["code"])).content.decode()
    assert page.count('id="row-') == 5
    assert AuditEntry.objects.filter(action="view_personal", object_id=str(report.pk)).exists()


def test_row_save_htmx_and_fallback(env):  # type: ignore[no-untyped-def]
    c, report = opened(env)
    t = TestedStudent.objects.get(report=report, row=3)
    p = f"r{t.pk}"
    # htmx: missing reason → the row comes back with the error, nothing saved
    r = c.post(url("row", env["code"], tested_id=t.pk), {f"{p}-attendance": "absent"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and html.startswith(f'<tr id="row-{t.pk}"') and "缺考原因" in html
    assert "第 3 行" in html
    r = c.post(url("row", env["code"], tested_id=t.pk),
               {f"{p}-attendance": "absent", f"{p}-reason": "sick", f"{p}-name": "更正名"}, HTTP_HX_REQUEST="true")
    assert "已保存" in r.content.decode()
    t.refresh_from_db()
    assert (t.reason, t.name) == ("sick", "更正名")
    assert TestedCorrection.objects.filter(tested=t, field="name", new_value="更正名").count() == 1
    # plain form fallback: redirect back with a message
    r = c.post(url("row", env["code"], tested_id=t.pk), {f"{p}-attendance": "present"})
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.attendance == "present" and t.reason == ""


def test_xlsx_round_trip_and_rejected_rows(env):  # type: ignore[no-untyped-def]
    c, report = opened(env)
    r = c.get(url("template", env["code"]))
    assert "no-store" in r["Cache-Control"]  # the prefilled sheet names the sampled students
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["数据"]
    header = [cell.value for cell in ws[1]]
    assert header[:6] == ["序号", "学号", "姓名", "性别", "班级", "参加情况"]
    values = [[cell.value for cell in row] for row in ws.iter_rows(min_row=2)]
    assert [v[5] for v in values] == ["参加", "参加", "缺考", "参加", "参加"]  # prefilled from the seat plan
    # an absentee without reason, a bad attendance value → nothing imported, rejected rows kept
    ws.cell(row=3, column=6, value="请假")
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "tested.xlsx"
    r = c.post(url("upload", env["code"]), {"file": buf}, follow=True)
    page = r.content.decode()
    assert "第 3 行“参加情况”列" in page and "第 4 行“缺考原因”列" in page
    assert not TestedStudent.objects.filter(report=report).exclude(reason="").exists()
    up = TestedUpload.objects.get(report=report)
    assert {row[0] for row in up.rows} == {3, 4}
    # the rows name students: kept encrypted, the JSON never stored as such
    assert up.read().startswith(b"[[") and b"[" not in bytes(up.sealed)
    r = c.get(url("rejected", env["code"]))
    rej = load_workbook(io.BytesIO(r.content)).active
    assert rej.cell(row=1, column=1).value == "原行号" and rej.max_row == 3
    # a corrected file goes in whole
    ws.cell(row=3, column=6, value="部分缺考")
    ws.cell(row=3, column=7, value="学生艺术测试")
    ws.cell(row=3, column=8, value="病假")
    ws.cell(row=4, column=8, value="事假")
    ws.cell(row=5, column=12, value="@4班")
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "tested.xlsx"
    c.post(url("upload", env["code"]), {"file": buf})
    assert not TestedUpload.objects.filter(report=report).exists()
    t2 = TestedStudent.objects.get(report=report, row=2)
    assert (t2.attendance, t2.absent_sessions, t2.reason) == ("partial", ["s3-arts"], "sick")
    assert TestedStudent.objects.get(report=report, row=3).reason == "personal"
    # a formula-looking correction is stored as text, and exported safe
    assert TestedStudent.objects.get(report=report, row=4).class_name == "@4班"
    ws2 = load_workbook(io.BytesIO(c.get(url("template", env["code"])).content))["数据"]
    assert ws2.cell(row=5, column=12).value == "'@4班"


def test_submit_review_by_county_and_not_other_county(env):  # type: ignore[no-untyped-def]
    c, report = opened(env)
    t = TestedStudent.objects.get(report=report, row=3)
    c.post(url("row", env["code"], tested_id=t.pk), {f"r{t.pk}-attendance": "absent", f"r{t.pk}-reason": "sick"})
    c.post(url("submit", env["code"]))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    other = client_for(env["county_b"])
    assert other.post(url("review", env["code"]), {"decision": "approve"}).status_code == 404
    assert other.get(url("report", env["code"])).status_code == 404
    county = client_for(env["county"])
    assert "审核通过" in county.get(url("report", env["code"])).content.decode()
    county.post(url("review", env["code"]), {"decision": "approve", "comment": "好"})
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and report.locked
    page = county.get(reverse("aftertest:home")).content.decode()
    assert "county-rates" in page and "达标" in page


def test_row_save_swaps_counts_and_version_then_submit_with_it_is_accepted(env):  # type: ignore[no-untyped-def]
    c, report = opened(env)
    page = c.get(url("report", env["code"])).content.decode()
    drawn = TestedReport.objects.get(pk=report.pk).version
    # the page's save, its submit form: each posts the version the page was drawn from
    assert page_versions(page) == [drawn, drawn]
    assert '<b id="count-absent">1</b>' in page  # the seat plan's absentee, prefilled
    t = TestedStudent.objects.get(report=report, row=4)
    body = c.post(url("row", env["code"], tested_id=t.pk),
                  {f"r{t.pk}-attendance": "absent", f"r{t.pk}-reason": "sick"}, HTTP_HX_REQUEST="true").content.decode()
    assert body.startswith(f'<tr id="row-{t.pk}"')
    assert '<b id="count-absent">2</b>' in oob_part(body, "report-stats")  # not stale at 1
    fresh = oob_version(body)
    assert fresh == TestedReport.objects.get(pk=report.pk).version == drawn + 1
    three = TestedStudent.objects.get(report=report, row=3)  # the prefilled absentee still needs a reason
    c.post(url("row", env["code"], tested_id=three.pk),
           {f"r{three.pk}-attendance": "absent", f"r{three.pk}-reason": "sick"}, HTTP_HX_REQUEST="true")
    fresh = TestedReport.objects.get(pk=report.pk).version
    c.post(url("submit", env["code"]), {"version": fresh})
    assert TestedReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_submit_with_the_version_drawn_before_someone_else_saved_is_refused(env, world):  # type: ignore[no-untyped-def]
    c, report = opened(env)
    three = TestedStudent.objects.get(report=report, row=3)
    c.post(url("row", env["code"], tested_id=three.pk), {f"r{three.pk}-attendance": "absent", f"r{three.pk}-reason": "sick"})
    drawn = page_versions(c.get(url("report", env["code"])).content.decode())[0]
    colleague = client_for(make_user("a1_xz", Role.PRINCIPAL, world.school_a1))
    t = TestedStudent.objects.get(report=report, row=4)
    colleague.post(url("row", env["code"], tested_id=t.pk), {f"r{t.pk}-attendance": "absent", f"r{t.pk}-reason": "sick"},
                   HTTP_HX_REQUEST="true")
    r = c.post(url("submit", env["code"]), {"version": drawn}, follow=True)
    assert "页面已过期" in r.content.decode()
    assert TestedReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_a_file_missing_columns_names_them_and_links_the_template(env):  # type: ignore[no-untyped-def]
    c, report = opened(env)
    TestedUpload.objects.create(report=report, error_count=2,
                                **TestedUpload.keep(b"[]", filename="old.xlsx"))  # an older refused file's rows
    wb = load_workbook(io.BytesIO(c.get(url("template", env["code"])).content))
    ws = wb["数据"]
    ws.delete_cols(2, 2)  # no 学号, 姓名
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "tested.xlsx"
    r = c.post(url("upload", env["code"]), {"file": buf})
    page = r.content.decode()
    assert r.status_code == 400 and 'id="file-error"' in page and "文件缺少以下列：学号、姓名" in page
    assert f'href="{url("template", env["code"])}" data-template-link' in page
    assert 'id="rejected-link"' not in page  # the older file's rows are not this file's


def test_windows_in_pages(env):  # type: ignore[no-untyped-def]
    c = client_for(env["officer"])
    with clock.frozen(BEFORE_WINDOW):
        page = c.get(reverse("aftertest:school", args=[env["code"]])).content.decode()
        assert "尚未开放" in page and "开始上报" not in page
    with clock.frozen(AFTER_WINDOW):
        page = c.get(reverse("aftertest:school", args=[env["code"]])).content.decode()
        assert "截止" in page
        c.post(url("open", env["code"]))
        assert not TestedReport.objects.exists()
        county = client_for(env["county"])
        today = clock.today().isoformat()
        county.post(reverse("aftertest:supplementary"), {"school": env["code"], "start": today, "end": today,
                                                          "reason": "补报"})
        assert WindowReopen.objects.filter(unit__code=env["code"], kind="tested_students").count() == 1
        assert "开放中" in c.get(reverse("aftertest:school", args=[env["code"]])).content.decode()
        c.post(url("open", env["code"]))
        assert TestedReport.objects.count() == 1


def test_secrecy_and_scoping_of_pages(env, world):  # type: ignore[no-untyped-def]
    opened(env)
    with clock.frozen(BEFORE_RELEASE):
        c = client_for(env["officer"])
        assert c.get(url("report", env["code"])).status_code == 404
        assert "尚未发布" in c.get(reverse("aftertest:school", args=[env["code"]])).content.decode()
        page = client_for(env["county"]).get(reverse("aftertest:home")).content.decode()
        assert "参与率暂不可见" in page and "school-rates" not in page and "county-rates" not in page
    other_school = make_user("b1_xx", Role.SCHOOL_INFO_OFFICER, world.school_b1)
    assert client_for(other_school).get(url("report", env["code"])).status_code == 404
    page = client_for(env["county"]).get(reverse("aftertest:home")).content.decode()
    assert world.school_a1.name in page and world.school_b1.name not in page
    city_page = client_for(env["city"]).get(reverse("aftertest:home")).content.decode()
    assert world.school_b1.name in city_page and "city-rates" in city_page
