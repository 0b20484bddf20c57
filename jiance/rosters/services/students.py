"""Students of a roster: checks (the same rules as the offline `jiance check-roster`, plus the class
count of the school's frame record and ID numbers reported by other schools, by blind index), the
all-or-nothing XLSX import, single records, kept rejected files and personal-data audit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from jiance.accounts.scoping import Scope
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.bulk import insert_rows
from jiance.crypto import blind_index
from jiance.rosters import selectors
from jiance.rosters.models import (
    Roster,
    RosterError,
    RosterUpload,
    Student,
    UploadKind,
)
from jiance.rosters.services.chain import test_date_of
from jiance.rosters.services.people import (
    editable_roster,
    import_recorded,
    import_rejected,
    person_delete,
    person_recorded,
)
from jiance.stages import stage_name
from jiance_core.errors import RowError, ValidationFailed
from jiance_core.roster import LABELS, check_roster, read_roster_bytes


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
    from jiance.spreadsheets import sheet_limits

    return read_roster_bytes(content, filename or "roster.xlsx", limits=sheet_limits("students"))


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
    roster = editable_roster(scope=scope, roster=roster, model=Student)
    try:
        raw = _raw_from_bytes(content, filename)
    except ValidationFailed as exc:
        check = CheckOutcome(0, exc.errors)
    else:
        check = check_students(roster=roster, raw=raw)
    if not check.ok:
        # no readable rows (or columns): nothing for the rejected-rows download
        import_rejected(roster=roster, kind=UploadKind.STUDENTS, filename=filename, content=content,
                        errors=check.errors, actor=actor, keep=bool(check.students.height))
        return ImportOutcome(check, applied=False)
    try:
        with transaction.atomic():
            created = _replace_students(roster, check)
    except IntegrityError as exc:  # another school reported one of these numbers a moment ago
        raise RosterError(_("名单中的身份证号刚被本周期其他学校报送，未导入；请重新上传以查看具体行。")) from exc
    import_recorded(roster=roster, kind=UploadKind.STUDENTS, filename=filename, count=created, actor=actor)
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


def _uploaded_rows(upload: RosterUpload) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """The headers and numbered rows of a kept file, read the way its import read it."""
    if upload.kind == UploadKind.TEACHERS:
        from jiance.rosters.spreadsheet import teacher_columns
        from jiance.spreadsheets import SheetError, read_sheet

        columns = teacher_columns(upload.roster)
        try:
            rows = [(r.number, [r.values.get(c.key) for c in columns])
                    for r in read_sheet(upload.read(), columns, kind="teachers")]
        except SheetError:
            return [], []
        return [c.header for c in columns], rows
    try:
        raw = _raw_from_bytes(upload.read(), upload.filename)
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
    roster = editable_roster(scope=scope, roster=roster, model=Student, person=student)
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
    person_recorded(roster=roster, person=student, action=action, actor=actor, after={
        "name": student.name, "class": student.class_name, "student_no": student.student_no,
        "national_id": student.masked_id})
    return student


def student_delete(*, scope: Scope, roster: Roster, student: Student, actor: Any) -> None:
    person_delete(scope=scope, roster=roster, person=student, actor=actor,
                  before={"name": student.name, "class": student.class_name, "national_id": student.masked_id})


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
