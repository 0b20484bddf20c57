from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jiance.audit.models import Action, AuditEntry
from jiance.cycles.models import Cycle
from jiance.rosters import services
from jiance.rosters.models import Roster, RosterStatus, Student
from jiance_core.commands import check_roster as check_roster_command
from tests.factories import World, client_for
from tests.htmx_oob import page_versions
from tests.rosters.builders import TEST_DAY, People, students, xlsx
from tests.rosters.conftest import scope_of
from tests.rosters.test_services import submit_with_teacher, wrong_check_digit

pytestmark = pytest.mark.django_db



@pytest.fixture
def roster(world: World, cycle: Cycle, people: People) -> Roster:
    return services.roster_open(scope=scope_of(people.officer_a1), cycle=cycle, school=world.school_a1, stage="primary")


def bad_file() -> pl.DataFrame:
    df = students("3601210001", "360121", 40, 2)
    ids = df["身份证号"].to_list()
    ids[0] = wrong_check_digit(ids[0])
    births = df["出生日期"].to_list()
    births[5] = "2013/02/30"
    return df.with_columns(pl.Series("身份证号", ids), pl.Series("出生日期", births))


def upload(client: Client, roster: Roster, df: pl.DataFrame, **headers: Any) -> Any:
    f = SimpleUploadedFile("学生名单.xlsx", xlsx(df), content_type="application/octet-stream")
    return client.post(reverse("rosters:upload", kwargs={"roster_id": roster.pk}), {"file": f}, **headers)


def test_school_page_opens_and_redirects_to_the_roster(world: World, cycle: Cycle, people: People) -> None:
    client = client_for(people.officer_a1)
    response = client.get(reverse("rosters:home"))
    assert response.status_code == 302 and response["Location"].endswith(f"/school/{world.school_a1.code}/")
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    # a school outside the person's units: 404
    assert client.get(reverse("rosters:school", kwargs={"code": world.school_b1.code})).status_code == 404


def test_upload_bad_then_good_file(roster: Roster, people: People) -> None:
    client = client_for(people.officer_a1)
    response = upload(client, roster, bad_file())
    body = response.content.decode()
    assert "未导入任何数据" in body and "第 2 行" in body and "校验位错误" in body and "第 7 行" in body
    assert Student.objects.filter(roster=roster).count() == 0
    rejected = client.get(reverse("rosters:rejected", kwargs={"roster_id": roster.pk}))
    rows = list(load_workbook(io.BytesIO(rejected.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [2, 7]
    response = upload(client, roster, students("3601210001", "360121", 40, 2))
    assert response.status_code == 302
    assert Student.objects.filter(roster=roster).count() == 40
    assert client.get(reverse("rosters:rejected", kwargs={"roster_id": roster.pk})).status_code == 404


def test_upload_through_htmx_returns_the_partial(roster: Roster, people: People) -> None:
    client = client_for(people.officer_a1)
    response = upload(client, roster, bad_file(), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="upload-result">') and "<html" not in body


def test_a_file_missing_columns_names_them_and_links_the_template_not_a_rejected_download(
    roster: Roster, people: People
) -> None:
    client = client_for(people.officer_a1)
    upload(client, roster, bad_file())  # an earlier refused file with rows: kept
    roster_url = reverse("rosters:rejected", kwargs={"roster_id": roster.pk})
    assert client.get(roster_url).status_code == 200
    no_ids = students("3601210001", "360121", 5, 1).drop("身份证号", "姓名")
    body = upload(client, roster, no_ids, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="file-error"' in body and "文件缺少以下列：姓名、身份证号" in body
    assert reverse("rosters:template", kwargs={"roster_id": roster.pk}) in body
    assert 'id="rejected-link"' not in body and roster_url not in body  # the older file's rows are not this file's
    assert Student.objects.filter(roster=roster).count() == 0


def test_a_kept_rejected_file_is_offered_and_its_link_returns_it(roster: Roster, people: People) -> None:
    client = client_for(people.officer_a1)
    body = upload(client, roster, bad_file(), HTTP_HX_REQUEST="true").content.decode()
    link = reverse("rosters:rejected", kwargs={"roster_id": roster.pk})
    assert 'id="rejected-link"' in body and f'href="{link}"' in body and 'id="file-error"' not in body
    got = client.get(link)
    assert got.status_code == 200 and got["Content-Disposition"].startswith("attachment")
    rows = list(load_workbook(io.BytesIO(got.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [2, 7]


def test_submit_posts_the_version_the_page_was_drawn_from(roster: Roster, people: People) -> None:
    client = client_for(people.officer_a1)
    upload(client, roster, students("3601210001", "360121", 40, 2))
    services.teacher_save(scope=scope_of(people.officer_a1), roster=roster, actor=people.officer_a1,
                          data={"name": "李老师", "sex": "男", "roles": ["chinese"]})
    page = client.get(reverse("rosters:roster", kwargs={"roster_id": roster.pk})).content.decode()
    drawn = Roster.objects.get(pk=roster.pk).version
    assert page_versions(page) == [drawn]  # the submit form carries it
    # someone else changes the roster meanwhile: the page's submit is refused, nothing moves
    services.teacher_save(scope=scope_of(people.officer_a1), roster=Roster.objects.get(pk=roster.pk),
                          actor=people.principal_a1, data={"name": "王老师", "sex": "女", "roles": ["chinese"]})
    submit = reverse("rosters:submit", kwargs={"roster_id": roster.pk})
    r = client.post(submit, {"comment": "", "version": drawn}, follow=True)
    assert "页面已过期" in r.content.decode() and Roster.objects.get(pk=roster.pk).status == RosterStatus.DRAFT
    fresh = page_versions(r.content.decode())[0]
    client.post(submit, {"comment": "", "version": fresh})
    assert Roster.objects.get(pk=roster.pk).status == RosterStatus.SUBMITTED


def test_web_import_gives_the_offline_tool_errors(
    roster: Roster, people: People, tmp_path: Path, capsys: Any
) -> None:
    df = bad_file()
    names = df["姓名"].to_list()
    names[9] = None
    df = df.with_columns(pl.Series("姓名", names))
    path = tmp_path / "students.xlsx"
    path.write_bytes(xlsx(df))
    code = check_roster_command.main([str(path), "--grade", "4", "--test-date", TEST_DAY.isoformat()])
    assert code == 1
    printed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("第 ")]
    outcome = services.roster_import(scope=scope_of(people.officer_a1), roster=roster, content=path.read_bytes(),
                                     filename="students.xlsx", actor=people.officer_a1)
    assert [str(e) for e in outcome.check.errors] == printed
    assert len(printed) == 3


def test_officer_and_principal_see_full_ids_only_on_request_and_audited(
    roster: Roster, people: People, world: World
) -> None:
    df = students("3601210001", "360121", 40, 2)
    services.roster_import(scope=scope_of(people.officer_a1), roster=roster, content=xlsx(df), filename="x.xlsx",
                           actor=people.officer_a1)
    full_id = df["身份证号"][0]
    url = reverse("rosters:roster", kwargs={"roster_id": roster.pk})
    for user in (people.officer_a1, people.principal_a1):
        client = client_for(user)
        body = client.get(url).content.decode()
        assert full_id not in body and "*" + full_id[-4:] in body
        before = AuditEntry.objects.filter(action=Action.VIEW_PERSONAL).count()
        body = client.get(url + "?full=1").content.decode()
        assert full_id in body
        entry = AuditEntry.objects.filter(action=Action.VIEW_PERSONAL).order_by("-pk").first()
        assert AuditEntry.objects.filter(action=Action.VIEW_PERSONAL).count() == before + 1
        assert entry.actor == user and entry.object_id == str(roster.pk)
    # county and city: masked even when asking, no audit of personal data
    for user in (people.county_a, people.city):
        before = AuditEntry.objects.filter(action=Action.VIEW_PERSONAL).count()
        body = client_for(user).get(url + "?full=1").content.decode()
        assert full_id not in body and full_id[-4:] in body
        assert AuditEntry.objects.filter(action=Action.VIEW_PERSONAL).count() == before


def test_full_ids_hidden_once_the_school_is_done(roster: Roster, people: People) -> None:
    df = students("3601210001", "360121", 40, 2)
    services.roster_import(scope=scope_of(people.officer_a1), roster=roster, content=xlsx(df), filename="x.xlsx",
                           actor=people.officer_a1)
    roster = submit_with_teacher(people, roster)
    services.roster_approve(scope=scope_of(people.principal_a1), roster=roster, actor=people.principal_a1)
    body = client_for(people.officer_a1).get(
        reverse("rosters:roster", kwargs={"roster_id": roster.pk}) + "?full=1").content.decode()
    assert df["身份证号"][0] not in body


def test_export_masked_by_default_full_audited(roster: Roster, people: People) -> None:
    df = students("3601210001", "360121", 40, 2)
    services.roster_import(scope=scope_of(people.officer_a1), roster=roster, content=xlsx(df), filename="x.xlsx",
                           actor=people.officer_a1)
    client = client_for(people.officer_a1)
    url = reverse("rosters:export", kwargs={"roster_id": roster.pk})
    rows = list(load_workbook(io.BytesIO(client.get(url).content)).active.iter_rows(values_only=True))
    assert len(rows) == 41 and all(r[5].count("*") >= 10 for r in rows[1:])
    full = client.get(url + "?full=1")
    assert "no-store" in full["Cache-Control"]  # full ID numbers never stay in a cache
    rows = list(load_workbook(io.BytesIO(full.content)).active.iter_rows(values_only=True))
    assert {r[5] for r in rows[1:]} == set(df["身份证号"].to_list())
    entry = AuditEntry.objects.filter(action=Action.EXPORT).order_by("-pk").first()
    assert "完整身份证号" in entry.detail and entry.actor == people.officer_a1


def test_review_buttons_follow_the_step(roster: Roster, people: People) -> None:
    df = students("3601210001", "360121", 40, 2)
    services.roster_import(scope=scope_of(people.officer_a1), roster=roster, content=xlsx(df), filename="x.xlsx",
                           actor=people.officer_a1)
    submit_with_teacher(people, roster)
    url = reverse("rosters:roster", kwargs={"roster_id": roster.pk})
    assert "approve-roster" in client_for(people.principal_a1).get(url).content.decode()
    assert "approve-roster" not in client_for(people.county_a).get(url).content.decode()
    # the county posting early changes nothing
    response = client_for(people.county_a).post(reverse("rosters:approve", kwargs={"roster_id": roster.pk}))
    assert response.status_code == 403
    client = client_for(people.principal_a1)
    client.post(reverse("rosters:return", kwargs={"roster_id": roster.pk}), {"comment": "请核对班级"})
    roster.refresh_from_db()
    assert roster.status == RosterStatus.RETURNED and roster.comment == "请核对班级"


def test_teacher_form_requires_a_questionnaire_role(roster: Roster, people: People) -> None:
    client = client_for(people.officer_a1)
    url = reverse("rosters:teacher_add", kwargs={"roster_id": roster.pk})
    response = client.post(url, {"name": "张老师", "sex": "女", "roles": ["chinese", "head_teacher"]})
    assert response.status_code == 400 and "身兼多职" in response.content.decode()
    response = client.post(url, {"name": "张老师", "sex": "女", "roles": ["chinese", "head_teacher"],
                                 "questionnaire_role": "chinese"})
    assert response.status_code == 302
    assert roster.teachers.get().questionnaire_role == "chinese"


def test_draw_page_for_the_city_only(world: World, cycle: Cycle, people: People) -> None:
    assert client_for(people.county_a).get(reverse("rosters:draw")).status_code == 403
    response = client_for(people.city).post(reverse("rosters:draw"), {"seed": "5"}, follow=True)
    assert "尚未经市级审核通过" in response.content.decode()


def test_overview_lists_every_sample_school_of_the_county(world: World, cycle: Cycle, people: People) -> None:
    services.roster_open(scope=scope_of(people.officer_a1), cycle=cycle, school=world.school_a1, stage="primary")
    body = client_for(people.county_a).get(reverse("rosters:overview")).content.decode()
    assert world.school_a1.name in body and world.school_a2.name in body  # a2 not started yet
    assert world.school_b1.name not in body  # another county
    assert body.count("未开始") >= 2
    city = client_for(people.city).get(reverse("rosters:overview")).content.decode()
    assert all(s.name in city for s in (world.school_a1, world.school_a2, world.school_b1, world.school_b2))


def test_teacher_form_records_the_employment_type(roster: Roster, people: People) -> None:
    client = client_for(people.officer_a1)
    url = reverse("rosters:teacher_add", kwargs={"roster_id": roster.pk})
    response = client.post(url, {"name": "刘老师", "sex": "男", "roles": ["english"], "employment": "substitute"})
    assert response.status_code == 302
    assert roster.teachers.get().employment == "substitute"
    page = client.get(reverse("rosters:roster", kwargs={"roster_id": roster.pk})).content.decode()
    assert "<td>代课</td>" in page
    response = client.post(url, {"name": "孙老师", "sex": "男", "roles": ["english"], "employment": "temp"})
    assert response.status_code == 400 and roster.teachers.count() == 1
