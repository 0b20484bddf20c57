"""A roster's “changes since the last approved version”: the students and teachers as the last
approving step saw them (stored by the review engine, encrypted) against the roster now. ID
numbers are masked in the diff unless the viewer may unmask them and asked to."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from jiance.accounts.scoping import Scope
from jiance.crypto import masked_id
from jiance.review.changes import Changes, ListSpec, compare
from jiance.rosters.models import Employment, Roster, Student, Teacher, TeacherRole
from jiance_core.diff import keyed

STUDENTS, TEACHERS = "students", "teachers"
STUDENT_FIELDS = ("class_name", "student_no", "name", "sex", "birth_date", "national_id")
TEACHER_FIELDS = ("name", "sex", "class_name", "roles", "questionnaire_role", "employment")


def roster_snapshot(roster: Roster) -> dict[str, Any]:
    """Students by their ID number's blind index (stable across re-imports), teachers by name."""
    students = {s.id_index: {"name": s.name, "sex": s.sex, "birth_date": s.birth_date.isoformat(),
                             "national_id": s.national_id, "class_name": s.class_name, "student_no": s.student_no}
                for s in Student.objects.filter(roster=roster).order_by("row", "pk")}
    teachers = keyed(({f: getattr(t, f) for f in TEACHER_FIELDS}
                      for t in Teacher.objects.filter(roster=roster).order_by("pk")), key=lambda r: str(r["name"]))
    return {STUDENTS: students, TEACHERS: teachers}


def _labels(model: Any, names: tuple[str, ...]) -> list[tuple[str, Any]]:
    return [(f, model._meta.get_field(f).verbose_name) for f in names]


def roster_changes(*, scope: Scope, roster: Roster, unmask: bool = False) -> Changes:
    """`unmask`: the caller has checked `selectors.can_unmask` and audited the full display."""
    roster = scope.get(Roster.objects.select_related("school"), unit_field="school", pk=roster.pk)
    role_labels = dict(TeacherRole.choices)
    employment = dict(Employment.choices)

    def show(f: str, v: Any) -> str:
        if v is None:
            return ""
        if f == "national_id":
            return str(v) if unmask else masked_id(str(v))
        if f == "roles":
            return "、".join(str(role_labels.get(r, r)) for r in v)
        if f == "questionnaire_role":
            return str(role_labels.get(v, v))
        if f == "employment":
            return str(employment.get(v, v))
        return str(v)

    def student_name(r: Any) -> str:
        return f"{r.get('name', '')}（{show('national_id', r.get('national_id'))}）"

    specs = [
        ListSpec(_("学生"), STUDENTS, _labels(Student, STUDENT_FIELDS), name=student_name, show=show),
        ListSpec(_("教师"), TEACHERS, _labels(Teacher, TEACHER_FIELDS), name=lambda r: str(r.get("name", "")),
                 show=show),
    ]
    return compare(roster, lambda: roster_snapshot(roster), specs)
