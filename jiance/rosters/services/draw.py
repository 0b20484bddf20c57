"""The student draw over the approved rosters of a cycle, and the sampled-student export rows."""

from __future__ import annotations

import secrets
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.bulk import insert_rows
from jiance.cycles.models import Cycle
from jiance.rosters import selectors
from jiance.rosters.models import (
    Roster,
    RosterError,
    RosterStatus,
    SampledStudent,
    Student,
    StudentDraw,
)
from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool
from jiance.stages import stage_name
from jiance.units.models import Unit
from jiance_core.rooms.students import sample_students


# --- the student draw ---------------------------------------------------------------------------
@transaction.atomic
def students_draw(
    *, cycle: Cycle, actor: Any, seed: int | None = None, scope: Scope | None = None, area: Unit | None = None,
) -> StudentDraw:
    """Draw the sample students of the in-sample schools below `area` (a county, say; default the
    actor's city, province or centre) that have no sample students yet: equal probability within
    each school, the school's planned size (all if fewer), seeded and reproducible.

    A county whose rosters are all approved by the city is drawn without waiting for the others
    (one lagging county must not hold up the test day of the rest); a later draw for the city
    takes the schools still left. Refused unless every roster it covers is approved by the city.
    """
    scope = scope or Scope(actor)
    owner = selectors.draw_owner(scope=scope)
    if owner is None:
        raise PermissionDenied
    area = owner if area is None else area
    if not area.path.startswith(owner.path):
        raise Http404
    Cycle.objects.select_for_update().filter(pk=cycle.pk).first()  # one draw of a cycle at a time
    if StudentDraw.objects.filter(cycle=cycle, owner=area).exists():
        raise RosterError(_("%(owner)s本周期已抽取样本学生，不能重复抽取") % {"owner": area.name})
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    if seed < 0:
        raise RosterError(_("随机种子应为非负整数"))
    # (school, stage) places whose students an earlier draw of this cycle already took
    drawn = set(Roster.objects.filter(
        cycle=cycle, pk__in=SampledStudent.objects.filter(draw__cycle=cycle).values("roster_id"),
    ).values_list("school_id", "stage"))
    rows = [
        r for r in SampledSchool.objects.filter(
            draw__cycle=cycle, draw__status=DrawStatus.PUBLISHED, status=RowStatus.IN_SAMPLE,
            school__path__startswith=area.path,
        ).select_related("school")
        if (r.school_id, r.stage) not in drawn
    ]
    if not rows:
        if drawn:
            raise RosterError(_("%(owner)s的样本校均已抽取样本学生") % {"owner": area.name})
        raise RosterError(_("%(owner)s本周期没有已发布的样本校") % {"owner": area.name})
    rosters = {(r.school_id, r.stage): r for r in selectors.rosters_for_draw(cycle=cycle, owner=area)
               if (r.school_id, r.stage) not in drawn}
    missing = [f"{r.school.name}（{stage_name(r.stage)}）" for r in rows if (r.school_id, r.stage) not in rosters]
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
        cycle=cycle, owner=area, seed=seed, created_at=clock.now(), created_by=actor,
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
        action=Action.CREATE, obj=draw, unit=area, actor=actor,
        after={"seed": seed, "schools": draw.schools, "students": draw.students},
        detail=f"样本学生抽取：{area.name}，{cycle.name}，随机种子 {seed}，{draw.schools} 份名单，{draw.students} 名学生",
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
