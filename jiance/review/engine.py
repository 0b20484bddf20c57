"""The one transition function of every review chain.

Under `transaction.atomic` it locks the row (`select_for_update`), compares what the page showed
(the posted version, else the status of the object passed in) with the row, checks roles, the
transition table and the reason, writes with a conditional UPDATE on (version, status), records
the history event and the audit entry, and completes the milestone the step may finish (or reopens
it, when the step takes the evidence back: a return, an unlock). Every
refusal is the chain's `ReviewRefused` with a Chinese message; a stale page is told what changed,
when and by whom.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.review.models import Reviewable
from jiance.review.snapshots import snapshot_record

R = TypeVar("R", bound=Reviewable)


def lock(model: type[R], pk: int) -> R:
    """The row, locked until the transaction ends (tests slow this down to force races)."""
    return model.objects.select_for_update().get(pk=pk)  # type: ignore[attr-defined,no-any-return]


def bump(obj: Reviewable, **fields: Any) -> None:
    """Write `fields` and the next version only if nobody changed the row since we read it."""
    now = clock.now()
    updated = type(obj).objects.filter(pk=obj.pk, version=obj.version, status=obj.status).update(  # type: ignore[attr-defined]
        version=obj.version + 1, updated_at=now, **fields
    )
    if updated != 1:
        raise obj.chain.error(_("数据已被他人修改，请刷新页面后重试"))
    for k, v in fields.items():
        setattr(obj, k, v)
    obj.version += 1
    obj.updated_at = now  # type: ignore[attr-defined]


def _when(at: Any) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""


def stale_message(obj: Reviewable, seen_status: str = "") -> str:
    """What changed since the page was drawn: the latest step, when and by whom (and the status
    the page showed, when the caller knows it)."""
    chain = obj.chain
    event = obj.events.order_by("-at", "-pk").select_related("actor").first()  # type: ignore[attr-defined]
    updated = getattr(obj, "updated_at", None)
    if event is None or (updated is not None and updated - event.at > dt.timedelta(seconds=1)):
        # the last change was an edit, which leaves no history row: say when, not who
        return _("%(noun)s已于 %(at)s 被他人修改，页面已过期，请刷新页面后再操作。") % {
            "noun": chain.noun, "at": _when(updated)}
    who = getattr(event.actor, "display_name", "") or getattr(event.actor, "username", "") or _("系统")
    facts = {"noun": chain.noun, "at": _when(event.at), "who": who, "action": event.get_action_display(),
             "seen": chain.status_label(seen_status), "status": chain.status_label(obj.status)}
    if seen_status and seen_status != obj.status:
        return _("%(noun)s已于 %(at)s 由 %(who)s %(action)s，状态刚由“%(seen)s”变为“%(status)s”，"
                 "页面已过期，请刷新页面后再操作。") % facts
    return _("%(noun)s已于 %(at)s 由 %(who)s %(action)s（现为“%(status)s”），页面已过期，请刷新页面后再操作。") % facts


@transaction.atomic
def transition(
    obj: R, action: str, *, scope: Scope, actor: Any, comment: str = "", version: int | None = None,
    check: Callable[[R], None] | None = None,
) -> R:
    """Take `action` on `obj`. `version` is what the page posted (None: the object's status is
    compared instead, for callers without a page). `check` refuses on the locked row (e.g. data
    incomplete). Returns the locked, updated row."""
    chain = obj.chain
    step = chain.actions[action]
    seen_status = obj.status
    row = lock(type(obj), obj.pk)
    if (version is not None and row.version != version) or row.status != seen_status:
        raise chain.error(stale_message(row, seen_status))
    from_status = row.status
    roles = step.roles_for(from_status)
    if roles is not None:
        scope.require(roles, row.unit)  # type: ignore[attr-defined]
    target = row.target_status(action)
    comment = (comment or "").strip()
    if step.reason_required and not comment:
        raise chain.error(str(step.reason_message))
    if check is not None:
        check(row)
    now = clock.now()
    fields: dict[str, Any] = {"status": target, "comment": comment, "locked": target == chain.final}
    if chain.stamp is not None:
        fields |= chain.stamp(action, now, actor)
    bump(row, **fields)
    event = row.events.create(  # type: ignore[attr-defined]
        action=action, actor=actor, at=now, from_status=from_status, to_status=target, comment=comment,
    )
    if chain.snapshot is not None and step.audit == Action.APPROVE:
        snapshot_record(row, event)
    audit_record(
        action=step.audit, obj=row, unit=row.unit, actor=actor,  # type: ignore[attr-defined]
        before={"status": from_status}, after={"status": target, "version": row.version},
        detail=f"{chain.audit_subject}{step.label}" + (f"：{comment}" if comment else ""),
    )
    if step.milestone and chain.milestone_done is not None and chain.milestone_done(row):
        from jiance.cycles.services import milestones_observed  # cycles sits above the root modules

        milestones_observed(cycle=row.cycle, unit=row.unit, event=step.milestone, actor=actor)  # type: ignore[attr-defined]
    _withdraw_evidence(row, from_status, target)
    return row


def _withdraw_evidence(row: Any, from_status: str, target: str) -> None:
    """A step that takes the record out of the statuses that completed a milestone (returned,
    unlocked) reopens the unit's task: its evidence is gone."""
    for event in {s.milestone for s in row.chain.steps if s.milestone}:
        held = row.chain.holding(event)
        if from_status in held and target not in held:
            from jiance.cycles.services import milestones_withdrawn

            milestones_withdrawn(cycle=row.cycle, unit=row.unit, event=event)


def allowed_actions(obj: Reviewable, scope: Scope) -> set[str]:
    """The steps this person may take on `obj` now (for the page's buttons)."""
    out = set()
    for step in obj.chain.steps:
        roles = step.roles_for(obj.status)
        if roles is not None and scope.holds(roles, obj.unit):  # type: ignore[attr-defined]
            out.add(step.code)
    return out
