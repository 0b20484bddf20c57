"""Changes of a roster's people, students or teachers: one entered, corrected or deleted by hand,
or the whole list replaced by a file. The same gate, history rows, audit entries and kept rejected
files for both lists."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.rosters.models import (
    Roster,
    RosterAction,
    RosterError,
    RosterEvent,
    RosterUpload,
    Student,
    Teacher,
    UploadKind,
)
from jiance.rosters.services import chain
from jiance.rosters.services.chain import STUDENTS_WINDOW, TEACHERS_WINDOW, _bump, _require_entry
from jiance_core.errors import RowError

# what differs between the two lists: the school's entry window, the word for one person (history
# and audit log) and the refusal when the person belongs to another roster
KINDS: dict[type, tuple[str, str, str]] = {
    Student: (STUDENTS_WINDOW, "学生", gettext_noop("该学生不在本名单中")),
    Teacher: (TEACHERS_WINDOW, "教师", gettext_noop("该教师不在本名单中")),
}
VERBS: dict[str, str] = {Action.CREATE: "新增", Action.UPDATE: "修改", Action.DELETE: "删除"}


def editable_roster(*, scope: Scope, roster: Roster, model: type[Student | Teacher],
                    person: Student | Teacher | None = None) -> Roster:
    """The roster locked for a change of its `model` list by the school's officer, inside that
    list's window, while the roster may change; `person` (if any) must belong to it."""
    window, _noun, not_here = KINDS[model]
    _require_entry(scope, roster, window)
    roster = chain._locked(roster.pk)
    roster.check_editable()
    if person is not None and person.roster_id != roster.pk:
        raise RosterError(_(not_here))
    return roster


def person_recorded(*, roster: Roster, person: Student | Teacher, action: str, actor: Any,
                    before: Any = None, after: Any = None) -> None:
    """After a change of one person: the roster's next version, its history row and the audit entry
    (a deletion is filed under the roster, the person being gone)."""
    noun = KINDS[type(person)][1]
    verb = VERBS[action]
    _bump(roster)
    RosterEvent.objects.create(
        roster=roster, action=RosterAction.EDIT, actor=actor, at=clock.now(), from_status=roster.status,
        to_status=roster.status, comment=f"{verb}{noun}：{person.name}",
    )
    audit_record(action=action, obj=roster if action == Action.DELETE else person, unit=roster.school, actor=actor,
                 before=before, after=after, detail=f"{noun}名单{verb}：{person.name}")


@transaction.atomic
def person_delete(*, scope: Scope, roster: Roster, person: Student | Teacher, actor: Any, before: Any) -> None:
    """Delete one student or teacher of an editable roster; `before` is what the audit log keeps."""
    roster = editable_roster(scope=scope, roster=roster, model=type(person), person=person)
    person.delete()
    person_recorded(roster=roster, person=person, action=Action.DELETE, actor=actor, before=before)


# --- a whole list from a file ---------------------------------------------------------------------
NOUNS: dict[str, str] = {UploadKind.STUDENTS: "学生", UploadKind.TEACHERS: "教师"}


def import_rejected(*, roster: Roster, kind: str, filename: str, content: bytes, errors: list[RowError],
                    actor: Any, keep: bool) -> None:
    """A refused file of the `kind` list: audited; kept (encrypted, the last one of its kind) for the
    rejected-rows download when it had readable rows (`keep`)."""
    if keep:
        RosterUpload.objects.update_or_create(roster=roster, kind=kind, defaults={
            **RosterUpload.keep(content, filename=filename, actor=actor), "error_count": len(errors),
            "errors_json": json.dumps([[e.row, e.column, e.reason] for e in errors], ensure_ascii=False),
        })
    audit_record(action=Action.IMPORT, obj=roster, unit=roster.school, actor=actor, result="rejected",
                 detail=f"{NOUNS[kind]}名单导入被拒绝：{filename}，{len(errors)} 处错误")


def import_recorded(*, roster: Roster, kind: str, filename: str, count: int, actor: Any, before: Any = None) -> None:
    """After the `kind` list was replaced by a file of `count` people: its rejected file goes, the
    roster's next version, its history row and the audit entry."""
    noun = NOUNS[kind]
    RosterUpload.objects.filter(roster=roster, kind=kind).delete()
    _bump(roster)
    RosterEvent.objects.create(
        roster=roster, action=RosterAction.IMPORT, actor=actor, at=clock.now(), from_status=roster.status,
        to_status=roster.status, comment=f"{filename}：{count} 名{noun}",
    )
    audit_record(action=Action.IMPORT, obj=roster, unit=roster.school, actor=actor, before=before,
                 after={kind: count}, detail=f"{noun}名单导入：{filename}，{count} 名{noun}")
