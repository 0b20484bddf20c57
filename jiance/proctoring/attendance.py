"""Test-day attendance for the after-test report (`AppEntry.attendance`): what the check-in, the
session control and the discipline cases recorded, per sampled student, so the school does not
type it again. Rules: absent in a session → that session missed; left unwell → the later
sessions missed (之后按缺考处理), reason 病假; participation ended by a discipline case → that
session and every later one missed, reason 其他 with the offence as the note; a session the city
cancelled → missed, noted (不再补测)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from jiance.aftertest.models import AbsenceReason
from jiance.apps_registry import AttendanceFact
from jiance.cycles.models import Cycle
from jiance.proctoring.models import CaseStatus, CheckIn, DisciplineCase, Presence
from jiance.testday.selectors import sessions_for


def attendance(*, cycle: Cycle, student_ids: list[int]) -> Mapping[int, AttendanceFact]:
    checkins = list(CheckIn.objects.filter(run__cycle=cycle, student_id__in=student_ids)
                    .select_related("run__room").order_by("run__day", "pk"))
    cases = list(DisciplineCase.objects.filter(cycle=cycle, student_id__in=student_ids, ends_participation=True)
                 .exclude(status=CaseStatus.REJECTED).select_related("room").order_by("at"))
    stage_codes: dict[str, list[str]] = {}

    def codes(stage: str) -> list[str]:
        if stage not in stage_codes:
            stage_codes[stage] = [s.code for s in sessions_for(cycle, stage)]
        return stage_codes[stage]

    missed: dict[int, list[str]] = {}
    reasons: dict[int, str] = {}
    notes: dict[int, list[str]] = {}
    touched: set[int] = set()

    def miss(student: int, sessions: list[str]) -> None:
        have = missed.setdefault(student, [])
        have.extend(c for c in sessions if c not in have)

    for c in checkins:
        touched.add(c.student_id)
        order = codes(c.run.room.stage)
        later = order[order.index(c.run.session) + 1:] if c.run.session in order else []
        if c.status == Presence.ABSENT:
            miss(c.student_id, [c.run.session])
            reasons.setdefault(c.student_id, c.reason)
        elif c.status == Presence.LEFT:
            miss(c.student_id, later)
            reasons[c.student_id] = AbsenceReason.SICK
            notes.setdefault(c.student_id, []).append(_("身体不适离场，之后按缺考处理"))
        elif c.status == Presence.CANCELLED:
            miss(c.student_id, [c.run.session])
            reasons.setdefault(c.student_id, AbsenceReason.OTHER)
            notes.setdefault(c.student_id, []).append(_("%(s)s 场次取消，不再补测") % {"s": c.run.session})
    for case in cases:
        assert case.student_id is not None
        touched.add(case.student_id)
        order = codes(case.room.stage) if case.room else []
        start = order.index(case.session) if case.session in order else 0
        miss(case.student_id, order[start:])
        reasons[case.student_id] = AbsenceReason.OTHER
        notes.setdefault(case.student_id, []).append(_("违纪取消监测资格：%(o)s") % {"o": case.offence_text})
    return {
        sid: AttendanceFact(absent_sessions=tuple(missed.get(sid, ())),
                            reason=(reasons.get(sid) or "") if missed.get(sid) else "",
                            note="；".join(notes.get(sid, [])))
        for sid in touched
    }
