"""Reading the audit log: always through the Scope, only by the people who oversee a unit."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from jiance.accounts.roles import AUDIT_READERS
from jiance.accounts.scoping import Scope
from jiance.audit.models import AuditEntry
from jiance.units.models import Unit, subtree_upper_bound


def can_read_audit(scope: Scope) -> bool:
    return scope.holds(AUDIT_READERS)


def _viewer_q(scope: Scope) -> Q:
    roots = sorted({g.unit_path for g in scope.grants if g.role in AUDIT_READERS})
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(unit__path__gte=root, unit__path__lt=subtree_upper_bound(root))
    return q


def audit_entries(
    *,
    scope: Scope,
    unit: Unit | None = None,
    person: str = "",
    action: str = "",
    result: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """Entries filed under the units this person oversees, newest first. The centre also sees
    entries that belong to no unit (failed logins with unknown usernames, system jobs)."""
    visible = scope.filter(AuditEntry.objects.filter(_viewer_q(scope)), unit_field="unit")
    if scope.is_centre:
        visible = visible | AuditEntry.objects.filter(unit__isnull=True)
    qs = visible.select_related("unit", "actor")
    if unit is not None:
        qs = qs.filter(unit__path__gte=unit.path, unit__path__lt=subtree_upper_bound(unit.path))
    if person:
        qs = qs.filter(
            Q(actor_name__icontains=person) | Q(actor__full_name__icontains=person)
            | Q(object_repr__icontains=person)
        )
    if action:
        qs = qs.filter(action=action)
    if result:
        qs = qs.filter(result=result)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs.order_by("-at", "-id")
