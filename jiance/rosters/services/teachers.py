"""Teachers of a roster: checks, single records and the all-or-nothing XLSX import."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.audit.models import Action
from jiance.cycles.models import Cycle
from jiance.rosters.models import (
    Employment,
    Roster,
    Teacher,
    UploadKind,
    chinese_labels,
    teacher_roles_for,
)
from jiance.rosters.services.people import (
    editable_roster,
    import_recorded,
    import_rejected,
    person_delete,
    person_recorded,
)
from jiance_core.errors import RowError, ValidationFailed
from jiance_core.teachers import Vocabulary, check_teacher_rows


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
    roster = editable_roster(scope=scope, roster=roster, model=Teacher, person=teacher)
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
        for k, v in values.items():
            setattr(teacher, k, v)
        teacher.save()
        action = Action.UPDATE
    person_recorded(roster=roster, person=teacher, action=action, actor=actor, after={
        "name": teacher.name, "roles": roles, "questionnaire_role": teacher.questionnaire_role,
        "employment": teacher.employment})
    return teacher


def teacher_delete(*, scope: Scope, roster: Roster, teacher: Teacher, actor: Any) -> None:
    person_delete(scope=scope, roster=roster, person=teacher, actor=actor,
                  before={"name": teacher.name, "roles": teacher.roles})


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
    """Every problem of a teacher file for this roster (row, column, reason) and the rows it holds:
    the file read by the guarded reader, the rows checked by `jiance_core.teachers` with this
    cycle's roles."""
    from jiance.rosters.models import TeacherRole
    from jiance.rosters.spreadsheet import teacher_columns
    from jiance.spreadsheets import SheetError, read_sheet

    columns = teacher_columns(roster)
    try:
        rows = list(read_sheet(content, columns, kind="teachers"))
    except SheetError as exc:
        return 0, [RowError(0, "", str(exc))], []
    vocab = Vocabulary(roles=chinese_labels(TeacherRole), allowed=teacher_roles_for(roster.cycle),
                       employment=chinese_labels(Employment))
    result = check_teacher_rows(((r.number, r.values) for r in rows), vocab,
                                headers={c.key: c.header for c in columns}, tr=_)
    return result.rows, result.errors, result.teachers


# The reasons `jiance_core.teachers` passes through gettext, kept in the catalog.
_CORE_REASONS = (
    gettext_noop("角色为空：请至少填写一个角色"), gettext_noop("未知的角色“%(v)s”：可选角色为%(ok)s"),
    gettext_noop("本周期不上报“%(v)s”：需要填报的角色为%(ok)s"), gettext_noop("未知的问卷角色“%(v)s”"),
    gettext_noop("问卷角色“%(v)s”不是该教师的角色之一"), gettext_noop("身兼多职教师须选择一个问卷角色（须为其角色之一）"),
    gettext_noop("任职类型“%(v)s”无效：应为%(ok)s"), gettext_noop("姓名为空"), gettext_noop("性别为空：请填写“男”或“女”"),
    gettext_noop("性别“%(v)s”无效：应为“男”或“女”"), gettext_noop("与第 %(r)s 行重复：同一任教班级中已有同名教师“%(v)s”"),
    gettext_noop("文件中没有教师：请在“数据”工作表中每行填写一名教师"),
)


@transaction.atomic
def teacher_import(*, scope: Scope, roster: Roster, content: bytes, filename: str, actor: Any) -> TeacherImportOutcome:
    """Replace the roster's teachers with a checked file: every row or, on any error, none."""
    roster = editable_roster(scope=scope, roster=roster, model=Teacher)
    rows, errors, teachers = check_teachers(roster=roster, content=content)
    if errors:
        # a file with no readable rows has nothing for the rejected-rows download: not kept
        import_rejected(roster=roster, kind=UploadKind.TEACHERS, filename=filename, content=content, errors=errors,
                        actor=actor, keep=bool(rows))
        return TeacherImportOutcome(rows, errors)
    now = clock.now()
    before = Teacher.objects.filter(roster=roster).count()
    Teacher.objects.filter(roster=roster).delete()
    Teacher.objects.bulk_create([Teacher(roster=roster, updated_at=now, **t) for t in teachers])
    import_recorded(roster=roster, kind=UploadKind.TEACHERS, filename=filename, count=len(teachers), actor=actor,
                    before={"teachers": before})
    return TeacherImportOutcome(rows, [], applied=True, created=len(teachers))
