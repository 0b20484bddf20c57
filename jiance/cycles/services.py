"""Loading, copying and activating monitoring cycles. The template (jiance_core.cycles) is the
source of truth; milestones and document kinds become rows so pages can query them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from jiance import clock
from jiance.apps_registry import check_cycle_done_when, check_done_when
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.cycles.completion import (  # milestones done and reopened; apps import them from here
    milestone_complete,
    milestone_reopen,
    milestones_observed,
    milestones_withdrawn,
)
from jiance.cycles.models import (
    Cycle,
    CycleStatus,
    CycleTextFlag,
    DocumentKind,
    Milestone,
)
from jiance.units.models import Level, Unit
from jiance_core.cycles.loader import load_template, parse_template, shift_cycle_with_flags
from jiance_core.cycles.schema import CycleTemplate

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates_data"

# Template levels use "national" for the centre.
TEMPLATE_LEVEL_TO_UNIT_LEVEL = {
    "national": Level.CENTRE,
    "province": Level.PROVINCE,
    "city": Level.CITY,
    "county": Level.COUNTY,
    "school": Level.SCHOOL,
}


def shipped_template_path(code: str) -> Path:
    return TEMPLATES_DIR / f"{code}.yaml"


def template_of(cycle: Cycle) -> CycleTemplate:
    return parse_template(cycle.config, source=cycle.code)


@transaction.atomic
def cycle_load_template(
    *, template: CycleTemplate, owner: Unit | None = None, replace: bool = False
) -> Cycle:
    """Create (or, with replace, refresh) the cycle described by a validated template.

    Refreshing keeps milestone rows (and so their completions) matched by level and number."""
    check_done_when(template.milestones)  # each done_when names an event an app reports
    config = template.model_dump(mode="json")
    cycle = Cycle.objects.select_for_update().filter(code=template.code).first()
    before = None
    if cycle is not None:
        if not replace:
            raise ValueError(f"监测周期 {template.code} 已存在；如需覆盖请使用 --replace")
        before = {"name": cycle.name, "year": cycle.year}
        cycle.year, cycle.name, cycle.programme, cycle.config = (
            template.year, template.name, template.programme, config,
        )
        if owner is not None:
            cycle.owner = owner
        cycle.version += 1  # an edit page drawn before the reload is stale
        cycle.updated_at = clock.now()
        cycle.save()
    else:
        cycle = Cycle.objects.create(
            code=template.code, year=template.year, name=template.name,
            programme=template.programme, config=config, owner=owner,
        )

    wanted = cycle_materialise(cycle=cycle, template=template)
    audit_record(
        action=Action.UPDATE if before else Action.CREATE, obj=cycle, unit=owner,
        before=before, after={"code": cycle.code, "year": cycle.year, "milestones": len(wanted)},
        detail="载入监测周期模板",
    )
    return cycle


def cycle_materialise(*, cycle: Cycle, template: CycleTemplate) -> dict[tuple[str, int], dict[str, Any]]:
    """Make the rows pages query (milestones, document kinds) match the template; the caller's
    transaction. Milestones are matched by level and number, so the completions of a milestone
    that still exists stay; document kinds are matched by code and updated in place (documents
    submitted against a kind stay attached to it). Returns the milestones wanted."""
    wanted: dict[tuple[str, int], dict[str, Any]] = {}
    for level, items in template.milestones.items():
        unit_level = TEMPLATE_LEVEL_TO_UNIT_LEVEL[level]
        for m in items:
            wanted[(unit_level, m.number)] = {
                "phase": m.phase, "start": m.start, "deadline": m.deadline,
                "task": m.task, "responsible": m.office or "", "done_when": " ".join(m.conditions),
                "confirmed_by": TEMPLATE_LEVEL_TO_UNIT_LEVEL[m.confirmed_by] if m.confirmed_by else "",
            }
    existing = {(row.level, row.number): row for row in cycle.milestones.all()}
    for key, row in existing.items():
        if key not in wanted:
            row.delete()
    for key, fields in wanted.items():
        if key in existing:
            Milestone.objects.filter(pk=existing[key].pk).update(**fields)
        else:
            Milestone.objects.create(cycle=cycle, level=key[0], number=key[1], **fields)

    kinds = {
        d.code: {
            "name": d.name, "level": TEMPLATE_LEVEL_TO_UNIT_LEVEL[d.submitted_by],
            "reviewer_level": TEMPLATE_LEVEL_TO_UNIT_LEVEL[d.reviewed_by] if d.reviewed_by else "",
            "window_start": d.start, "window_end": d.deadline,
        }
        for d in template.documents
    }
    cycle.document_kinds.exclude(code__in=list(kinds)).delete()
    have = set(cycle.document_kinds.values_list("code", flat=True))
    for code, fields in kinds.items():
        if code in have:
            DocumentKind.objects.filter(cycle=cycle, code=code).update(**fields)
        else:
            DocumentKind.objects.create(cycle=cycle, code=code, **fields)
    return wanted


def cycle_load_file(*, path: str | Path, owner: Unit | None = None, replace: bool = False) -> Cycle:
    return cycle_load_template(template=load_template(path), owner=owner, replace=replace)


@transaction.atomic
def cycle_copy(
    *, source: Cycle, new_year: int | None = None, days: int | None = None,
    new_code: str | None = None,
) -> Cycle:
    """“复制去年的周期并顺延日期”: one action. Every date moves by the same offset, and so do the
    dates and years written inside the texts; what the shift could not read without doubt is kept
    as `CycleTextFlag`s, listed on the new cycle's page until an editor confirms each."""
    shifted, flags = shift_cycle_with_flags(
        template_of(source), new_year=new_year, days=days, new_code=new_code
    )
    cycle = cycle_load_template(template=shifted, owner=source.owner)
    CycleTextFlag.objects.bulk_create(
        CycleTextFlag(cycle=cycle, path=f.path[:120], excerpt=f.excerpt[:200], reason=f.reason[:200],
                      text=f.text)
        for f in flags
    )
    audit_record(
        action=Action.CREATE, obj=cycle, unit=source.owner,
        after={"source": source.code, "code": cycle.code, "year": cycle.year, "new_year": new_year,
               "days": days, "flags": len(flags)},
        detail="复制监测周期并顺延日期",
    )
    return cycle


@transaction.atomic
def cycle_activate(*, cycle: Cycle) -> Cycle:
    """Make this the active cycle; any other active cycle of the same programme is closed."""
    check_cycle_done_when(cycle)
    others = Cycle.objects.filter(status=CycleStatus.ACTIVE, programme=cycle.programme).exclude(pk=cycle.pk)
    for other in others:
        other.status = CycleStatus.CLOSED
        other.save(update_fields=["status"])
        audit_record(action=Action.UPDATE, obj=other, after={"status": "closed"})
    cycle.status = CycleStatus.ACTIVE
    cycle.save(update_fields=["status"])
    audit_record(action=Action.UPDATE, obj=cycle, after={"status": "active"}, detail="启用监测周期")
    return cycle


__all__ = [
    "cycle_activate", "cycle_copy", "cycle_load_file", "cycle_load_template", "milestone_complete",
    "milestone_reopen", "milestones_observed", "milestones_withdrawn",
]
