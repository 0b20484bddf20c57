"""Writes of the sample schools' rosters, one module per seam: the review chain (`chain`), students
(`students`), teachers (`teachers`) and the student draw (`draw`).

Callers import from this package; the names below are its public face."""

from __future__ import annotations

from jiance.rosters.services.chain import (
    STEP_ROLES,
    STUDENTS_WINDOW,
    TEACHERS_WINDOW,
    _locked,
    can_act,
    roster_approve,
    roster_open,
    roster_return,
    roster_submit,
    roster_window_reopen,
    rosters_open_for_school,
    test_date_of,
)
from jiance.rosters.services.draw import sampled_export_rows, students_draw
from jiance.rosters.services.students import (
    CheckOutcome,
    ImportOutcome,
    check_students,
    export_record,
    personal_data_viewed,
    rejected_rows,
    roster_import,
    student_delete,
    student_save,
)
from jiance.rosters.services.teachers import (
    TeacherImportOutcome,
    check_teachers,
    teacher_delete,
    teacher_import,
    teacher_problems,
    teacher_save,
)

__all__ = [
    "STEP_ROLES", "STUDENTS_WINDOW", "TEACHERS_WINDOW", "CheckOutcome", "ImportOutcome",
    "TeacherImportOutcome", "_locked", "can_act", "check_students", "check_teachers",
    "export_record", "personal_data_viewed", "rejected_rows", "roster_approve", "roster_import",
    "roster_open", "roster_return", "roster_submit", "roster_window_reopen", "rosters_open_for_school",
    "sampled_export_rows", "student_delete", "student_save", "students_draw", "teacher_delete",
    "teacher_import", "teacher_problems", "teacher_save", "test_date_of",
]
