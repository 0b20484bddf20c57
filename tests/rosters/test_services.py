from __future__ import annotations

import io
from typing import Any

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from openpyxl import load_workbook

from jiance.audit.models import Action, AuditEntry
from jiance.crypto import blind_index
from jiance.cycles.models import Cycle
from jiance.rosters import services
from jiance.rosters.models import (
    Roster,
    RosterError,
    RosterEvent,
    RosterStatus,
    SampledStudent,
    Student,
    StudentDraw,
    Teacher,
    teacher_roles_for,
)
from jiance_core.errors import ValidationFailed
from jiance_core.idcard import CHECK_CHARS, WEIGHTS
from tests.factories import World
from tests.rosters.builders import People, students, xlsx
from tests.rosters.conftest import scope_of

pytestmark = pytest.mark.django_db


def open_roster(people: People, world: World, cycle: Cycle, school: Any = None, stage: str = "primary") -> Roster:
    school = school or world.school_a1
    user = people.officer_a1 if school == world.school_a1 else people.officer_b1
    return services.roster_open(scope=scope_of(user), cycle=cycle, school=school, stage=stage)


def a1_students(n: int = 40, classes: int = 2, seed: int = 1) -> pl.DataFrame:
    return students("3601210001", "360121", n, classes, seed=seed)


def do_import(people: People, roster: Roster, df: pl.DataFrame, user: Any = None) -> services.ImportOutcome:
    user = user or people.officer_a1
    return services.roster_import(scope=scope_of(user), roster=roster, content=xlsx(df), filename="名单.xlsx",
                                  actor=user)


def with_check_digit(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=False)) % 11
    return first17 + CHECK_CHARS[total]


def wrong_check_digit(nid: str) -> str:
    last = nid[-1]
    other = next(c for c in "0123456789X" if c != last)
    return nid[:-1] + other


def reasons(outcome: services.ImportOutcome) -> list[str]:
    return [str(e) for e in outcome.check.errors]


# --- opening --------------------------------------------------------------------------------------
def test_only_a_published_sample_school_opens_a_roster(world: World, cycle: Cycle, people: People) -> None:
    roster = open_roster(people, world, cycle)
    assert (roster.grade, roster.status) == (4, RosterStatus.DRAFT)
    with pytest.raises(RosterError, match="不是本周期已发布的样本校"):
        open_roster(people, world, cycle, stage="junior")


# --- validation -----------------------------------------------------------------------------------
def test_valid_file_imports_every_row_encrypted(world: World, cycle: Cycle, people: People) -> None:
    roster = open_roster(people, world, cycle)
    df = a1_students()
    outcome = do_import(people, roster, df)
    assert outcome.applied and outcome.check.errors == []
    assert Student.objects.filter(roster=roster).count() == df.height == 40
    got = {s.national_id for s in Student.objects.filter(roster=roster)}
    assert got == set(df["身份证号"].to_list())
    roster.refresh_from_db()
    assert roster.version == 2
    assert RosterEvent.objects.filter(roster=roster, action="import").count() == 1


def test_raw_column_holds_no_clear_id(world: World, cycle: Cycle, people: People) -> None:
    roster = open_roster(people, world, cycle)
    df = a1_students()
    do_import(people, roster, df)
    with connection.cursor() as cur:
        cur.execute("SELECT national_id, id_index FROM rosters_student")
        stored = cur.fetchall()
    ids = set(df["身份证号"].to_list())
    assert len(stored) == 40
    for token, index in stored:
        assert token not in ids and not any(i in token for i in ids)
        assert not any(i[-4:] in index for i in ids) or len(index) == 64
    assert {row[1] for row in stored} == {blind_index(i) for i in ids}


def test_wrong_check_digit_is_named_by_row_and_column(world: World, cycle: Cycle, people: People) -> None:
    roster = open_roster(people, world, cycle)
    df = a1_students()
    ids = df["身份证号"].to_list()
    ids[4] = wrong_check_digit(ids[4])
    outcome = do_import(people, roster, df.with_columns(pl.Series("身份证号", ids)))
    assert not outcome.applied
    assert any(e.row == 6 and e.column == "身份证号" and "校验位错误" in e.reason for e in outcome.check.errors)
    assert Student.objects.filter(roster=roster).count() == 0  # atomic: nothing written


def test_lowercase_x_is_accepted_and_stored_uppercase(world: World, cycle: Cycle, people: People) -> None:
    roster = open_roster(people, world, cycle)
    df = a1_students()
    ids = df["身份证号"].to_list()
    births = df["出生日期"].to_list()
    sexes = df["性别"].to_list()
    # find a 17-digit prefix (same birth date, same sex digit) whose check character is X
    base = ids[0][:14]
    for seq in range(1000):
        cand = with_check_digit(base + f"{seq:03d}")
        if cand.endswith("X") and (int(cand[16]) % 2 == 1) == (sexes[0] == "男") and cand not in ids:
            break
    ids[0] = cand.lower()
    outcome = do_import(people, roster, df.with_columns(pl.Series("身份证号", ids)))
    assert outcome.applied, reasons(outcome)
    stored = {s.national_id for s in Student.objects.filter(roster=roster)}
    assert cand in stored and births[0]


def test_birth_date_differing_from_the_id_and_implausible_for_grade(world: World, cycle: Cycle, people: People) -> None:
    roster = open_roster(people, world, cycle)
    df = a1_students()
    births = df["出生日期"].to_list()
    births[2] = "2012-13-40"  # not a date
    births[3] = "2011-01-01"  # differs from the ID
    outcome = do_import(people, roster, df.with_columns(pl.Series("出生日期", births)))
    errs = outcome.check.errors
    assert any(e.row == 4 and e.column == "出生日期" and "无效" in e.reason for e in errs)
    assert any(e.row == 5 and e.column == "出生日期" and "不符" in e.reason for e in errs)
    # an ID of a 3-year-old with matching birth date: implausible for grade 4
    ids = df["身份证号"].to_list()
    sex_digit = ids[7][16]
    young = with_check_digit(ids[7][:6] + "20190301" + ids[7][14:16] + sex_digit)
    ids[7] = young
    births = df["出生日期"].to_list()
    births[7] = "2019-03-01"
    outcome = do_import(people, roster, df.with_columns(pl.Series("身份证号", ids), pl.Series("出生日期", births)))
    assert any(e.row == 9 and e.column == "出生日期" for e in outcome.check.errors), reasons(outcome)
    assert not outcome.applied


def test_duplicates_inside_the_file(world: World, cycle: Cycle, people: People) -> None:
    roster = open_roster(people, world, cycle)
    df = a1_students()
    dup = pl.concat([df, df[3:4]])
    outcome = do_import(people, roster, dup)
    assert any(e.row == 42 and e.column == "身份证号" and "重复" in e.reason and "第 5 行" in e.reason
               for e in outcome.check.errors), reasons(outcome)


def test_duplicates_across_schools_by_blind_index(world: World, cycle: Cycle, people: People) -> None:
    roster_a = open_roster(people, world, cycle)
    df = a1_students()
    assert do_import(people, roster_a, df).applied
    roster_b = open_roster(people, world, cycle, school=world.school_b1)
    other = students("3601240001", "360124", 25, 1, seed=9)
    ids = other["身份证号"].to_list()
    # a student of school a1 reported again by school b1 (its birth date and sex too)
    other = other.with_columns(
        pl.Series("身份证号", [df["身份证号"][0], *ids[1:]]),
        pl.Series("出生日期", [df["出生日期"][0], *other["出生日期"].to_list()[1:]]),
        pl.Series("性别", [df["性别"][0], *other["性别"].to_list()[1:]]),
    )
    outcome = do_import(people, roster_b, other, user=people.officer_b1)
    errs = [e for e in outcome.check.errors if "其他样本学生名单" in e.reason]
    assert [(e.row, e.column) for e in errs] == [(2, "身份证号")]
    assert world.school_a1.name not in errs[0].reason  # the other school is not named
    # re-importing its own file is not a duplicate of itself
    assert do_import(people, roster_a, df).applied


def test_class_count_against_the_frame_record(world: World, cycle: Cycle, people: People) -> None:
    roster = open_roster(people, world, cycle)
    df = a1_students(n=40, classes=3)  # the frame says 2 classes
    outcome = do_import(people, roster, df)
    assert not outcome.applied
    assert any(e.row == 0 and e.column == "班级" and "3 个班级" in e.reason and "2" in e.reason
               for e in outcome.check.errors), reasons(outcome)


def test_rejected_rows_workbook_has_reasons_and_is_formula_safe(world: World, cycle: Cycle, people: People) -> None:
    roster = open_roster(people, world, cycle)
    df = a1_students()
    names = df["姓名"].to_list()
    names[1] = "+cmd|calc"
    ids = df["身份证号"].to_list()
    ids[1] = wrong_check_digit(ids[1])
    outcome = do_import(people, roster, df.with_columns(pl.Series("姓名", names), pl.Series("身份证号", ids)))
    assert not outcome.applied
    wb = load_workbook(io.BytesIO(services.rejected_rows(roster.rejected_uploads.get(kind="students"))))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "行号" and rows[0][-1] == "错误原因"
    assert [r[0] for r in rows[1:]] == [3]
    assert rows[1][1] == "'+cmd|calc" and "校验位错误" in rows[1][-1]


def test_import_replaces_atomically_and_refuses_when_locked(world: World, cycle: Cycle, people: People) -> None:
    roster = open_roster(people, world, cycle)
    assert do_import(people, roster, a1_students()).applied
    bad = a1_students(seed=2)
    ids = bad["身份证号"].to_list()
    ids[-1] = wrong_check_digit(ids[-1])
    assert not do_import(people, roster, bad.with_columns(pl.Series("身份证号", ids))).applied
    assert set(Student.objects.filter(roster=roster).values_list("name", flat=True)) == set(a1_students()["姓名"])
    submit_with_teacher(people, roster)
    with pytest.raises(RosterError, match="审核中"):
        do_import(people, roster, a1_students(seed=3))


def test_student_form_uses_the_same_rules(world: World, cycle: Cycle, people: People) -> None:
    roster = open_roster(people, world, cycle)
    row = a1_students().row(0, named=True)
    data = {"name": row["姓名"], "sex": row["性别"], "birth_date": row["出生日期"],
            "national_id": wrong_check_digit(row["身份证号"]), "class_name": row["班级"], "student_no": row["学号"]}
    scope = scope_of(people.officer_a1)
    with pytest.raises(ValidationFailed) as exc:
        services.student_save(scope=scope, roster=roster, data=data, actor=people.officer_a1)
    assert any("校验位错误" in e.reason for e in exc.value.errors)
    data["national_id"] = row["身份证号"].lower()
    s = services.student_save(scope=scope, roster=roster, data=data, actor=people.officer_a1)
    assert s.national_id == row["身份证号"].upper()
    with pytest.raises(ValidationFailed, match="其他样本学生名单"):
        services.student_save(scope=scope, roster=roster, data={**data, "student_no": "999"}, actor=people.officer_a1)


# --- teachers -----------------------------------------------------------------------------------
def test_teacher_roles_follow_the_cycle(world: World, cycle: Cycle) -> None:
    assert teacher_roles_for(cycle) == ["head_teacher", "chinese", "music", "art", "english"]
    chongqing = Cycle(config={"questionnaires": [{"respondents": ["teacher"]}, {"respondents": ["manager"]}]})
    assert "leader" in teacher_roles_for(chongqing) and "other" in teacher_roles_for(chongqing)


def test_teacher_with_several_roles_must_choose_one(world: World, cycle: Cycle, people: People) -> None:
    roster = open_roster(people, world, cycle)
    scope = scope_of(people.officer_a1)
    with pytest.raises(ValidationFailed, match="没有角色"):
        services.teacher_save(scope=scope, roster=roster, data={"name": "王老师", "roles": []}, actor=people.officer_a1)
    with pytest.raises(ValidationFailed, match="须选择填答问卷时的角色"):
        services.teacher_save(scope=scope, roster=roster, data={"name": "王老师", "roles": ["chinese", "head_teacher"]},
                              actor=people.officer_a1)
    with pytest.raises(ValidationFailed, match="不上报"):
        services.teacher_save(scope=scope, roster=roster, data={"name": "王老师", "roles": ["math"]},
                              actor=people.officer_a1)
    t = services.teacher_save(
        scope=scope, roster=roster, actor=people.officer_a1,
        data={"name": "王老师", "sex": "女", "roles": ["chinese", "head_teacher"], "questionnaire_role": "head_teacher"},
    )
    assert Teacher.objects.get(pk=t.pk).questionnaire_role == "head_teacher"


def test_teacher_changes_leave_history_and_audit_like_students(world: World, cycle: Cycle, people: People) -> None:
    roster = open_roster(people, world, cycle)
    scope = scope_of(people.officer_a1)
    t = services.teacher_save(scope=scope, roster=roster, actor=people.officer_a1,
                              data={"name": "王老师", "sex": "女", "roles": ["chinese"]})
    services.teacher_save(scope=scope, roster=roster, actor=people.officer_a1, teacher=t,
                          data={"name": "王老师", "sex": "女", "roles": ["music"]})
    services.teacher_delete(scope=scope, roster=roster, teacher=t, actor=people.officer_a1)
    assert not Teacher.objects.filter(pk=t.pk).exists()
    # the roster's history shows each change of its teachers, as it does for its students
    assert list(RosterEvent.objects.filter(roster=roster, action="edit").order_by("pk")
                .values_list("comment", "actor")) == [
        ("新增教师：王老师", people.officer_a1.pk), ("修改教师：王老师", people.officer_a1.pk),
        ("删除教师：王老师", people.officer_a1.pk)]
    deleted = AuditEntry.objects.filter(action=Action.DELETE, detail="教师名单删除：王老师").get()
    assert deleted.before == {"name": "王老师", "roles": ["music"]}
    # each change bumped the version: a page built before the deletion is stale
    assert Roster.objects.get(pk=roster.pk).version == roster.version + 3
    # a teacher of another roster is refused with the teacher's own message
    other = services.teacher_save(scope=scope_of(people.officer_b1),
                                  roster=open_roster(people, world, cycle, school=world.school_b1),
                                  actor=people.officer_b1, data={"name": "李老师", "roles": ["chinese"]})
    with pytest.raises(RosterError, match="该教师不在本名单中"):
        services.teacher_delete(scope=scope, roster=roster, teacher=other, actor=people.officer_a1)


# --- the chain ----------------------------------------------------------------------------------
def submit_with_teacher(people: People, roster: Roster) -> Roster:
    scope = scope_of(people.officer_a1)
    if not Teacher.objects.filter(roster=roster).exists():
        services.teacher_save(scope=scope, roster=roster, actor=people.officer_a1,
                              data={"name": "李老师", "sex": "男", "roles": ["chinese"]})
    return services.roster_submit(scope=scope, roster=roster, actor=people.officer_a1)


def test_chain_with_returns_history_and_lock(world: World, cycle: Cycle, people: People) -> None:
    roster = open_roster(people, world, cycle)
    with pytest.raises(RosterError, match="还没有学生"):
        services.roster_submit(scope=scope_of(people.officer_a1), roster=roster, actor=people.officer_a1)
    do_import(people, roster, a1_students())
    roster = submit_with_teacher(people, roster)
    assert roster.status == RosterStatus.SUBMITTED
    # the county cannot act for the principal, the officer cannot approve
    with pytest.raises(PermissionDenied):
        services.roster_approve(scope=scope_of(people.county_a), roster=roster, actor=people.county_a)
    with pytest.raises(PermissionDenied):
        services.roster_approve(scope=scope_of(people.officer_a1), roster=roster, actor=people.officer_a1)
    # principal returns, with a reason
    with pytest.raises(RosterError, match="退回原因"):
        services.roster_return(scope=scope_of(people.principal_a1), roster=roster, actor=people.principal_a1, comment=" ")
    roster = services.roster_return(scope=scope_of(people.principal_a1), roster=roster, actor=people.principal_a1,
                                    comment="四年级2班漏报两人")
    assert (roster.status, roster.comment) == (RosterStatus.RETURNED, "四年级2班漏报两人")
    roster = submit_with_teacher(people, roster)
    roster = services.roster_approve(scope=scope_of(people.principal_a1), roster=roster, actor=people.principal_a1)
    assert roster.status == RosterStatus.SCHOOL_APPROVED
    # the county of another branch sees nothing (404), this county returns
    from django.http import Http404

    with pytest.raises(Http404):
        services.roster_approve(scope=scope_of(people.county_b), roster=roster, actor=people.county_b)
    roster = services.roster_return(scope=scope_of(people.county_a), roster=roster, actor=people.county_a, comment="学号有误")
    roster = submit_with_teacher(people, roster)
    roster = services.roster_approve(scope=scope_of(people.principal_a1), roster=roster, actor=people.principal_a1)
    roster = services.roster_approve(scope=scope_of(people.county_a), roster=roster, actor=people.county_a)
    assert roster.status == RosterStatus.COUNTY_APPROVED
    roster = services.roster_return(scope=scope_of(people.city), roster=roster, actor=people.city, comment="性别有误")
    roster = submit_with_teacher(people, roster)
    for who in (people.principal_a1, people.county_a, people.city):
        roster = services.roster_approve(scope=scope_of(who), roster=roster, actor=who)
    assert roster.status == RosterStatus.APPROVED and roster.locked
    history = list(RosterEvent.objects.filter(roster=roster).values_list("action", "to_status"))
    assert [a for a, _ in history].count("return") == 3
    assert history[-1] == ("city", RosterStatus.APPROVED)
    with pytest.raises(RosterError, match="锁定"):
        do_import(people, roster, a1_students())
    with pytest.raises(RosterError):
        services.roster_return(scope=scope_of(people.city), roster=roster, actor=people.city, comment="再改")
    assert AuditEntry.objects.filter(action=Action.APPROVE, object_id=str(roster.pk)).count() == 6


def test_a_stale_roster_loses_the_race(world: World, cycle: Cycle, people: People) -> None:
    roster = open_roster(people, world, cycle)
    do_import(people, roster, a1_students())
    stale = Roster.objects.get(pk=roster.pk)
    submit_with_teacher(people, roster)
    with pytest.raises(RosterError):
        services.roster_submit(scope=scope_of(people.officer_a1), roster=stale, actor=people.officer_a1)


# --- the student draw ---------------------------------------------------------------------------
def approve_all(world: World, cycle: Cycle, people: People) -> None:
    specs = [
        (world.school_a1, "primary", students("3601210001", "360121", 40, 2, seed=1), people.officer_a1),
        (world.school_a2, "junior", students("3601210002", "360121", 45, 2, grade=8, seed=2), people.officer_a2),
        (world.school_b1, "primary", students("3601240001", "360124", 25, 1, seed=3), people.officer_b1),
    ]
    from tests.factories import make_user

    officer_b2 = make_user("b2_xx", "school_info", world.school_b2)
    principal = {s.pk: make_user(f"{s.code}-p", "principal", s) for s, *_ in specs}
    principal[world.school_b2.pk] = make_user("b2-p", "principal", world.school_b2)
    specs.append((world.school_b2, "primary", students("3601240002", "360124", 35, 2, seed=4), officer_b2))
    for school, stage, df, officer in specs:
        scope = scope_of(officer)
        roster = services.roster_open(scope=scope, cycle=cycle, school=school, stage=stage)
        out = services.roster_import(scope=scope, roster=roster, content=xlsx(df), filename="x.xlsx", actor=officer)
        assert out.applied, [str(e) for e in out.check.errors]
        services.teacher_save(scope=scope, roster=roster, actor=officer, data={"name": "李老师", "roles": ["chinese"]})
        roster = services.roster_submit(scope=scope, roster=roster, actor=officer)
        county = people.county_a if school.parent == world.county_a else people.county_b
        for who in (principal[school.pk], county, people.city):
            roster = services.roster_approve(scope=scope_of(who), roster=roster, actor=who)


def test_draw_refused_until_every_roster_is_approved(world: World, cycle: Cycle, people: People) -> None:
    open_roster(people, world, cycle)
    with pytest.raises(RosterError, match="尚未经市级审核通过"):
        services.students_draw(cycle=cycle, actor=people.city, seed=1)
    with pytest.raises(PermissionDenied):
        services.students_draw(cycle=cycle, actor=people.county_a, seed=1)


def test_draw_sizes_probabilities_weights_and_reproducibility(world: World, cycle: Cycle, people: People) -> None:
    approve_all(world, cycle, people)
    draw = services.students_draw(cycle=cycle, actor=people.city, seed=2022)
    by_school = {}
    for s in SampledStudent.objects.filter(draw=draw).select_related("school"):
        by_school.setdefault(s.school.code, []).append(s)
    # 30 of 40, 30 of 45, all 25, 30 of 35
    assert {k: len(v) for k, v in by_school.items()} == {
        "3601210001": 30, "3601210002": 30, "3601240001": 25, "3601240002": 30,
    }
    a1 = by_school["3601210001"][0]
    assert a1.selection_probability == pytest.approx(30 / 40)
    assert a1.within_school_weight == pytest.approx(40 / 30)
    assert a1.final_weight == pytest.approx(2.0 * 40 / 30)
    assert by_school["3601240001"][0].selection_probability == 1.0
    first = sorted(SampledStudent.objects.filter(draw=draw).values_list("student_id", flat=True))
    # the same seed again (after removing the draw) picks the same students; another seed differs
    SampledStudent.objects.all().delete()
    StudentDraw.objects.all().delete()
    again = services.students_draw(cycle=cycle, actor=people.city, seed=2022)
    assert sorted(SampledStudent.objects.filter(draw=again).values_list("student_id", flat=True)) == first
    SampledStudent.objects.all().delete()
    StudentDraw.objects.all().delete()
    services.students_draw(cycle=cycle, actor=people.city, seed=7)
    assert sorted(SampledStudent.objects.values_list("student_id", flat=True)) != first
    with pytest.raises(RosterError, match="不能重复抽取"):
        services.students_draw(cycle=cycle, actor=people.city, seed=8)
    assert AuditEntry.objects.filter(object_type="rosters.studentdraw").count() == 3


def test_planned_students_raised_by_the_shortfall_plan(world: World, people: People) -> None:
    from tests.rosters.builders import approve_frames, make_cycle, publish_draw

    cycle = make_cycle(code="raised")
    approve_frames(cycle, world)
    publish_draw(cycle, world, [("3601210001", "primary", 36)])
    scope = scope_of(people.officer_a1)
    roster = services.roster_open(scope=scope, cycle=cycle, school=world.school_a1, stage="primary")
    services.roster_import(scope=scope, roster=roster, content=xlsx(a1_students()), filename="x.xlsx",
                           actor=people.officer_a1)
    Roster.objects.filter(pk=roster.pk).update(status=RosterStatus.APPROVED, locked=True)
    draw = services.students_draw(cycle=cycle, actor=people.city, seed=1)
    assert draw.students == 36
    assert SampledStudent.objects.filter(draw=draw).first().selection_probability == pytest.approx(36 / 40)


def test_a_rejected_file_is_kept_encrypted(world: World, cycle: Cycle, people: People) -> None:
    roster = open_roster(people, world, cycle)
    df = a1_students()
    dup = pl.concat([df, df[0:1]])
    assert not do_import(people, roster, dup).applied
    with connection.cursor() as cur:
        cur.execute("SELECT sealed, errors_json FROM rosters_rosterupload")
        (sealed, errors), = cur.fetchall()
    ids = df["身份证号"].to_list()
    assert not any(i in errors or i.encode() in bytes(sealed) for i in ids)
    kept = roster.rejected_uploads.get(kind="students")
    assert all("重复" in e[2] for e in kept.errors) and kept.error_count == 2
    # the file back as uploaded (an XLSX: a zip); what is stored is no zip
    assert kept.read()[:4] == b"PK\x03\x04" and kept.size == len(kept.read()) and bytes(sealed)[:2] != b"PK"


def test_acting_on_a_stale_page_is_refused_with_a_reason(world: World, cycle: Cycle, people: People) -> None:
    roster = open_roster(people, world, cycle)
    do_import(people, roster, a1_students())
    roster = submit_with_teacher(people, roster)
    stale = Roster.objects.get(pk=roster.pk)  # the principal's page, loaded before the return
    services.roster_return(scope=scope_of(people.principal_a1), roster=roster, actor=people.principal_a1,
                           comment="漏报两人")
    with pytest.raises(RosterError, match="刚由“待校长审核”变为“已退回”"):
        services.roster_approve(scope=scope_of(people.principal_a1), roster=stale, actor=people.principal_a1)
    assert Roster.objects.get(pk=roster.pk).status == RosterStatus.RETURNED


def test_a_teacher_with_an_unknown_employment_type_is_refused(world: World, cycle: Cycle, people: People) -> None:
    roster = open_roster(people, world, cycle)
    with pytest.raises(ValidationFailed, match="任职类型无效"):
        services.teacher_save(scope=scope_of(people.officer_a1), roster=roster, actor=people.officer_a1,
                              data={"name": "王老师", "sex": "女", "roles": ["chinese"], "employment": "temp"})
    assert not Teacher.objects.filter(roster=roster).exists()



def test_submitting_every_sampled_roster_completes_the_schools_task(world: World, cycle: Cycle, people: People) -> None:
    from jiance.cycles.models import Milestone, MilestoneCompletion

    task = Milestone.objects.create(cycle=cycle, level="school", number=2, phase="before", task="完成测试年级师生信息的上报。",
                                    done_when="roster_submitted")
    roster = open_roster(people, world, cycle)
    do_import(people, roster, a1_students())
    assert not MilestoneCompletion.objects.exists()  # importing is not submitting
    submit_with_teacher(people, roster)
    done = MilestoneCompletion.objects.get(milestone=task)
    assert done.unit == world.school_a1 and done.done_by == people.officer_a1


def test_a_returned_roster_reopens_the_schools_task(world: World, cycle: Cycle, people: People) -> None:
    """The evidence of "师生信息上报" is the submitted roster: returned, the task is open again, and
    submitting again completes it again (the review engine withdraws and reports the event)."""
    from jiance.cycles.models import Milestone, MilestoneCompletion, MilestoneEvidence

    task = Milestone.objects.create(cycle=cycle, level="school", number=2, phase="before", task="完成测试年级师生信息的上报。",
                                    done_when="roster_submitted")
    roster = open_roster(people, world, cycle)
    do_import(people, roster, a1_students())
    roster = submit_with_teacher(people, roster)
    assert MilestoneCompletion.objects.filter(milestone=task, unit=world.school_a1).exists()
    # approved by the principal: still submitted, still done
    roster = services.roster_approve(scope=scope_of(people.principal_a1), roster=roster, actor=people.principal_a1)
    assert MilestoneCompletion.objects.filter(milestone=task, unit=world.school_a1).exists()
    services.roster_return(scope=scope_of(people.county_a), roster=roster, actor=people.county_a,
                           comment="漏报两人")
    assert not MilestoneCompletion.objects.filter(milestone=task).exists()
    assert not MilestoneEvidence.objects.filter(milestone=task).exists()
    submit_with_teacher(people, Roster.objects.get(pk=roster.pk))
    assert MilestoneCompletion.objects.filter(milestone=task, unit=world.school_a1).exists()
