"""Writes of the sample schools' rosters: entry, XLSX import, the review chain and the student draw.

Like `jiance.reporting.services`: every service runs under `transaction.atomic`, locks the roster
row (`select_for_update`), checks its status and writes with a conditional UPDATE on (status,
version); the loser of a race gets a RosterError in Chinese. Every write is audit-logged.

Validation is `jiance_core.roster.check_roster` (the same rules as the offline `jiance check-roster`)
plus what only the web app knows: the class count of the school's frame record and the national
ID numbers already reported by other schools of the cycle (by blind index).
"""

from __future__ import annotations

import base64
import json
import secrets
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.bulk import insert_rows
from jiance.crypto import blind_index
from jiance.cycles.models import Cycle
from jiance.cycles.services import milestones_observed
from jiance.rosters import selectors
from jiance.rosters.models import (
    EDITABLE_STATUSES,
    Employment,
    Roster,
    RosterAction,
    RosterError,
    RosterEvent,
    RosterStatus,
    RosterUpload,
    SampledStudent,
    Student,
    StudentDraw,
    Teacher,
    UploadKind,
    chinese_labels,
    teacher_roles_for,
)
from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool
from jiance.stages import stage_name
from jiance.units.models import Unit
from jiance_core.errors import RowError, ValidationFailed
from jiance_core.rooms.students import sample_students
from jiance_core.roster import LABELS, check_roster, read_roster_raw

STUDENT_FIELDS = ("name", "sex", "birth_date", "national_id", "class_name", "student_no")
AUDIT_ACTIONS: dict[str, str] = {
    RosterAction.SUBMIT: Action.SUBMIT,
    RosterAction.PRINCIPAL_APPROVE: Action.APPROVE,
    RosterAction.COUNTY_APPROVE: Action.APPROVE,
    RosterAction.CITY_APPROVE: Action.APPROVE,
    RosterAction.RETURN: Action.RETURN,
}
# Who acts on a roster in each status (and may return it).
STEP_ROLES: dict[str, tuple[str, ...]] = {
    RosterStatus.SUBMITTED: selectors.PRINCIPAL_ROLES,
    RosterStatus.SCHOOL_APPROVED: selectors.COUNTY_ROLES,
    RosterStatus.COUNTY_APPROVED: selectors.CITY_ROLES,
}
ACTION_ROLES: dict[str, tuple[str, ...]] = {
    RosterAction.SUBMIT: selectors.SCHOOL_ROLES,
    RosterAction.PRINCIPAL_APPROVE: selectors.PRINCIPAL_ROLES,
    RosterAction.COUNTY_APPROVE: selectors.COUNTY_ROLES,
    RosterAction.CITY_APPROVE: selectors.CITY_ROLES,
}


# --- helpers ------------------------------------------------------------------------------------
def _locked(pk: int) -> Roster:
    return Roster.objects.select_for_update().select_related("school", "cycle").get(pk=pk)


def _bump(roster: Roster, **fields: Any) -> None:
    now = clock.now()
    updated = Roster.objects.filter(pk=roster.pk, version=roster.version, status=roster.status).update(
        version=roster.version + 1, updated_at=now, **fields
    )
    if updated != 1:
        raise RosterError(_("数据已被他人修改，请刷新页面后重试"))
    for k, v in fields.items():
        setattr(roster, k, v)
    roster.version += 1
    roster.updated_at = now


def _require_entry(scope: Scope, roster: Roster) -> None:
    scope.require(selectors.SCHOOL_ROLES, roster.school)


def test_date_of(cycle: Cycle) -> date:
    days = cycle.test_days
    return days[0] if days else clock.today()


# --- opening --------------------------------------------------------------------------------------
@transaction.atomic
def roster_open(*, scope: Scope, cycle: Cycle, school: Unit, stage: str) -> Roster:
    """The school's roster for a stage, created on first use; only for a sample school of a
    published draw."""
    scope.require(selectors.VIEW_ROLES, school)
    existing = Roster.objects.filter(cycle=cycle, school=school, stage=stage).first()
    if existing is not None:
        return existing
    if stage not in selectors.sampled_stages(scope=scope, cycle=cycle, school=school):
        raise RosterError(_("本校不是本周期已发布的样本校（该学段），无需上报名单。"))
    now = clock.now()
    try:
        with transaction.atomic():
            return Roster.objects.create(
                cycle=cycle, school=school, stage=stage, grade=selectors.grade_for(cycle, stage),
                created_at=now, updated_at=now,
            )
    except IntegrityError:
        return Roster.objects.get(cycle=cycle, school=school, stage=stage)


def rosters_open_for_school(*, scope: Scope, cycle: Cycle, school: Unit) -> list[Roster]:
    for stage in selectors.sampled_stages(scope=scope, cycle=cycle, school=school):
        roster_open(scope=scope, cycle=cycle, school=school, stage=stage)
    return selectors.school_rosters(scope=scope, cycle=cycle, school=school)


# --- checking -------------------------------------------------------------------------------------
@dataclass
class CheckOutcome:
    rows: int
    errors: list[RowError]
    students: pl.DataFrame = field(default_factory=pl.DataFrame)
    indexes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _raw_from_bytes(content: bytes, filename: str) -> pl.DataFrame:
    suffix = Path(filename or "roster.xlsx").suffix.lower() or ".xlsx"
    with tempfile.NamedTemporaryFile(suffix=suffix) as fh:
        fh.write(content)
        fh.flush()
        return read_roster_raw(fh.name)


def check_students(
    *, roster: Roster, raw: pl.DataFrame, exclude_student: int | None = None, replace_all: bool = True,
) -> CheckOutcome:
    """Every problem of these rows for this roster: the offline rules, then the class count of
    the school's frame record and national ID numbers reported by other schools of the cycle."""
    result = check_roster(raw, grade=roster.grade, test_date=test_date_of(roster.cycle))
    errors = list(result.errors)
    students = result.students
    if students.height == 0 or "national_id" not in students.columns:
        return CheckOutcome(result.rows, errors)
    id_label = result.headers.get("national_id", LABELS["national_id"])
    ids = students["national_id"].to_list()
    indexes = [blind_index(v) if v else "" for v in ids]
    # across schools (and, for a single-row edit, across the roster's other students)
    others = Student.objects.filter(cycle=roster.cycle)
    if replace_all:
        others = others.exclude(roster=roster)
    if exclude_student is not None:
        others = others.exclude(pk=exclude_student)
    wanted = [i for i in indexes if i]
    taken: set[str] = set()
    for start in range(0, len(wanted), 5000):
        taken |= set(others.filter(id_index__in=wanted[start:start + 5000]).values_list("id_index", flat=True))
    if taken:
        for row, idx in zip(students["_row"].to_list(), indexes, strict=True):
            if idx in taken:
                errors.append(RowError(int(row), id_label, _("身份证号已在本周期其他样本学生名单中报送，同一学生不能重复上报")))
    # class count against the frame record (whole-file imports only)
    if replace_all and "class" in students.columns:
        record = selectors.frame_record_for(cycle=roster.cycle, school=roster.school)
        expected = getattr(record, f"{roster.stage}_classes", 0) if record else 0
        classes = students["class"].drop_nulls().n_unique()
        if record is not None and expected and classes != expected:
            errors.append(RowError(
                0, result.headers.get("class", LABELS["class"]),
                _("名单中有 %(n)s 个班级，与本校属地学校信息中%(grade)s年级的班级数 %(m)s 不一致，请核实")
                % {"n": classes, "grade": roster.grade, "m": expected},
            ))
    errors.sort()
    return CheckOutcome(result.rows, errors, students, indexes)


# --- import ---------------------------------------------------------------------------------------
@dataclass
class ImportOutcome:
    check: CheckOutcome
    applied: bool
    created: int = 0


@transaction.atomic
def roster_import(*, scope: Scope, roster: Roster, content: bytes, filename: str, actor: Any) -> ImportOutcome:
    """Replace the roster's students with a checked file: all rows or none. A rejected file is
    kept for the rejected-rows download."""
    _require_entry(scope, roster)
    roster = _locked(roster.pk)
    roster.check_editable()
    try:
        raw = _raw_from_bytes(content, filename)
    except ValidationFailed as exc:
        check = CheckOutcome(0, exc.errors)
    else:
        check = check_students(roster=roster, raw=raw)
    now = clock.now()
    if not check.ok:
        _keep_rejected(roster=roster, kind=UploadKind.STUDENTS, filename=filename, content=content,
                       errors=check.errors)
        audit_record(
            action=Action.IMPORT, obj=roster, unit=roster.school, actor=actor, result="rejected",
            detail=f"学生名单导入被拒绝：{filename}，{len(check.errors)} 处错误",
        )
        return ImportOutcome(check, applied=False)
    try:
        with transaction.atomic():
            created = _replace_students(roster, check)
    except IntegrityError as exc:  # another school reported one of these numbers a moment ago
        raise RosterError(_("名单中的身份证号刚被本周期其他学校报送，未导入；请重新上传以查看具体行。")) from exc
    RosterUpload.objects.filter(roster=roster, kind=UploadKind.STUDENTS).delete()
    _bump(roster)
    RosterEvent.objects.create(
        roster=roster, action=RosterAction.IMPORT, actor=actor, at=now, from_status=roster.status,
        to_status=roster.status, comment=f"{filename}：{created} 名学生",
    )
    audit_record(
        action=Action.IMPORT, obj=roster, unit=roster.school, actor=actor,
        after={"students": created}, detail=f"学生名单导入：{filename}，{created} 名学生",
    )
    return ImportOutcome(check, applied=True, created=created)


def _replace_students(roster: Roster, check: CheckOutcome) -> int:
    """Delete the roster's students and insert the checked rows (COPY / executemany).

    The ORM's bulk_create costs most of an import (per-value preparation, ~100-row batches on
    SQLite); the rows are prepared here the way the fields would (ID numbers encrypted by the
    field's own `get_prep_value`, dates adapted by the backend). An editable roster has no sampled
    students, so a plain DELETE is safe."""
    table = connection.ops.quote_name(Student._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {table} WHERE roster_id = %s", [roster.pk])  # noqa: S608
    s = check.students
    if s.height == 0:
        return 0
    id_field = Student._meta.get_field("national_id")
    adapt = connection.ops.adapt_datefield_value
    names = ["roster_id", "cycle_id", "name", "sex", "birth_date", "national_id", "id_index", "class_name",
             "student_no", "row"]
    cols = [s[c].to_list() for c in ("name", "sex", "birth_date", "national_id", "class", "student_no", "_row")]
    rows = [
        (roster.pk, roster.cycle_id, name, sex, adapt(birth), id_field.get_prep_value(nid), idx, cls, no, int(row))
        for (name, sex, birth, nid, cls, no, row), idx in zip(zip(*cols, strict=True), check.indexes, strict=True)
    ]
    return insert_rows(Student, names, rows)


def _keep_rejected(*, roster: Roster, kind: str, filename: str, content: bytes, errors: list[RowError]) -> None:
    """Keep the last rejected file of this kind (encrypted) for the rejected-rows download."""
    RosterUpload.objects.update_or_create(
        roster=roster, kind=kind,
        defaults={
            "filename": filename[:200], "content_b64": base64.b64encode(content).decode("ascii"),
            "uploaded_at": clock.now(), "error_count": len(errors),
            "errors_json": json.dumps([[e.row, e.column, e.reason] for e in errors], ensure_ascii=False),
        },
    )


def _uploaded_rows(upload: RosterUpload) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """The headers and numbered rows of a kept file, read the way its import read it."""
    if upload.kind == UploadKind.TEACHERS:
        from jiance.rosters.spreadsheet import teacher_columns
        from jiance.spreadsheets import SheetError, read_sheet

        columns = teacher_columns(upload.roster)
        try:
            rows = [(r.number, [r.values.get(c.key) for c in columns]) for r in read_sheet(upload.content, columns)]
        except SheetError:
            return [], []
        return [c.header for c in columns], rows
    try:
        raw = _raw_from_bytes(upload.content, upload.filename)
    except ValidationFailed:
        return [], []
    return list(raw.columns), [(i, list(v)) for i, v in enumerate(raw.iter_rows(), start=2)]


def rejected_rows(upload: RosterUpload) -> bytes:
    """The rejected file's rows that have errors, with the reasons, as XLSX (formula-safe).
    Problems of the whole file (row 0) and of the header (row 1) come first."""
    from jiance.spreadsheets import write_rows

    headers, rows = _uploaded_rows(upload)
    reasons: dict[int, list[str]] = {}
    for row, column, reason in upload.errors:
        reasons.setdefault(int(row), []).append(f"{column}：{reason}" if column else reason)
    out: list[list[Any]] = []
    if 0 in reasons or 1 in reasons:
        out.append([0, *([""] * len(headers)), "；".join(reasons.get(0, []) + reasons.get(1, []))])
    for number, values in rows:
        if number in reasons:
            out.append([number, *(v if v is not None else "" for v in values), "；".join(reasons[number])])
    return write_rows("未通过的行", ["行号", *headers, "错误原因"], out)


# --- single records -------------------------------------------------------------------------------
@transaction.atomic
def student_save(
    *, scope: Scope, roster: Roster, data: dict[str, Any], actor: Any, student: Student | None = None,
) -> Student:
    """Add or change one student, checked by the same rules as a file (row 2 = this student)."""
    _require_entry(scope, roster)
    roster = _locked(roster.pk)
    roster.check_editable()
    if student is not None and student.roster_id != roster.pk:
        raise RosterError(_("该学生不在本名单中"))
    raw = pl.DataFrame(
        {
            "姓名": [data.get("name") or None], "性别": [data.get("sex") or None],
            "出生日期": [str(data["birth_date"]) if data.get("birth_date") else None],
            "身份证号": [data.get("national_id") or None], "班级": [data.get("class_name") or None],
            "学号": [data.get("student_no") or None],
        },
        schema=dict.fromkeys(("姓名", "性别", "出生日期", "身份证号", "班级", "学号"), pl.String),
    )
    check = check_students(
        roster=roster, raw=raw, exclude_student=student.pk if student else None, replace_all=False
    )
    # the same student number twice in a class of this roster
    clash = Student.objects.filter(roster=roster, class_name=data.get("class_name"), student_no=data.get("student_no"))
    if student is not None:
        clash = clash.exclude(pk=student.pk)
    errors = list(check.errors)
    if clash.exists():
        errors.append(RowError(2, LABELS["student_no"], _("学号在该班级中已存在")))
    if errors:
        raise ValidationFailed(errors)
    s = check.students
    values = {
        "name": s["name"][0], "sex": s["sex"][0], "birth_date": s["birth_date"][0],
        "national_id": s["national_id"][0], "id_index": check.indexes[0], "class_name": s["class"][0],
        "student_no": s["student_no"][0],
    }
    if student is None:
        last = Student.objects.filter(roster=roster).order_by("-row").values_list("row", flat=True).first() or 1
        student = Student.objects.create(roster=roster, cycle_id=roster.cycle_id, row=last + 1, **values)
        action = Action.CREATE
    else:
        for k, v in values.items():
            setattr(student, k, v)
        student.save()
        action = Action.UPDATE
    _bump(roster)
    RosterEvent.objects.create(
        roster=roster, action=RosterAction.EDIT, actor=actor, at=clock.now(), from_status=roster.status,
        to_status=roster.status, comment=f"{'新增' if action == Action.CREATE else '修改'}学生：{student.name}",
    )
    audit_record(
        action=action, obj=student, unit=roster.school, actor=actor,
        after={"name": student.name, "class": student.class_name, "student_no": student.student_no,
               "national_id": student.masked_id},
        detail=f"学生名单{'新增' if action == Action.CREATE else '修改'}：{student.name}",
    )
    return student


@transaction.atomic
def student_delete(*, scope: Scope, roster: Roster, student: Student, actor: Any) -> None:
    _require_entry(scope, roster)
    roster = _locked(roster.pk)
    roster.check_editable()
    if student.roster_id != roster.pk:
        raise RosterError(_("该学生不在本名单中"))
    before = {"name": student.name, "class": student.class_name, "national_id": student.masked_id}
    student.delete()
    _bump(roster)
    RosterEvent.objects.create(
        roster=roster, action=RosterAction.EDIT, actor=actor, at=clock.now(), from_status=roster.status,
        to_status=roster.status, comment=f"删除学生：{before['name']}",
    )
    audit_record(action=Action.DELETE, obj=roster, unit=roster.school, actor=actor, before=before,
                 detail=f"学生名单删除：{before['name']}")


def teacher_problems(*, cycle: Cycle, data: dict[str, Any]) -> dict[str, str]:
    """What is wrong with a teacher row (field -> Chinese reason); shared by form and service."""
    allowed = teacher_roles_for(cycle)
    roles = [r for r in (data.get("roles") or []) if r]
    out: dict[str, str] = {}
    if not (data.get("name") or "").strip():
        out["name"] = _("姓名为空")
    if not roles:
        out["roles"] = _("教师没有角色：请至少选择一个角色")
    bad = [r for r in roles if r not in allowed]
    if bad:
        out["roles"] = _("本周期不上报这些角色的教师：%(roles)s") % {"roles": "、".join(bad)}
    chosen = data.get("questionnaire_role") or ""
    if len(roles) > 1 and not chosen:
        out["questionnaire_role"] = _("身兼多职的教师须选择填答问卷时的角色")
    elif chosen and chosen not in roles:
        out["questionnaire_role"] = _("问卷角色必须是该教师的角色之一")
    if (data.get("employment") or Employment.REGULAR) not in Employment.values:
        out["employment"] = _("任职类型无效")
    return out


@transaction.atomic
def teacher_save(
    *, scope: Scope, roster: Roster, data: dict[str, Any], actor: Any, teacher: Teacher | None = None,
) -> Teacher:
    _require_entry(scope, roster)
    roster = _locked(roster.pk)
    roster.check_editable()
    problems = teacher_problems(cycle=roster.cycle, data=data)
    if problems:
        raise ValidationFailed([RowError(2, k, v) for k, v in problems.items()])
    roles = list(dict.fromkeys(r for r in data["roles"] if r))
    values = {
        "name": data["name"].strip(), "sex": data.get("sex") or "", "class_name": data.get("class_name") or "",
        "roles": roles, "questionnaire_role": data.get("questionnaire_role") or roles[0],
        "employment": data.get("employment") or Employment.REGULAR, "updated_at": clock.now(),
    }
    if teacher is None:
        teacher = Teacher.objects.create(roster=roster, **values)
        action = Action.CREATE
    else:
        if teacher.roster_id != roster.pk:
            raise RosterError(_("该教师不在本名单中"))
        for k, v in values.items():
            setattr(teacher, k, v)
        teacher.save()
        action = Action.UPDATE
    _bump(roster)
    audit_record(action=action, obj=teacher, unit=roster.school, actor=actor, after={
        "name": teacher.name, "roles": roles, "questionnaire_role": teacher.questionnaire_role,
        "employment": teacher.employment,
    }, detail=f"教师名单：{teacher.name}")
    return teacher


@transaction.atomic
def teacher_delete(*, scope: Scope, roster: Roster, teacher: Teacher, actor: Any) -> None:
    _require_entry(scope, roster)
    roster = _locked(roster.pk)
    roster.check_editable()
    if teacher.roster_id != roster.pk:
        raise RosterError(_("该教师不在本名单中"))
    name = teacher.name
    teacher.delete()
    _bump(roster)
    audit_record(action=Action.DELETE, obj=roster, unit=roster.school, actor=actor, before={"teacher": name},
                 detail=f"教师名单删除：{name}")


@dataclass
class TeacherImportOutcome:
    rows: int
    errors: list[RowError]
    applied: bool = False
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def check_teachers(*, roster: Roster, content: bytes) -> tuple[int, list[RowError], list[dict[str, Any]]]:
    """Every problem of a teacher file for this roster (row, column, reason) and the rows it holds."""
    from jiance.rosters.models import TeacherRole
    from jiance.rosters.spreadsheet import ROLE_SEPARATORS, teacher_columns
    from jiance.spreadsheets import SheetError, cell_text, read_sheet

    columns = teacher_columns(roster)
    head = {c.key: c.header for c in columns}
    try:
        rows = list(read_sheet(content, columns))
    except SheetError as exc:
        return 0, [RowError(0, "", str(exc))], []
    labels = chinese_labels(TeacherRole)
    by_label = {label: value for value, label in labels.items()}
    employment_by_label = {label: value for value, label in chinese_labels(Employment).items()}
    allowed = teacher_roles_for(roster.cycle)
    errors: list[RowError] = []
    out: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        n = row.number
        name = cell_text(row.values.get("name"))
        sex = cell_text(row.values.get("sex"))
        class_name = cell_text(row.values.get("class_name"))
        roles_text = cell_text(row.values.get("roles"))
        chosen_text = cell_text(row.values.get("questionnaire_role"))
        employment_text = cell_text(row.values.get("employment"))
        row_errors: list[RowError] = []
        employment = employment_by_label.get(employment_text) if employment_text else Employment.REGULAR
        if employment is None:
            row_errors.append(RowError(n, head["employment"], _("任职类型“%(v)s”无效：应为%(ok)s")
                                       % {"v": employment_text, "ok": "、".join(employment_by_label)}))
        if not name:
            row_errors.append(RowError(n, head["name"], _("姓名为空")))
        if not sex:
            row_errors.append(RowError(n, head["sex"], _("性别为空：请填写“男”或“女”")))
        elif sex not in ("男", "女"):
            row_errors.append(RowError(n, head["sex"], _("性别“%(v)s”无效：应为“男”或“女”") % {"v": sex}))
        for sep in ROLE_SEPARATORS[1:]:
            roles_text = roles_text.replace(sep, ROLE_SEPARATORS[0])
        role_labels = [p.strip() for p in roles_text.split(ROLE_SEPARATORS[0]) if p.strip()]
        roles: list[str] = []
        if not role_labels:
            row_errors.append(RowError(n, head["roles"], _("角色为空：请至少填写一个角色")))
        for label in role_labels:
            value = by_label.get(label)
            if value is None:
                row_errors.append(RowError(n, head["roles"], _("未知的角色“%(v)s”：可选角色为%(ok)s")
                                           % {"v": label, "ok": "、".join(labels[r] for r in allowed)}))
            elif value not in allowed:
                row_errors.append(RowError(n, head["roles"], _("本周期不上报“%(v)s”：需要填报的角色为%(ok)s")
                                           % {"v": label, "ok": "、".join(labels[r] for r in allowed)}))
            elif value not in roles:
                roles.append(value)
        chosen = ""
        if chosen_text:
            chosen = by_label.get(chosen_text, "")
            if not chosen:
                row_errors.append(RowError(n, head["questionnaire_role"], _("未知的问卷角色“%(v)s”") % {"v": chosen_text}))
            elif chosen not in {by_label.get(label) for label in role_labels}:
                row_errors.append(RowError(n, head["questionnaire_role"],
                                           _("问卷角色“%(v)s”不是该教师的角色之一") % {"v": chosen_text}))
        elif len(set(role_labels)) > 1:
            row_errors.append(RowError(n, head["questionnaire_role"], _("身兼多职教师须选择一个问卷角色（须为其角色之一）")))
        if name:
            key = (name, class_name)
            if key in seen:
                row_errors.append(RowError(n, head["name"], _("与第 %(r)s 行重复：同一任教班级中已有同名教师“%(v)s”")
                                           % {"r": seen[key], "v": name}))
            else:
                seen[key] = n
        errors.extend(row_errors)
        if not row_errors:
            out.append({"name": name, "sex": sex, "class_name": class_name, "roles": roles,
                        "questionnaire_role": chosen or roles[0], "employment": employment})
    if not rows:
        errors.append(RowError(0, "", _("文件中没有教师：请在“数据”工作表中每行填写一名教师")))
    errors.sort()
    return len(rows), errors, out


@transaction.atomic
def teacher_import(*, scope: Scope, roster: Roster, content: bytes, filename: str, actor: Any) -> TeacherImportOutcome:
    """Replace the roster's teachers with a checked file: every row or, on any error, none."""
    _require_entry(scope, roster)
    roster = _locked(roster.pk)
    roster.check_editable()
    rows, errors, teachers = check_teachers(roster=roster, content=content)
    if errors:
        _keep_rejected(roster=roster, kind=UploadKind.TEACHERS, filename=filename, content=content, errors=errors)
        audit_record(
            action=Action.IMPORT, obj=roster, unit=roster.school, actor=actor, result="rejected",
            detail=f"教师名单导入被拒绝：{filename}，{len(errors)} 处错误",
        )
        return TeacherImportOutcome(rows, errors)
    now = clock.now()
    before = Teacher.objects.filter(roster=roster).count()
    Teacher.objects.filter(roster=roster).delete()
    Teacher.objects.bulk_create([Teacher(roster=roster, updated_at=now, **t) for t in teachers])
    RosterUpload.objects.filter(roster=roster, kind=UploadKind.TEACHERS).delete()
    _bump(roster)
    RosterEvent.objects.create(
        roster=roster, action=RosterAction.IMPORT, actor=actor, at=now, from_status=roster.status,
        to_status=roster.status, comment=f"{filename}：{len(teachers)} 名教师",
    )
    audit_record(
        action=Action.IMPORT, obj=roster, unit=roster.school, actor=actor, before={"teachers": before},
        after={"teachers": len(teachers)}, detail=f"教师名单导入：{filename}，{len(teachers)} 名教师",
    )
    return TeacherImportOutcome(rows, [], applied=True, created=len(teachers))


# --- the review chain -----------------------------------------------------------------------------
def _check_complete(roster: Roster) -> None:
    n = Student.objects.filter(roster=roster).count()
    if n == 0:
        raise RosterError(_("名单中还没有学生，不能提交"))
    if not Teacher.objects.filter(roster=roster).exists():
        raise RosterError(_("还没有填报教师名单，不能提交"))
    record = selectors.frame_record_for(cycle=roster.cycle, school=roster.school)
    expected = getattr(record, f"{roster.stage}_classes", 0) if record else 0
    classes = Student.objects.filter(roster=roster).values("class_name").distinct().count()
    if expected and classes != expected:
        raise RosterError(
            _("名单中有 %(n)s 个班级，与本校属地学校信息中的班级数 %(m)s 不一致，不能提交") % {"n": classes, "m": expected}
        )


def _transition(*, scope: Scope, roster: Roster, action: str, actor: Any, comment: str = "") -> Roster:
    seen = roster.status
    roster = _locked(roster.pk)
    from_status = roster.status
    if from_status != seen:  # someone acted between the page and this click: say so, never guess
        raise RosterError(_("名单状态刚由“%(a)s”变为“%(b)s”（他人已处理），请刷新页面后再操作")
                          % {"a": RosterStatus(seen).label, "b": roster.get_status_display()})
    if action == RosterAction.RETURN:
        roles = STEP_ROLES.get(from_status)
        if roles is None:
            roster.target_status(action)  # raises the Chinese reason
            raise RosterError(_("当前状态不能退回"))
        scope.require(roles, roster.school)
        if not comment.strip():
            raise RosterError(_("退回时必须填写退回原因"))
    else:
        scope.require(ACTION_ROLES[action], roster.school)
    target = roster.target_status(action)
    if action == RosterAction.SUBMIT:
        _check_complete(roster)
    _bump(roster, status=target, comment=comment, locked=target == RosterStatus.APPROVED)
    now = clock.now()
    RosterEvent.objects.create(
        roster=roster, action=action, actor=actor, at=now, from_status=from_status, to_status=target, comment=comment,
    )
    audit_record(
        action=AUDIT_ACTIONS[action], obj=roster, unit=roster.school, actor=actor,
        before={"status": from_status}, after={"status": target, "version": roster.version},
        detail=f"学生名单{RosterAction(action).label}" + (f"：{comment}" if comment else ""),
    )
    return roster


@transaction.atomic
def roster_submit(*, scope: Scope, roster: Roster, actor: Any, comment: str = "") -> Roster:
    roster = _transition(scope=scope, roster=roster, action=RosterAction.SUBMIT, actor=actor, comment=comment.strip())
    # the school's 师生信息上报 task is done once every sampled stage's roster is submitted
    stages = set(
        SampledSchool.objects.filter(draw__cycle=roster.cycle, draw__status=DrawStatus.PUBLISHED,
                                     status=RowStatus.IN_SAMPLE, school=roster.school).values_list("stage", flat=True)
    )
    submitted = set(
        Roster.objects.filter(cycle=roster.cycle, school=roster.school).exclude(status__in=EDITABLE_STATUSES)
        .values_list("stage", flat=True)
    )
    if stages <= submitted:
        milestones_observed(cycle=roster.cycle, unit=roster.school, event="roster_submitted", actor=actor)
    return roster


@transaction.atomic
def roster_approve(*, scope: Scope, roster: Roster, actor: Any, comment: str = "") -> Roster:
    """The step waiting on the roster: principal, then county, then city."""
    steps: dict[str, str] = {
        RosterStatus.SUBMITTED: RosterAction.PRINCIPAL_APPROVE,
        RosterStatus.SCHOOL_APPROVED: RosterAction.COUNTY_APPROVE,
        RosterStatus.COUNTY_APPROVED: RosterAction.CITY_APPROVE,
    }
    step = steps.get(roster.status)
    if step is None:
        raise RosterError(_("当前状态为“%(s)s”，没有待审核的步骤") % {"s": roster.get_status_display()})
    return _transition(scope=scope, roster=roster, action=step, actor=actor, comment=comment.strip())


@transaction.atomic
def roster_return(*, scope: Scope, roster: Roster, actor: Any, comment: str) -> Roster:
    return _transition(scope=scope, roster=roster, action=RosterAction.RETURN, actor=actor, comment=(comment or "").strip())


def can_act(scope: Scope, roster: Roster) -> dict[str, bool]:
    """What this person may do on the roster now (for the page's buttons)."""
    step_roles = STEP_ROLES.get(roster.status)
    review = bool(step_roles) and scope.holds(step_roles or (), roster.school)
    return {
        "edit": roster.editable and scope.holds(selectors.SCHOOL_ROLES, roster.school),
        "submit": roster.editable and scope.holds(selectors.SCHOOL_ROLES, roster.school),
        "approve": review,
        "return": review,
    }


# --- personal data ------------------------------------------------------------------------------
def personal_data_viewed(*, roster: Roster, actor: Any, what: str, rows: int) -> None:
    """Audit a display or export of unmasked ID numbers."""
    audit_record(
        action=Action.VIEW_PERSONAL, obj=roster, unit=roster.school, actor=actor,
        detail=f"{what}：{roster.school.name}{stage_name(roster.stage)}名单，{rows} 人（完整身份证号）",
    )


def export_record(*, roster: Roster, actor: Any, what: str, rows: int, full: bool) -> None:
    audit_record(
        action=Action.EXPORT, obj=roster, unit=roster.school, actor=actor,
        detail=f"{what}：{roster.school.name}{stage_name(roster.stage)}，{rows} 人" + ("（含完整身份证号）" if full else ""),
    )


# --- the student draw ---------------------------------------------------------------------------
@transaction.atomic
def students_draw(*, cycle: Cycle, actor: Any, seed: int | None = None, scope: Scope | None = None) -> StudentDraw:
    """Draw the sample students of every in-sample school below the actor's city (or province /
    centre): equal probability within each school, the school's planned size (all if fewer),
    seeded and reproducible; refused unless every roster there is approved by the city."""
    scope = scope or Scope(actor)
    owner = selectors.draw_owner(scope=scope)
    if owner is None:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    if StudentDraw.objects.filter(cycle=cycle, owner=owner).exists():
        raise RosterError(_("%(owner)s本周期已抽取样本学生，不能重复抽取") % {"owner": owner.name})
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    if seed < 0:
        raise RosterError(_("随机种子应为非负整数"))
    rows = list(
        SampledSchool.objects.filter(
            draw__cycle=cycle, draw__status=DrawStatus.PUBLISHED, status=RowStatus.IN_SAMPLE,
            school__path__startswith=owner.path,
        ).select_related("school")
    )
    if not rows:
        raise RosterError(_("%(owner)s本周期没有已发布的样本校") % {"owner": owner.name})
    rosters = {(r.school_id, r.stage): r for r in selectors.rosters_for_draw(cycle=cycle, owner=owner)}
    missing = [f"{r.school.name}（{'小学' if r.stage == 'primary' else '初中'}）" for r in rows
               if (r.school_id, r.stage) not in rosters]
    pending = [f"{x.school.name}（{x.get_status_display()}）" for x in rosters.values()
               if x.status != RosterStatus.APPROVED]
    if missing or pending:
        names = missing + pending
        raise RosterError(
            _("以下样本校的学生名单尚未经市级审核通过，不能抽取学生：") + "、".join(names[:20])
            + (f"等 {len(names)} 所" if len(names) > 20 else "")
        )
    keys = {x.pk: f"{x.school.code}-{x.stage}" for x in rosters.values()}
    sizes = {keys[rosters[(r.school_id, r.stage)].pk]: int(r.planned_students) for r in rows}
    weights = {keys[rosters[(r.school_id, r.stage)].pk]: float(r.base_weight) for r in rows}
    roster_ids = list(keys)
    pairs = list(
        Student.objects.filter(roster_id__in=roster_ids).order_by("roster_id", "row", "pk").values_list("pk", "roster_id")
    )
    frame = pl.DataFrame(
        {"student": [p[0] for p in pairs], "school_id": [keys[p[1]] for p in pairs],
         "roster": [p[1] for p in pairs]},
        schema={"student": pl.Int64, "school_id": pl.String, "roster": pl.Int64},
    )
    default = int(((cycle.config or {}).get("sample_size") or {}).get("students_per_school") or 30)
    sample = sample_students(frame, seed=seed, default_size=default, sizes=sizes, base_weights=weights)
    draw = StudentDraw.objects.create(
        cycle=cycle, owner=owner, seed=seed, created_at=clock.now(), created_by=actor,
        schools=len(rosters), students=sample.height,
    )
    school_of = {x.pk: x.school_id for x in rosters.values()}
    # plain rows (COPY / executemany): the ORM's bulk_create costs more than the draw itself
    names = ["draw_id", "student_id", "roster_id", "school_id", "school_students", "sampled_students",
             "selection_probability", "within_school_weight", "final_weight"]
    values = [
        (draw.pk, int(sid), int(rid), school_of[rid], int(big_n), int(n), float(p), float(w),
         None if fw is None else float(fw))
        for sid, rid, big_n, n, p, w, fw in sample.select(
            "student", "roster", "school_students", "sampled_students", "selection_probability",
            "within_school_weight", "final_weight",
        ).iter_rows()
    ]
    insert_rows(SampledStudent, names, values)
    audit_record(
        action=Action.CREATE, obj=draw, unit=owner, actor=actor,
        after={"seed": seed, "schools": draw.schools, "students": draw.students},
        detail=f"样本学生抽取：{owner.name}，{cycle.name}，随机种子 {seed}，{draw.schools} 份名单，{draw.students} 名学生",
    )
    return draw


def sampled_export_rows(sampled: list[SampledStudent], *, full: bool) -> list[list[Any]]:
    out = []
    for s in sampled:
        st = s.student
        out.append([
            st.class_name, st.student_no, st.name, st.sex, st.birth_date.isoformat(),
            st.national_id if full else st.masked_id, round(s.selection_probability, 6),
            round(s.within_school_weight, 4), "" if s.final_weight is None else round(s.final_weight, 4),
        ])
    return out
