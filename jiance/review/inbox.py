"""What waits in a review chain, for the app registry's inbox: read from the chain's specification,
never listed again by the app.

A record waits for someone in two cases: it is under review (a status that is neither editable nor
final), and waits for the roles that may take a step from there; or it was returned (the target
of a returning step), and waits for the roles that may submit it again. A draft waits for nobody,
nor does what is done. One query for every status the person may act on, scoped through the Scope.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from jiance.apps_registry import InboxItem
from jiance.audit.models import Action

if TYPE_CHECKING:
    from jiance.accounts.roles import Roles
    from jiance.accounts.scoping import Scope
    from jiance.cycles.models import Cycle
    from jiance.review.spec import Chain


def waiting(chain: Chain) -> list[tuple[str, Roles, str]]:
    """(status, the roles it waits for, "review" or "returned") for every status that waits for
    someone, in the order of the chain's statuses."""
    returned = {s.target for s in chain.steps if s.audit == Action.RETURN}
    out: list[tuple[str, Roles, str]] = []
    for status in chain.statuses.values:
        if status == chain.final or (status in chain.editable and status not in returned):
            continue
        who: list[str] = []
        for step in chain.steps:
            for role in step.roles_for(status) or ():
                if role not in who:
                    who.append(role)
        if who:
            out.append((status, tuple(who), "returned" if status in returned else "review"))
    return out


def review_inbox(
    *, scope: Scope, cycle: Cycle, chain: Chain, queryset: QuerySet[Any], unit_field: str,
    title: Callable[[Any], str], url: Callable[[Any], str], app: str, kinds: Mapping[str, str] | None = None,
) -> Iterable[InboxItem]:
    """The records of `queryset` (the chain's model, with what `title` and `url` read selected)
    in `cycle` that wait for the person of `scope`, newest first. `unit_field` names the unit a
    record belongs to (the roles are checked there); `kinds` overrides an item's kind per status
    (e.g. the principal's "check")."""
    q = Q(pk__in=[])
    kind_of: dict[str, str] = {}
    for status, who, kind in waiting(chain):
        if scope.holds(who):
            q |= Q(status=status, **{f"{unit_field}__in": scope.units_for_roles(who)})
            kind_of[status] = (kinds or {}).get(status, kind)
    if not kind_of:
        return []
    rows = queryset.filter(q, cycle=cycle).select_related(unit_field).order_by("-updated_at", "pk")
    return [
        InboxItem(kind=kind_of[r.status],  # type: ignore[arg-type]
                  title=title(r), unit=getattr(r, unit_field).name, since=r.updated_at, url=url(r), app=app)
        for r in rows
    ]
