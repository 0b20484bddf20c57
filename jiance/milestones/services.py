"""Marking a task done by hand, undoing it, and the level above's confirmation or return.

The unit's own office (its level's office, `roles.LEVEL_OFFICE`) marks and undoes; where the
cycle names a level that confirms (`confirmed_by`), marking asks for confirmation and the office of
that level confirms (the task is done) or returns it with a reason (open again). Every step goes
through the review engine (version the page was built from, history, audit); completing and
reopening go through `jiance.cycles.services`, so the level above's `subunits_done` follows."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts.roles import LEVEL_OFFICE
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Milestone
from jiance.cycles.services import milestone_complete, milestone_reopen
from jiance.milestones.attachments import Attachment
from jiance.milestones.models import MarkAction, MarkError, MilestoneMark
from jiance.review.engine import transition
from jiance.units.models import Unit


def _own_office(scope: Scope, unit: Unit, milestone: Milestone) -> None:
    if milestone.level != unit.level:
        raise MarkError(_("该工作节点不属于本级单位"))
    scope.require(LEVEL_OFFICE.get(unit.level, ()), unit)


def _confirmer(scope: Scope, mark: MilestoneMark) -> None:
    level = mark.milestone.confirmed_by
    if not level:
        raise MarkError(_("该工作节点无需上级确认"))
    scope.require(LEVEL_OFFICE.get(level, ()), mark.unit)


def mark_row(*, milestone: Milestone, unit: Unit) -> MilestoneMark:
    now = clock.now()
    row, _created = MilestoneMark.objects.get_or_create(
        milestone=milestone, unit=unit,
        defaults={"cycle_id": milestone.cycle_id, "created_at": now, "updated_at": now, "status": "open"},
    )
    return row


@transaction.atomic
def milestone_mark(
    *, scope: Scope, milestone: Milestone, unit: Unit, actor: Any, note: str = "",
    attachment: Attachment | None = None, version: int | None = None,
) -> MilestoneMark:
    """The unit's office marks its task done, with an optional note and attachment: done at once,
    or waiting for the level above when the cycle has it confirm."""
    _own_office(scope, unit, milestone)
    if milestone.observed:
        raise MarkError(_("该工作节点由平台在相应工作完成后自动记录，不能手工标记"))
    note = (note or "").strip()[:500]
    row = mark_row(milestone=milestone, unit=unit)
    action = MarkAction.SUBMIT if milestone.confirmed_by else MarkAction.MARK
    row = transition(row, action, scope=scope, actor=actor, comment=note, version=version)
    fields: dict[str, Any] = {"note": note, "marked_at": row.updated_at,
                              "marked_by": actor if getattr(actor, "pk", None) else None,
                              "attachment": None, "attachment_name": "", "attachment_type": ""}
    if attachment is not None:
        fields |= {"attachment": attachment.content, "attachment_name": attachment.name,
                   "attachment_type": attachment.kind}
    MilestoneMark.objects.filter(pk=row.pk).update(**fields)
    if action == MarkAction.MARK:
        milestone_complete(milestone=milestone, unit=unit, actor=actor, note=note or "已手工标记完成")
    return row


@transaction.atomic
def milestone_undo(*, scope: Scope, mark: MilestoneMark, actor: Any, version: int | None = None) -> MilestoneMark:
    """The unit's office takes its marking back: the task is open again."""
    _own_office(scope, mark.unit, mark.milestone)
    row = transition(mark, MarkAction.UNDO, scope=scope, actor=actor, version=version)
    milestone_reopen(milestone=mark.milestone, unit=mark.unit)
    return row


@transaction.atomic
def milestone_confirm(*, scope: Scope, mark: MilestoneMark, actor: Any, comment: str = "",
                      version: int | None = None) -> MilestoneMark:
    _confirmer(scope, mark)
    row = transition(mark, MarkAction.CONFIRM, scope=scope, actor=actor, comment=comment, version=version)
    milestone_complete(milestone=mark.milestone, unit=mark.unit, actor=actor, note=mark.note or "上级已确认完成")
    return row


@transaction.atomic
def milestone_return(*, scope: Scope, mark: MilestoneMark, actor: Any, comment: str,
                     version: int | None = None) -> MilestoneMark:
    _confirmer(scope, mark)
    return transition(mark, MarkAction.RETURN, scope=scope, actor=actor, comment=comment, version=version)
