from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jiance.audit.models import AuditEntry
from jiance.reporting import services
from jiance.reporting.models import (
    FrameRecord,
    FrameReviewEvent,
    FrameStatus,
    FrameSubmission,
    FrameUpload,
)
from jiance.reporting.selectors import EXPORT_COLUMNS
from jiance.units.models import Unit
from tests.factories import client_for
from tests.htmx_oob import oob_part, oob_version, page_versions
from tests.reporting.conftest import good_rows_a, scope_of, xlsx

pytestmark = pytest.mark.django_db



def county_url(world: Any, name: str = "county", **kw: Any) -> str:
    return reverse(f"reporting:{name}", kwargs={"code": world.county_a.code, **kw})


def upload(c: Client, world: Any, rows: list[list[Any]]) -> Any:
    f = SimpleUploadedFile("frame.xlsx", xlsx(rows))
    return c.post(county_url(world, "upload"), {"file": f}, follow=True)


def approve_all(people, world, cycle) -> FrameSubmission:
    services.frame_import(scope=scope_of(people.county_a), cycle=cycle, county=world.county_a,
                          content=xlsx(good_rows_a()), actor=people.county_a)
    sub = FrameSubmission.objects.get(county=world.county_a)
    sub = services.frame_submit(scope=scope_of(people.county_a), submission=sub, actor=people.county_a)
    return services.frame_approve(scope=scope_of(people.city), submission=sub, actor=people.city)


def test_home_redirects_by_role(people, world, cycle) -> None:
    assert client_for(people.county_a).get(reverse("reporting:home")).url == county_url(world)
    assert client_for(people.city).get(reverse("reporting:home")).url == reverse("reporting:overview")


def test_county_page_lists_every_school(people, world, cycle) -> None:
    r = client_for(people.county_a).get(county_url(world))
    body = r.content.decode()
    assert r.status_code == 200
    assert "南昌县莲塘第一小学" in body and "南昌县莲塘第二中学" in body
    assert "进贤县" not in body
    assert "未开始" in body and "下载填报模板" in body


def test_scoping_foreign_county_is_404(people, world, cycle) -> None:
    c = client_for(people.county_b)
    assert c.get(county_url(world)).status_code == 404
    assert c.get(county_url(world, "template")).status_code == 404
    assert c.post(county_url(world, "submit")).status_code == 404
    assert client_for(people.other_city).get(county_url(world)).status_code == 404
    # A school of another county is not reachable through this county's URLs.
    edit = reverse("reporting:school_edit", kwargs={"code": world.county_a.code,
                                                    "school_code": world.school_b1.code})
    assert client_for(people.county_a).get(edit).status_code == 404


def test_foreign_upload_is_404(people, world, cycle) -> None:
    c = client_for(people.county_a)
    upload(c, world, good_rows_a())
    stored = FrameUpload.objects.get()
    other = client_for(people.county_b)
    for name in ("upload_detail", "upload_rejected"):
        assert other.get(reverse(f"reporting:{name}", args=[stored.pk])).status_code == 404
    assert other.post(reverse("reporting:upload_confirm", args=[stored.pk])).status_code == 404
    assert FrameRecord.objects.count() == 0


def test_city_cannot_edit_rows(people, world, cycle) -> None:
    edit = reverse("reporting:school_edit", kwargs={"code": world.county_a.code,
                                                    "school_code": world.school_a1.code})
    assert client_for(people.city).get(edit).status_code == 403


def test_template_download(people, world, cycle) -> None:
    r = client_for(people.county_a).get(county_url(world, "template"))
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert [row[0] for row in wb["数据"].iter_rows(min_row=2, values_only=True)] == ["3601210001", "3601210002"]


def test_bad_upload_shows_every_problem_and_writes_nothing(people, world, cycle) -> None:
    rows = good_rows_a()
    rows[0][6] = "很多"
    rows[1][0] = world.school_b1.code
    r = upload(client_for(people.county_a), world, rows)
    body = r.content.decode()
    assert "发现 2 个问题" in body
    assert "第 2 行" in body and "4年级学生数" in body and "学生数不是非负整数" in body
    assert "第 3 行" in body and "学校不属于本县" in body
    assert "下载有问题的行" in body
    assert FrameRecord.objects.count() == 0
    stored = FrameUpload.objects.get()
    rejected = client_for(people.county_a).get(reverse("reporting:upload_rejected", args=[stored.pk]))
    ws = load_workbook(io.BytesIO(rejected.content)).active
    assert [row[0] for row in ws.iter_rows(min_row=2, values_only=True)] == [2, 3]


def test_a_file_without_rows_links_the_template_not_a_rejected_download(people, world, cycle) -> None:
    c = client_for(people.county_a)
    body = upload(c, world, []).content.decode()  # the headers only
    assert "文件没有数据" in body and 'id="file-error"' in body
    assert county_url(world, "template") in body
    assert "下载有问题的行" not in body and "可下载有问题的行" not in body
    stored = FrameUpload.objects.get()
    assert c.get(reverse("reporting:upload_rejected", args=[stored.pk])).status_code == 404


def test_a_file_missing_columns_names_them_and_points_to_the_template(people, world, cycle) -> None:
    c = client_for(people.county_a)
    f = SimpleUploadedFile("frame.xlsx", xlsx([r[:2] for r in good_rows_a()], headers=["学校代码", "学校名称"]))
    body = c.post(county_url(world, "upload"), {"file": f}, follow=True).content.decode()
    assert "缺少列：学校类型、办学性质、城乡区域、隶属关系" in body and "下载填报模板" in body
    assert "按模板的列填写" in body and not FrameUpload.objects.exists()


def test_good_upload_preview_then_confirm(people, world, cycle) -> None:
    c = client_for(people.county_a)
    r = upload(c, world, good_rows_a())
    body = r.content.decode()
    assert "检查通过" in body and "确认导入" in body
    assert FrameRecord.objects.count() == 0  # the preview writes nothing
    stored = FrameUpload.objects.get()
    r = c.post(reverse("reporting:upload_confirm", args=[stored.pk]), follow=True)
    assert "导入成功：新增 2 所" in r.content.decode()
    assert FrameRecord.objects.count() == 2


def test_inline_edit_with_htmx(people, world, cycle) -> None:
    c = client_for(people.county_a)
    url = reverse("reporting:school_edit", kwargs={"code": world.county_a.code,
                                                   "school_code": world.school_a1.code})
    form = c.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert form.lstrip().startswith("<tr") and "<html" not in form and 'value="镇区"' in form
    data = {"school_type": "小学", "nature": "公办", "area": "镇区", "affiliation": "县属",
            "primary_students": "61", "primary_classes": "1", "junior_students": "", "junior_classes": ""}
    bad = c.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert "平均每班超过 60 人" in bad and FrameRecord.objects.count() == 0
    ok = c.post(url, {**data, "primary_classes": "2"}, HTTP_HX_REQUEST="true").content.decode()
    assert ok.lstrip().startswith("<tr") and "<td class=\"num-cell\">61</td>" in ok
    assert FrameRecord.objects.get().primary_classes == 2
    # Without htmx the same form works as a page with a redirect.
    r = c.post(url, {**data, "primary_students": "70", "primary_classes": "2"})
    assert r.status_code == 302 and FrameRecord.objects.get().primary_students == 70


ROW = {"school_type": "小学", "nature": "公办", "area": "镇区", "affiliation": "县属",
       "primary_students": "50", "primary_classes": "2", "junior_students": "", "junior_classes": ""}


def test_row_save_swaps_counts_and_version_then_submit_with_it_is_accepted(people, world, cycle) -> None:
    services.frame_import(scope=scope_of(people.county_a), cycle=cycle, county=world.county_a,
                          content=xlsx(good_rows_a()[:1]), actor=people.county_a)
    c = client_for(people.county_a)
    page = c.get(county_url(world)).content.decode()
    drawn = FrameSubmission.objects.get().version
    assert page_versions(page) == [drawn]  # the submit form posts the version the page was drawn from
    assert '<b id="reported-count">1</b>' in page
    url = county_url(world, "school_edit", school_code=world.school_a2.code)
    body = c.post(url, ROW, HTTP_HX_REQUEST="true").content.decode()
    assert body.lstrip().startswith("<tr")
    assert '<b id="reported-count">2</b>' in oob_part(body, "frame-stats")  # not stale at 1
    fresh = oob_version(body)
    assert fresh == FrameSubmission.objects.get().version == drawn + 1
    r = c.post(county_url(world, "submit"), {"comment": "", "version": fresh}, follow=True)
    assert FrameSubmission.objects.get().status == FrameStatus.SUBMITTED, r.content.decode()


def test_submit_with_the_version_drawn_before_someone_else_saved_is_refused(people, world, cycle) -> None:
    services.frame_import(scope=scope_of(people.county_a), cycle=cycle, county=world.county_a,
                          content=xlsx(good_rows_a()[:1]), actor=people.county_a)
    c = client_for(people.county_a)
    drawn = page_versions(c.get(county_url(world)).content.decode())[0]
    other = client_for(people.county_a_admin)  # a colleague saves a row meanwhile
    url = county_url(world, "school_edit", school_code=world.school_a2.code)
    assert other.post(url, ROW, HTTP_HX_REQUEST="true").status_code == 200
    r = c.post(county_url(world, "submit"), {"comment": "", "version": drawn}, follow=True)
    assert "页面已过期" in r.content.decode()
    assert FrameSubmission.objects.get().status == FrameStatus.DRAFT


def test_submit_and_review_through_views(people, world, cycle) -> None:
    county = client_for(people.county_a)
    services.frame_import(scope=scope_of(people.county_a), cycle=cycle, county=world.county_a,
                          content=xlsx(good_rows_a()), actor=people.county_a)
    county.post(county_url(world, "submit"), {"comment": ""})
    assert FrameSubmission.objects.get().status == FrameStatus.SUBMITTED
    city = client_for(people.city)
    page = city.get(county_url(world)).content.decode()
    assert "审核通过" in page and "退回修改" in page
    r = city.post(county_url(world, "review"), {"action": "return", "comment": ""}, follow=True)
    assert "必须填写原因" in r.content.decode()
    assert FrameSubmission.objects.get().status == FrameStatus.SUBMITTED
    city.post(county_url(world, "review"), {"action": "return", "comment": "班级数有误"})
    assert FrameSubmission.objects.get().status == FrameStatus.RETURNED
    assert "班级数有误" in county.get(county_url(world)).content.decode()
    # A county cannot review.
    assert county.post(county_url(world, "review"), {"action": "approve"}).status_code == 403
    # Illegal transition through the view: a message in Chinese, nothing changes.
    r = city.post(county_url(world, "review"), {"action": "approve"}, follow=True)
    assert "当前状态为“已退回”，不能审核通过" in r.content.decode()
    assert FrameReviewEvent.objects.filter(action="approve").count() == 0


def test_overview_counts_and_scope(people, world, cycle) -> None:
    approve_all(people, world, cycle)
    r = client_for(people.city).get(reverse("reporting:overview"))
    rows = {row.county.code: row for row in r.context["rows"]}
    assert set(rows) == {world.county_a.code, world.county_b.code}
    a, b = rows[world.county_a.code], rows[world.county_b.code]
    assert (a.status_label, a.reported, a.schools, a.primary_students, a.junior_students) == ("已通过", 2, 2, 180, 420)
    assert (b.status_label, b.reported, b.schools) == ("未开始", 0, 2)
    other = client_for(people.other_city).get(reverse("reporting:overview"))
    assert [row.county.name for row in other.context["rows"]] == ["浮梁县"]
    assert client_for(people.county_a).get(reverse("reporting:overview")).status_code == 403


def test_export_csv_matches_offline_tool_and_only_approved(people, world, cycle) -> None:
    approve_all(people, world, cycle)
    # County B has data, but it is not approved: not exported.
    services.frame_import(scope=scope_of(people.county_b), cycle=cycle, county=world.county_b, content=xlsx([
        ["3601240001", "", "小学", "公办", "乡村", "县属", 30, 1, "", "", ""],
    ]), actor=people.county_b)
    Unit.objects.filter(pk=world.school_a1.pk).update(name="=cmd|' /C calc'!A0")
    r = client_for(people.city).get(reverse("reporting:export", args=["csv"]))
    assert "no-store" in r["Cache-Control"] and r["Content-Disposition"].startswith("attachment")
    text = r.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert [row["school_id"] for row in rows] == ["3601210001", "3601210002"]
    assert rows[0]["county"] == world.county_a.code and rows[0]["primary_students"] == "180"
    assert rows[0]["school_name"].startswith("'=")  # formula injection neutralised
    assert AuditEntry.objects.filter(action="export").count() == 1
    other = client_for(people.other_city).get(reverse("reporting:export", args=["csv"]))
    assert len(list(csv.DictReader(io.StringIO(other.content.decode("utf-8-sig"))))) == 0


def test_export_xlsx(people, world, cycle) -> None:
    approve_all(people, world, cycle)
    r = client_for(people.city_info).get(reverse("reporting:export", args=["xlsx"]))
    values = list(load_workbook(io.BytesIO(r.content)).active.values)
    assert list(values[0]) == list(EXPORT_COLUMNS)
    assert len(values) == 3
    assert client_for(people.county_a).get(reverse("reporting:export", args=["xlsx"])).status_code == 403


def test_status_stays_not_started_until_a_school_is_reported(people, world, cycle) -> None:
    c = client_for(people.county_a)
    rows = good_rows_a()
    rows[0][6] = "x"
    upload(c, world, rows)  # a rejected file opens the submission but reports nothing
    assert FrameSubmission.objects.filter(county=world.county_a).exists()
    overview = client_for(people.city).get(reverse("reporting:overview")).context["rows"]
    assert [r.status_label for r in overview] == ["未开始", "未开始"]
    assert 'id="frame-status">未开始' in c.get(county_url(world)).content.decode()


def test_unlock_through_views(people, world, cycle) -> None:
    approve_all(people, world, cycle)
    county = client_for(people.county_a)
    r = upload(county, world, good_rows_a())
    assert "锁定" in r.content.decode() and FrameUpload.objects.count() == 0
    edit = reverse("reporting:school_edit", kwargs={"code": world.county_a.code,
                                                    "school_code": world.school_a1.code})
    assert "锁定" in county.get(edit, follow=True).content.decode()
    city = client_for(people.city)
    r = city.post(county_url(world, "review"), {"action": "unlock", "comment": ""}, follow=True)
    assert "必须填写原因" in r.content.decode()
    assert FrameSubmission.objects.get().locked
    city.post(county_url(world, "review"), {"action": "unlock", "comment": "补报一所新设学校"})
    sub = FrameSubmission.objects.get()
    assert (sub.status, sub.locked, sub.comment) == (FrameStatus.DRAFT, False, "补报一所新设学校")
    assert county.get(edit).status_code == 200
    assert "市级已解锁" in county.get(county_url(world)).content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_is_read_by_the_offline_sampling_tool(people, world, cycle, fmt: str, tmp_path) -> None:
    from jiance_core.sampling.frame import read_frame

    approve_all(people, world, cycle)
    r = client_for(people.city).get(reverse("reporting:export", args=[fmt]))
    path = tmp_path / f"frame.{fmt}"
    path.write_bytes(r.content)
    frame = read_frame(path)
    assert frame.height == 2
    assert sorted(frame["school_id"].to_list()) == ["3601210001", "3601210002"]
