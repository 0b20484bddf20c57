"""Who answers: account holders (principal, county managers), slips (students, teachers: login
number + short code) and single-use links for parents (one per tested student, printed as a QR
slip for the student to take home [003])."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from typing import Any

from django.db import IntegrityError, transaction

from jiance import clock
from jiance.cycles.models import Cycle, CycleStatus
from jiance.questionnaires.models import Kind, QuestionnaireError, Respondent
from jiance.rosters.models import Roster, SampledStudent
from jiance.units.models import Unit
from jiance_core.questionnaires.windows import questionnaires_for

# No 0/O, 1/I/L: the code is read from paper and typed on a phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6


def new_code(rng: random.Random | None = None) -> str:
    """A slip's code: random from the system's source, or from `rng` (the demo, deterministic)."""
    pick = rng.choice if rng is not None else secrets.choice
    return "".join(pick(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_token(rng: random.Random | None = None) -> str:
    if rng is None:
        return secrets.token_urlsafe(24)
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(32))


def respondent_for_account(*, cycle: Cycle, user: Any, kind: str, unit: Unit) -> Respondent:
    """The respondent an account answers as (created on the first visit)."""
    found = Respondent.objects.filter(cycle=cycle, user=user, kind=kind).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Respondent.objects.create(
                cycle=cycle, kind=kind, unit=unit, user=user, created_at=clock.now(),
                name=(getattr(user, "display_name", "") or getattr(user, "get_full_name", lambda: "")() or user.username)[:60],
            )
    except IntegrityError:  # two tabs at once
        return Respondent.objects.get(cycle=cycle, user=user, kind=kind)


@transaction.atomic
def slips_issue(*, cycle: Cycle, school: Unit, parents: bool = False, rng: random.Random | None = None) -> int:
    """Logins for the school's teachers (the role chosen in the roster) and sampled students, and a
    parent link per sampled student when `parents`; existing ones are kept. Returns how many were made."""
    now = clock.now()
    made = 0
    existing_teachers = set(Respondent.objects.filter(cycle=cycle, teacher__isnull=False).values_list("teacher_id", flat=True))
    existing_students = set(
        Respondent.objects.filter(cycle=cycle, student__isnull=False).values_list("student_id", "kind")
    )
    rosters = list(Roster.objects.filter(cycle=cycle, school=school))
    if not rosters:
        raise QuestionnaireError(f"{school.name}尚无本轮名单，无法生成登录条")
    count = Respondent.objects.filter(cycle=cycle, unit=school).count()
    for roster in rosters:
        for teacher in roster.teachers.all():
            if teacher.pk in existing_teachers:
                continue
            count += 1
            Respondent.objects.create(
                cycle=cycle, kind=Kind.TEACHER, unit=school, name=teacher.name, teacher=teacher,
                teacher_role=teacher.questionnaire_role, stage=roster.stage,
                login=f"{cycle.year}{school.code}T{count:03d}", code=new_code(rng), created_at=now,
            )
            made += 1
        sampled = SampledStudent.objects.filter(roster=roster).select_related("student")
        online = bool(questionnaires_for(cycle.config, Kind.STUDENT, stage=roster.stage))  # primary: on paper [001]
        for s in sampled:
            if online and (s.student_id, Kind.STUDENT) not in existing_students:
                count += 1
                Respondent.objects.create(
                    cycle=cycle, kind=Kind.STUDENT, unit=school, name=s.student.name, student=s.student,
                    stage=roster.stage, login=f"{cycle.year}{school.code}{count:03d}", code=new_code(rng),
                    created_at=now,
                )
                made += 1
            if parents and (s.student_id, Kind.PARENT) not in existing_students:
                Respondent.objects.create(
                    cycle=cycle, kind=Kind.PARENT, unit=school, name=f"{s.student.name}家长", student=s.student,
                    stage=roster.stage, token=new_token(rng), created_at=now,
                )
                made += 1
    return made


SLIP_FAILURE_LIMIT = 5
SLIP_LOCKOUT = dt.timedelta(minutes=30)


def respondent_by_slip(*, login: str, code: str) -> Respondent:
    """The respondent of a slip in an active cycle; the same refusal for an unknown login and a
    wrong code. Five wrong codes lock the slip for 30 minutes (the accounts' rule)."""
    now = clock.now()
    found = Respondent.objects.filter(cycle__status=CycleStatus.ACTIVE, login=login.strip()).first()
    if found is not None and found.locked_until is not None and found.locked_until > now:
        raise QuestionnaireError("登录码输错次数过多，该登录条已暂时锁定，请 30 分钟后再试或联系监测点工作人员")
    if found is None or not secrets.compare_digest(found.code, code.strip().upper()):
        if found is not None:
            failures = found.failed_logins + 1
            Respondent.objects.filter(pk=found.pk).update(
                failed_logins=0 if failures >= SLIP_FAILURE_LIMIT else failures,
                locked_until=now + SLIP_LOCKOUT if failures >= SLIP_FAILURE_LIMIT else found.locked_until)
        raise QuestionnaireError("登录号或登录码不正确，请核对登录条")
    if found.failed_logins:
        Respondent.objects.filter(pk=found.pk).update(failed_logins=0)
    return found


def slips_downloaded(*, school: Unit, cycle: Cycle, kind: str, rows: int, actor: Any) -> None:
    """Audit a download of printed slips: they carry names and the codes that open a questionnaire."""
    from jiance.audit.models import Action
    from jiance.audit.services import audit_record

    labels = {"students": "学生登录条", "staff": "教师与校长登录条", "parents": "家长问卷二维码"}
    audit_record(action=Action.EXPORT, obj=school, unit=school, actor=actor, object_type="questionnaires.slips",
                 object_id=f"{school.code}:{kind}",
                 detail=f"下载{labels.get(kind, kind)}（PDF）：{school.name}，{rows} 张，{cycle.name}")
