"""Reads of the hierarchy, always through the Scope (or an explicit list of subtree roots)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import Q, QuerySet

from jiance.accounts.roles import UNIT_MANAGERS
from jiance.accounts.scoping import Scope
from jiance.units.importer import ExistingUnit
from jiance.units.models import Level, Unit, subtree_upper_bound

LOOKUP_BATCH = 5000
EXPORT_FIELDS = (
    "code", "name", "level", "parent__code", "county_kind", "school_type", "nature", "area", "affiliation",
)


def can_manage(scope: Scope, unit: Unit) -> bool:
    """May this person import into / export the subtree of `unit`? (never for a school)"""
    return unit.level != Level.SCHOOL and scope.sees(unit) and scope.holds(UNIT_MANAGERS, unit)


def manage_roots(scope: Scope) -> list[str]:
    """Paths of the subtrees where this person holds a managing role (minimal set)."""
    paths = sorted({g.unit_path for g in scope.grants if g.role in UNIT_MANAGERS and g.unit_level != Level.SCHOOL})
    roots: list[str] = []
    for p in paths:
        if not any(p.startswith(r) for r in roots):
            roots.append(p)
    return roots


def subtree_q(roots: Sequence[str]) -> Q:
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(path__gte=root, path__lt=subtree_upper_bound(root))
    return q


def existing_units(codes: Iterable[str]) -> dict[str, ExistingUnit]:
    """The units with these codes, in batches (no per-row queries). Unscoped on purpose: the
    importer needs to know a code is taken even outside the person's subtree, and reports it
    only as "not in your scope"."""
    wanted = sorted(set(codes))
    found: dict[str, ExistingUnit] = {}
    fields = ("id", "path", *EXPORT_FIELDS)
    for i in range(0, len(wanted), LOOKUP_BATCH):
        for v in Unit.objects.filter(code__in=wanted[i : i + LOOKUP_BATCH]).values(*fields):
            v["parent_code"] = v.pop("parent__code") or ""
            found[v["code"]] = ExistingUnit(**v)
    return found


def units_for_export(*, scope: Scope | None, root: Unit | None = None) -> QuerySet[Unit]:
    """The units a person may see (optionally under `root`), parents before children."""
    qs = Unit.objects.all() if scope is None else scope.units()
    if root is not None:
        qs = qs.filter(path__gte=root.path, path__lt=subtree_upper_bound(root.path))
    return qs.order_by("path")


def export_rows(qs: QuerySet[Unit], *, chunk: int = 5000) -> Iterator[dict[str, Any]]:
    for v in qs.values(*EXPORT_FIELDS).iterator(chunk_size=chunk):
        v["parent_code"] = v.pop("parent__code") or ""
        yield v


def schools_under(unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.subtree_of(unit).schools()
