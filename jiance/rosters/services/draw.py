"""The student draw over the approved rosters of a cycle, and the sampled-student export rows."""

from __future__ import annotations

import secrets
from typing import Any

import polars as pl
from django.db import transaction
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.bulk import insert_rows
from jiance.cycles.models import Cycle
from jiance.rosters import selectors
from jiance.rosters.models import (
    RosterError,
    RosterStatus,
    SampledStudent,
    Student,
    StudentDraw,
)
from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool
from jiance_core.rooms.students import sample_students


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
