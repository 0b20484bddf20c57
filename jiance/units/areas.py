"""Drill-down of the overview pages: the area a page shows, and figures rolled up to its parts.

An overview page at province or national scale does not list every school on one page: it shows
one *area* (by default the person's own top unit; `?area=<code>` one level further down), the
area's parts aggregated (a province sees its cities, a city its counties) and a paginated list of
the schools below the area. The figures come from the database grouped by county (one row per
county and status, `GROUP BY`), and `rollup` adds the counties up into the area's parts by path:
the query count does not grow with the number of schools or counties.

`pager_query` keeps the filters of a page in its page links.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import QueryDict

from jiance.accounts.scoping import Scope
from jiance.units.models import Level, Unit, subtree_upper_bound

PAGE_SIZE = 50


@dataclass
class Area:
    """The unit a page shows (None: all of the person's separate units), the way down to it from
    the person's own units (breadcrumbs), and its parts one level down (none at county level)."""

    unit: Unit | None
    roots: tuple[str, ...]  # the subtrees the person may see with the page's roles
    trail: list[Unit] = field(default_factory=list)
    parts: list[Unit] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.unit.code if self.unit is not None else ""

    def q(self, prefix: str = "") -> Q:
        """Rows whose `<prefix>path` is inside the area (and inside the person's subtrees)."""
        name = f"{prefix}path"
        paths = (self.unit.path,) if self.unit is not None else self.roots
        q = Q(pk__in=[])
        for p in paths:
            q |= Q(**{f"{name}__gte": p, f"{name}__lt": subtree_upper_bound(p)})
        return q


def _roots(scope: Scope, roles: Iterable[str]) -> tuple[str, ...]:
    wanted = set(roles)
    paths = sorted({g.unit_path for g in scope.grants if g.role in wanted})
    roots: list[str] = []
    for p in paths:
        if not any(p.startswith(r) for r in roots):
            roots.append(p)
    return tuple(roots)


def area_for(*, scope: Scope, roles: Iterable[str], code: str = "") -> Area:
    """The area `code` names (404 outside the person's subtrees for `roles`), or the person's
    own top unit when `code` is empty. Two queries at most."""
    roots = _roots(scope, roles)
    unit: Unit | None
    if code:
        unit = scope.get_unit(code=code)
        if unit.level == Level.SCHOOL or not any(unit.path.startswith(r) for r in roots):
            from django.http import Http404

            raise Http404
    elif len(roots) == 1:
        unit = Unit.objects.get(path=roots[0])
    else:
        unit = None
    if unit is None:
        parts = list(Unit.objects.filter(path__in=roots).order_by("path"))
        return Area(None, roots, [], parts)
    # the way down from the person's root to the unit, and the unit's parts (one query)
    root = next(r for r in roots if unit.path.startswith(r))
    segments = unit.path[len(root):].strip("/").split("/") if unit.path != root else []
    trail_paths = [root + "/".join(segments[:i]) + ("/" if i else "") for i in range(len(segments))]
    wanted = Q(path__in=trail_paths)
    if unit.level != Level.COUNTY:
        wanted |= Q(parent=unit, is_active=True) & ~Q(level=Level.SCHOOL)
    found = list(Unit.objects.filter(wanted).order_by("path"))
    trail = [u for u in found if u.path in trail_paths]
    parts = [u for u in found if u.parent_id == unit.pk and u.path not in trail_paths]
    return Area(unit, roots, trail, parts)


def rollup(area: Area, by_path: Mapping[str, Mapping[str, int]]) -> list[tuple[Unit, Counter[str]]]:
    """Figures grouped by the path of a unit below the area (a county, usually), added up into
    the area's parts: [(part, counter)] in the parts' order, parts without figures included."""
    totals: dict[str, Counter[str]] = {p.path: Counter() for p in area.parts}
    for path, figures in by_path.items():
        for part_path, total in totals.items():
            if path.startswith(part_path):
                total.update(figures)
                break
    return [(p, totals[p.path]) for p in area.parts]


def pager_query(request_get: QueryDict, param: str = "page", **changes: str) -> str:
    """The page's query string without `param` (the page number) and with `changes` (an empty
    value drops the key), for page and filter links."""
    query = request_get.copy()
    query.pop(param, None)
    for k, v in changes.items():
        if v:
            query[k] = v
        else:
            query.pop(k, None)
    return query.urlencode()
