"""The one scoping layer: what a person may see and do.

A person sees the units where they hold a role and those units' descendants, nothing else.
Every query that returns units, people or answers goes through `Scope`; views never filter
by hand. A foreign object answers exactly like a missing one (404).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from jiance.accounts.models import Role, RoleAssignment
from jiance.errors import RoleRequired
from jiance.units.models import Level, Unit, subtree_upper_bound

if TYPE_CHECKING:
    from jiance.accounts.models import User

M = TypeVar("M", bound=Model)

# `cycles.CycleStatus.CLOSED` (the cycles app sits above accounts, so named by value here).
CLOSED_CYCLE = "closed"


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: int
    unit_path: str
    unit_level: str
    unit_name: str

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


class Scope:
    def __init__(self, user: User | Any) -> None:
        self.user = user
        self._stand_in: tuple[Grant, ...] | None = None

    @classmethod
    def acting_for(cls, unit: Unit, role: str) -> Scope:
        """Someone holding `role` at `unit` who has no account: the demo acts through the real
        services for the people it creates no login for. The permission checks see exactly this
        one grant; `user` is None, so the audit log names whoever `acting_as` says. Never for a
        request."""
        scope = cls(None)
        scope._stand_in = (Grant(role, unit.pk, unit.path, unit.level, unit.name),)
        return scope

    @cached_property
    def grants(self) -> tuple[Grant, ...]:
        if self._stand_in is not None:
            return self._stand_in
        if not getattr(self.user, "is_authenticated", False):
            return ()
        rows = (
            RoleAssignment.objects.filter(user_id=self.user.pk, unit__is_active=True)
            .exclude(cycle__status=CLOSED_CYCLE)  # a cycle-bound role ends with its cycle
            .select_related("unit")
            .order_by("unit__path", "role")
        )
        return tuple(
            Grant(r.role, r.unit_id, r.unit.path, r.unit.level, r.unit.name) for r in rows
        )

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    @cached_property
    def root_paths(self) -> tuple[str, ...]:
        """The minimal set of subtree roots this person can see."""
        paths = sorted({g.unit_path for g in self.grants})
        roots: list[str] = []
        for p in paths:
            if not any(p.startswith(r) for r in roots):
                roots.append(p)
        return tuple(roots)

    @cached_property
    def home_units(self) -> list[Unit]:
        ids = list(dict.fromkeys(g.unit_id for g in self.grants))
        units = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
        return [units[i] for i in ids if i in units]

    @property
    def primary_unit(self) -> Unit | None:
        """The highest unit where the person holds a role."""
        units = sorted(self.home_units, key=lambda u: (u.path.count("/"), u.path))
        return units[0] if units else None

    def path_q(self, prefix: str = "") -> Q:
        """Q restricting `<prefix>path` to the person's subtrees; matches nothing if none."""
        field = f"{prefix}path"
        q = Q(pk__in=[])
        for root in self.root_paths:
            q |= Q(**{f"{field}__gte": root, f"{field}__lt": subtree_upper_bound(root)})
        return q

    # --- reads -------------------------------------------------------------------------
    def units(self) -> QuerySet[Unit]:
        return Unit.objects.filter(self.path_q())

    def filter(self, queryset: QuerySet[M], *, unit_field: str = "unit") -> QuerySet[M]:
        """Restrict any queryset whose rows belong to a unit (via `unit_field`)."""
        if queryset.model is Unit and unit_field in ("", "self"):
            return queryset.filter(self.path_q())  # type: ignore[return-value]
        return queryset.filter(self.path_q(prefix=f"{unit_field}__"))

    def get(self, queryset: QuerySet[M], *, unit_field: str = "unit", **lookup: Any) -> M:
        """One object inside the scope, or 404 — a foreign object looks like a missing one."""
        try:
            return self.filter(queryset, unit_field=unit_field).get(**lookup)
        except queryset.model.DoesNotExist as exc:  # type: ignore[attr-defined]
            raise Http404 from exc

    def get_unit(self, **lookup: Any) -> Unit:
        return self.get(Unit.objects.all(), unit_field="self", **lookup)

    def sees(self, unit: Unit) -> bool:
        return any(unit.path.startswith(root) for root in self.root_paths)

    # --- permissions -------------------------------------------------------------------
    def holds(self, roles: Iterable[str], unit: Unit | None = None) -> bool:
        """Holds one of `roles` at `unit` or at one of its ancestors (any unit if None)."""
        wanted = set(roles)
        for g in self.grants:
            if g.role in wanted and (unit is None or unit.path.startswith(g.unit_path)):
                return True
        return False

    def holds_at_level(self, roles: Iterable[str], level: str) -> bool:
        wanted = set(roles)
        return any(g.role in wanted and g.unit_level == level for g in self.grants)

    def require(self, roles: Iterable[str], unit: Unit | None = None) -> None:
        """Raise 404 when the unit is outside the scope, 403 (naming who may act) when the role
        is missing."""
        roles = tuple(roles)
        if unit is not None and not self.sees(unit):
            raise Http404
        if not self.holds(roles, unit):
            raise RoleRequired(roles, [str(Role(r).label) for r in roles if r in Role.values])

    def units_for_roles(self, roles: Iterable[str]) -> QuerySet[Unit]:
        """Units (and descendants) where the person holds one of `roles`."""
        wanted = set(roles)
        q = Q(pk__in=[])
        for g in self.grants:
            if g.role in wanted:
                q |= Q(path__gte=g.unit_path, path__lt=subtree_upper_bound(g.unit_path))
        return Unit.objects.filter(q)

    @property
    def is_centre(self) -> bool:
        return self.holds_at_level([Role.CENTRE_ADMIN], Level.CENTRE)


def get_scope(request: Any) -> Scope:
    scope = getattr(request, "_jiance_scope", None)
    if scope is None or scope.user is not request.user:
        scope = Scope(request.user)
        request._jiance_scope = scope
    return scope
