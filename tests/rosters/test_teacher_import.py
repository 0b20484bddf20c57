"""The teacher roster by XLSX: template, whole-file checks with row/column/reason, atomic replace."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jiance.audit.models import Action, AuditEntry
from jiance.cycles.models import Cycle
from jiance.rosters import services
from jiance.rosters.models import (
    Roster,
    RosterError,
    RosterStatus,
    Teacher,
    TeacherRole,
    teacher_roles_for,
)
from tests.factories import World, client_for
from tests.rosters.builders import TEACHER_HEADERS, TEACHERS, People, teacher_xlsx
from tests.rosters.conftest import scope_of

pytestmark = pytest.mark.django_db

HEADERS = TEACHER_HEADERS
GOOD = TEACHERS


@pytest.fixture
def roster(world: World, cycle: Cycle, people: People) -> Roster:
    return services.roster_open(scope=scope_of(people.officer_a1), cycle=cycle, school=world.school_a1, stage="primary")


def do_import(people: People, roster: Roster, rows: list[list[Any]], user: Any = None) -> services.TeacherImportOutcome:
    user = user or people.officer_a1
    return services.teacher_import(scope=scope_of(user), roster=roster, content=teacher_xlsx(rows),
                                   filename="教师.xlsx", actor=user)


def existing_teacher(roster: Roster) -> Teacher:
    from jiance import clock

    return Teacher.objects.create(roster=roster, name="旧教师", sex="男", roles=["chinese"],
                                  questionnaire_role="chinese", updated_at=clock.now())


def triples(outcome: services.TeacherImportOutcome) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in outcome.errors}


def test_template_has_dropdowns_and_the_cycles_rules(roster: Roster) -> None:
    from jiance.rosters.spreadsheet import teacher_template

    wb = load_workbook(io.BytesIO(teacher_template(roster)))
    assert [c.value for c in wb["数据"][1]] == HEADERS
    labels = dict(TeacherRole.choices)
    allowed = [str(labels[r]) for r in teacher_roles_for(roster.cycle)]
    options = wb["选项"]
    assert [options.cell(row=i, column=2).value for i in (2, 3)] == ["男", "女"]
    assert [options.cell(row=i, column=5).value for i in range(2, len(allowed) + 2)] == allowed
    assert str(labels["math"]) not in allowed  # the 2022 cycle has no maths questionnaire
    refs = {str(dv.sqref).split(":")[0] for dv in wb["数据"].data_validations.dataValidation}
    assert refs == {"B2", "E2", "F2"}
    assert [options.cell(row=i, column=6).value for i in range(2, 6)] == ["在编在岗", "代课", "返聘", "其他聘用"]
    text = "\n".join(str(c.value) for c in wb["填表说明"]["A"] if c.value)
    assert "、".join(allowed) in text
    assert "身兼多职教师须选择一个问卷角色" in text
    assert "九年一贯制学校只填报抽中学段（小学）的教师" in text
    assert "所有在岗教师" not in text  # only cycles that ask every teacher say so


def test_a_cycle_asking_every_teacher_says_so_in_the_template(roster: Roster) -> None:
    from jiance.rosters.spreadsheet import teacher_template

    config = dict(roster.cycle.config)
    config["questionnaires"] = [*config.get("questionnaires", []), {"code": "teacher", "respondents": ["teacher"]}]
    Cycle.objects.filter(pk=roster.cycle_id).update(config=config)
    roster.refresh_from_db()
    roster.cycle.refresh_from_db()
    wb = load_workbook(io.BytesIO(teacher_template(roster)))
    text = "\n".join(str(c.value) for c in wb["填表说明"]["A"] if c.value)
    assert "所有在岗教师（含代课、返聘教师），以及校长和中层及以上管理干部" in text


def test_employment_type_is_read_and_defaults_to_regular(roster: Roster, people: People) -> None:
    rows = [[*GOOD[0], "代课"], [*GOOD[1], "返聘"], [*GOOD[2], ""]]
    assert do_import(people, roster, rows).applied
    got = dict(Teacher.objects.filter(roster=roster).values_list("name", "employment"))
    assert got == {"王老师": "substitute", "李老师": "rehired", "张老师": "regular"}


def test_a_file_without_the_employment_column_is_still_read(roster: Roster, people: People) -> None:
    content = teacher_xlsx(GOOD, HEADERS[:5])
    out = services.teacher_import(scope=scope_of(people.officer_a1), roster=roster, content=content,
                                  filename="旧模板.xlsx", actor=people.officer_a1)
    assert out.applied and set(Teacher.objects.values_list("employment", flat=True)) == {"regular"}


def test_a_file_reads_the_same_from_an_english_page(roster: Roster, people: People) -> None:
    from django.utils import translation

    with translation.override("en"):
        out = do_import(people, roster, [[*GOOD[0], "返聘"]])
    assert out.applied, out.errors
    teacher = Teacher.objects.get(roster=roster)
    assert teacher.roles == ["head_teacher", "chinese"] and teacher.employment == "rehired"


def test_good_file_replaces_the_teachers(roster: Roster, people: People) -> None:
    existing_teacher(roster)
    version = roster.version
    out = do_import(people, roster, GOOD)
    assert out.applied and out.created == 3 and not out.errors
    got = {t.name: t for t in Teacher.objects.filter(roster=roster)}
    assert set(got) == {"王老师", "李老师", "张老师"}
    assert got["王老师"].roles == ["head_teacher", "chinese"]
    assert got["王老师"].questionnaire_role == "head_teacher"
    assert got["李老师"].questionnaire_role == "english"  # a single role is the questionnaire role
    assert got["张老师"].class_name == "4年级1班、4年级2班"
    roster.refresh_from_db()
    assert roster.version == version + 1
    entry = AuditEntry.objects.filter(action=Action.IMPORT, result="ok").latest("pk")
    assert "3 名教师" in entry.detail


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (["", "女", "4年级1班", "班主任", ""], "姓名", "姓名为空"),
        (["赵老师", "", "4年级1班", "班主任", ""], "性别", "性别为空"),
        (["赵老师", "M", "4年级1班", "班主任", ""], "性别", "性别“M”无效"),
        (["赵老师", "女", "4年级1班", "", ""], "角色", "角色为空"),
        (["赵老师", "女", "4年级1班", "体育老师", ""], "角色", "未知的角色“体育老师”"),
        (["赵老师", "女", "4年级1班", "数学教师", ""], "角色", "本周期不上报“数学教师”"),
        (["赵老师", "女", "4年级1班", "班主任、语文教师", ""], "问卷角色", "身兼多职教师须选择一个问卷角色"),
        (["赵老师", "女", "4年级1班", "班主任、语文教师", "英语教师"], "问卷角色", "不是该教师的角色之一"),
        (["赵老师", "女", "4年级1班", "班主任", "校长"], "问卷角色", "未知的问卷角色"),
        (["王老师", "女", "4年级1班", "美术教师", ""], "姓名", "与第 2 行重复"),
        (["赵老师", "女", "4年级1班", "班主任", "", "临时工"], "任职类型", "任职类型“临时工”无效"),
    ],
)
def test_each_error_names_row_column_and_reason(
    roster: Roster, people: People, row: list[str], column: str, reason: str,
) -> None:
    out = do_import(people, roster, [*GOOD, row])
    assert not out.applied
    bad_row = len(GOOD) + 2  # header is row 1
    assert [(e.row, e.column) for e in out.errors] == [(bad_row, column)]
    assert reason in out.errors[0].reason


def test_one_bad_row_changes_nothing(roster: Roster, people: People) -> None:
    old = existing_teacher(roster)
    version = roster.version
    rows = [*GOOD[:1], ["孙老师", "x", "4年级2班", "英语教师", ""], *GOOD[1:]]
    out = do_import(people, roster, rows)
    assert not out.applied and triples(out) == {(3, "性别")}
    assert list(Teacher.objects.filter(roster=roster).values_list("pk", flat=True)) == [old.pk]
    roster.refresh_from_db()
    assert roster.version == version
    assert AuditEntry.objects.filter(action=Action.IMPORT, result="rejected").exists()


def test_every_row_is_checked_before_writing(roster: Roster, people: People) -> None:
    rows = [["", "女", "", "班主任", ""], *GOOD, ["钱老师", "女", "", "数学教师", ""]]
    out = do_import(people, roster, rows)
    assert triples(out) == {(2, "姓名"), (6, "角色")}
    assert not Teacher.objects.filter(roster=roster).exists()


def test_missing_column_is_a_file_error(roster: Roster, people: People) -> None:
    out = services.teacher_import(
        scope=scope_of(people.officer_a1), roster=roster, content=teacher_xlsx(GOOD, [*HEADERS[:3], "x", "y"]),
        filename="t.xlsx", actor=people.officer_a1,
    )
    assert not out.applied and out.errors[0].row == 0 and "角色" in out.errors[0].reason


def test_locked_or_submitted_roster_is_refused(roster: Roster, people: People) -> None:
    existing_teacher(roster)
    Roster.objects.filter(pk=roster.pk).update(status=RosterStatus.APPROVED, locked=True)
    with pytest.raises(RosterError, match="锁定"):
        do_import(people, roster, GOOD)
    Roster.objects.filter(pk=roster.pk).update(status=RosterStatus.SUBMITTED, locked=False)
    with pytest.raises(RosterError, match="审核中"):
        do_import(people, roster, GOOD)
    assert list(Teacher.objects.filter(roster=roster).values_list("name", flat=True)) == ["旧教师"]


def test_officer_of_another_school_is_refused(roster: Roster, people: People) -> None:
    with pytest.raises(Http404):
        do_import(people, roster, GOOD, user=people.officer_b1)
    assert not Teacher.objects.filter(roster=roster).exists()


# --- views ---------------------------------------------------------------------------------------

def post_file(client: Client, roster: Roster, rows: list[list[Any]], **headers: Any) -> Any:
    f = SimpleUploadedFile("教师名单.xlsx", teacher_xlsx(rows), content_type="application/octet-stream")
    return client.post(reverse("rosters:teacher_upload", kwargs={"roster_id": roster.pk}), {"file": f}, **headers)


def test_roster_page_links_template_and_upload(roster: Roster, people: People) -> None:
    client = client_for(people.officer_a1)
    body = client.get(reverse("rosters:roster", kwargs={"roster_id": roster.pk})).content.decode()
    assert reverse("rosters:teacher_template", kwargs={"roster_id": roster.pk}) in body
    assert reverse("rosters:teacher_upload", kwargs={"roster_id": roster.pk}) in body
    response = client.get(reverse("rosters:teacher_template", kwargs={"roster_id": roster.pk}))
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content))["数据"]["D1"].value == "角色"


def test_upload_view_shows_errors_then_imports(roster: Roster, people: People) -> None:
    client = client_for(people.officer_a1)
    bad = [*GOOD, ["赵老师", "女", "", "数学教师", ""]]
    response = post_file(client, roster, bad)
    body = response.content.decode()
    assert response.status_code == 200 and 'id="teacher-import-errors"' in body
    assert "第 5 行" in body and "本周期不上报“数学教师”" in body
    partial = post_file(client, roster, bad, HTTP_HX_REQUEST="true").content.decode()
    assert partial.strip().startswith('<div id="teacher-upload-result">') and "第 5 行" in partial
    assert not Teacher.objects.filter(roster=roster).exists()
    response = post_file(client, roster, GOOD)
    assert response.status_code == 302
    assert Teacher.objects.filter(roster=roster).count() == 3
    page = client.get(response["Location"]).content.decode()
    assert "已导入 3 名教师" in page and "王老师" in page


def test_upload_view_missing_columns_links_the_template(roster: Roster, people: People) -> None:
    client = client_for(people.officer_a1)
    f = SimpleUploadedFile("教师名单.xlsx", teacher_xlsx(GOOD, [*HEADERS[:3], "x", "y"]))
    body = client.post(reverse("rosters:teacher_upload", kwargs={"roster_id": roster.pk}), {"file": f},
                       HTTP_HX_REQUEST="true").content.decode()
    assert 'id="teacher-file-error"' in body and "文件缺少以下列：角色" in body
    assert reverse("rosters:teacher_template", kwargs={"roster_id": roster.pk}) in body
    assert reverse("rosters:teacher_rejected", kwargs={"roster_id": roster.pk}) not in body
    # a file with bad rows is kept, and its link returns it
    body = post_file(client, roster, [*GOOD, ["赵老师", "女", "", "数学教师", ""]], HTTP_HX_REQUEST="true").content.decode()
    link = reverse("rosters:teacher_rejected", kwargs={"roster_id": roster.pk})
    assert f'href="{link}"' in body and 'id="teacher-file-error"' not in body
    got = client.get(link)
    assert got.status_code == 200 and [r[0] for r in rejected_sheet(got.content)[1:]] == [5]


def test_user_of_another_school_gets_404(roster: Roster, people: People) -> None:
    client = client_for(people.officer_b1)
    assert post_file(client, roster, GOOD).status_code == 404
    url = reverse("rosters:teacher_template", kwargs={"roster_id": roster.pk})
    assert client.get(url).status_code == 404
    assert not Teacher.objects.filter(roster=roster).exists()


# --- rejected rows ---------------------------------------------------------------------------------
def rejected_sheet(content: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_a_rejected_file_keeps_only_the_bad_rows_with_reasons(roster: Roster, people: People) -> None:
    rows = [*GOOD[:1], ["+cmd|calc", "x", "4年级2班", "英语教师", ""], *GOOD[1:],
            ["钱老师", "女", "", "数学教师", ""]]
    out = do_import(people, roster, rows)
    assert not out.applied
    kept = roster.rejected_uploads.get(kind="teachers")
    assert kept.error_count == len(out.errors) == 2 and kept.filename == "教师.xlsx"
    sheet = rejected_sheet(services.rejected_rows(kept))
    assert sheet[0] == ("行号", *HEADERS, "错误原因")
    assert [r[0] for r in sheet[1:]] == [3, 6]
    assert sheet[1][1] == "'+cmd|calc"  # formula-safe
    assert sheet[1][-1].startswith("性别：") and "无效" in sheet[1][-1]
    assert sheet[2][1:6] == ("钱老师", "女", None, "数学教师", None) and "不上报“数学教师”" in sheet[2][-1]


def test_an_unreadable_file_is_refused_and_not_kept(roster: Roster, people: People) -> None:
    # issue 8: a file that cannot be read is refused with one Chinese sentence and nothing is
    # saved (it used to be kept for a rejected-rows download holding only that sentence)
    out = services.teacher_import(
        scope=scope_of(people.officer_a1), roster=roster, content=b"not a workbook", filename="t.xlsx",
        actor=people.officer_a1,
    )
    assert not out.applied and out.rows == 0
    assert [(e.row, e.column) for e in out.errors] == [(0, "")] and "无法读取文件" in out.errors[0].reason
    assert not roster.rejected_uploads.filter(kind="teachers").exists()


def test_a_successful_import_drops_the_teacher_rejects_only(roster: Roster, people: People) -> None:
    from jiance.rosters.models import RosterUpload

    do_import(people, roster, [["", "女", "", "班主任", ""]])
    RosterUpload.objects.create(roster=roster, kind="students", errors_json="[]", **RosterUpload.keep(b"", filename="s.xlsx"))
    assert roster.rejected_uploads.count() == 2
    assert do_import(people, roster, GOOD).applied
    assert list(roster.rejected_uploads.values_list("kind", flat=True)) == ["students"]


def test_rejected_download_view_is_for_the_school_and_audited(roster: Roster, people: People) -> None:
    url = reverse("rosters:teacher_rejected", kwargs={"roster_id": roster.pk})
    client = client_for(people.officer_a1)
    assert client.get(url).status_code == 404  # nothing rejected yet
    body = post_file(client, roster, [*GOOD, ["赵老师", "女", "", "数学教师", ""]]).content.decode()
    assert url in body
    assert url in client.get(reverse("rosters:roster", kwargs={"roster_id": roster.pk})).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and quote("教师名单未通过的行") in response["Content-Disposition"]
    assert [r[0] for r in rejected_sheet(response.content)[1:]] == [5]
    assert AuditEntry.objects.filter(action=Action.EXPORT, actor=people.officer_a1).exists()
    assert client_for(people.officer_b1).get(url).status_code == 404


def test_the_core_teacher_vocabulary_is_the_models() -> None:
    # `jiance check-roster --teachers` works without Django: its vocabulary must stay the models'
    from jiance.rosters.models import Employment, TeacherRole, chinese_labels
    from jiance_core.teachers import DEFAULT_VOCABULARY

    assert dict(DEFAULT_VOCABULARY.roles) == chinese_labels(TeacherRole)
    assert list(DEFAULT_VOCABULARY.allowed) == list(TeacherRole.values)
    assert dict(DEFAULT_VOCABULARY.employment) == chinese_labels(Employment)
