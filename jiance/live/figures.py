"""The figures of the live progress pages: every app's progress source, per sample school of an
area, rolled up into the area's parts, with the schools that need attention first; cached per
area and day.

Cost: one query for the area's sample schools, then each source's constant number of GROUP BY
queries (`jiance.apps_registry.ProgressSource`), whatever the number of schools. The result is
cached (Django's cache: locmem in development and tests, Redis in production) under a key made of
the cycle, the day, the area's paths, the sources' columns and the **change stamp**
(`apps_registry.progress_stamp()`, bumped by a service after commit through `progress_changed()`),
for `JIANCE_LIVE_TTL` seconds at most: a change an app reports shows at the next poll, and a change
it does not report shows within the TTL. Every viewer of the same area reads the same entry, so
2,000 people polling a city's page cost one computation per change or TTL, not 2,000.

The summary (totals, parts, attention list) and each page of 50 schools are separate entries: a
poll reads the stamp, then the summary with its page (one round trip), never the whole national
list. Each entry carries
a digest of its figures; the view builds the ETag from them, so a recomputation that finds the
same figures answers 304 Not Modified.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator

from jiance import apps_registry
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.replica import replica_reads
from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool
from jiance.units.areas import PAGE_SIZE, Area, rollup
from jiance.units.models import Level

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# School ids per call of a source: bounded lists (SQLite's bound parameters), one call for any
# area up to a province; the centre's national list takes a few.
CHUNK = 10_000
ATTENTION_SHOWN = 20


@dataclass(frozen=True)
class Column:
    key: str
    label: StrOrPromise
    app: str
    weight: int  # attention weight when non-zero (0: never needs attention)


def columns() -> list[Column]:
    """The columns of every declared source, in the registry's order (read, never cached: no
    query, and a test may inject a source)."""
    return [Column(k, label, s.app, int(s.attention.get(k, 0)))
            for s in apps_registry.progress_sources() for k, label in s.columns]


@dataclass(frozen=True)
class SchoolRow:
    code: str
    name: str
    county: str
    path: str
    values: tuple[int, ...]
    weight: int  # the highest attention weight among its non-zero figures (0: nothing to watch)
    score: int  # weight × value summed over them: orders schools of the same weight

    def reasons(self, cols: list[Column]) -> list[tuple[Column, int]]:
        """Its figures that need attention, heaviest first."""
        found = [(c, v) for c, v in zip(cols, self.values, strict=True) if c.weight and v]
        return sorted(found, key=lambda cv: -cv[0].weight)


@dataclass(frozen=True)
class PartRow:
    code: str
    name: str
    schools: int
    attention: int  # schools that need attention
    values: tuple[int, ...]


@dataclass(frozen=True)
class Summary:
    keys: tuple[str, ...]
    schools: int
    totals: tuple[int, ...]
    attention_schools: int
    parts: tuple[PartRow, ...]
    attention: tuple[SchoolRow, ...]  # the first ATTENTION_SHOWN, most urgent first
    digest: str

    @property
    def pages(self) -> int:
        return max(1, -(-self.schools // PAGE_SIZE))


@dataclass(frozen=True)
class PageRows:
    rows: tuple[SchoolRow, ...]
    digest: str


def _digest(*parts: object) -> str:
    return hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()


def cache_key(*, cycle: Cycle, area: Area, day: dt.date, keys: tuple[str, ...]) -> str:
    paths = (area.unit.path,) if area.unit is not None else area.roots
    return "jiance:live:" + _digest(cycle.pk, day.isoformat(), paths, keys, apps_registry.progress_stamp())


def ttl() -> int:
    return int(getattr(settings, "JIANCE_LIVE_TTL", 15))


def _store(key: str, summary: Summary, pages: dict[int, PageRows]) -> None:
    cache.set_many({key: summary, **{f"{key}:p{n}": rows for n, rows in pages.items()}}, timeout=ttl())


def lookup(*, scope: Scope, cycle: Cycle, area: Area, day: dt.date, cols: list[Column],
           page: str | None) -> tuple[str, Summary, Page, PageRows]:
    """(cache key, summary, page, its rows) of the area on `day`: read in two cache round trips
    (the stamp; the summary with the page asked for), or computed and cached with every page."""
    key = cache_key(cycle=cycle, area=area, day=day, keys=tuple(c.key for c in cols))
    wanted = int(page) if page and page.isdigit() else 1
    got = cache.get_many([key, f"{key}:p{wanted}"])
    summary, rows = got.get(key), got.get(f"{key}:p{wanted}")
    pages: dict[int, PageRows] = {}
    if summary is None:
        summary, pages = compute(scope=scope, cycle=cycle, area=area, day=day, cols=cols)
        _store(key, summary, pages)
        rows = pages.get(wanted)
    number = Paginator(range(summary.schools), PAGE_SIZE).get_page(page)
    if rows is None or number.number != wanted:
        rows = pages.get(number.number) or cache.get(f"{key}:p{number.number}")
        if rows is None:  # the page expired before its summary
            summary, pages = compute(scope=scope, cycle=cycle, area=area, day=day, cols=cols)
            _store(key, summary, pages)
            rows = pages.get(number.number, PageRows((), _digest()))
    return key, summary, number, rows


def _sample_schools(*, scope: Scope, cycle: Cycle, area: Area) -> list[tuple[int, str, str, str, str, str]]:
    """(id, code, name, path, county path, county name) of the in-sample schools of the cycle's
    published draws inside the area, in path order: one query."""
    rows = scope.filter(
        SampledSchool.objects.filter(draw__cycle=cycle, draw__status=DrawStatus.PUBLISHED,
                                     status=RowStatus.IN_SAMPLE).filter(area.q("school__")),
        unit_field="school",
    ).order_by("school__path").values_list(
        "school_id", "school__code", "school__name", "school__path", "county__path", "county__name").distinct()
    return list(rows)


@replica_reads  # JIANCE_READ_REPLICA_URL: these GROUP BY queries read the replica (docs/deployment.md)
def compute(*, scope: Scope, cycle: Cycle, area: Area, day: dt.date,
            cols: list[Column]) -> tuple[Summary, dict[int, PageRows]]:
    schools = _sample_schools(scope=scope, cycle=cycle, area=area)
    ids = [s[0] for s in schools]
    figures: dict[int, dict[str, int]] = {}
    for source in apps_registry.progress_sources():
        for i in range(0, len(ids), CHUNK):
            got = source.school_progress(cycle=cycle, school_ids=ids[i:i + CHUNK], day=day)
            for school_id, counts in got.items():
                figures.setdefault(school_id, {}).update(counts)
    keys = tuple(c.key for c in cols)
    rows: list[SchoolRow] = []
    for school_id, code, name, path, _county_path, county_name in schools:
        own = figures.get(school_id, {})
        values = tuple(int(own.get(k, 0) or 0) for k in keys)
        heavy = [(c.weight, c.weight * v) for c, v in zip(cols, values, strict=True) if c.weight and v]
        rows.append(SchoolRow(code, name, county_name, path, values, max((w for w, _x in heavy), default=0),
                              sum(x for _w, x in heavy)))

    # parts: the area's parts one level down, added up from the counties (or from the schools, for a
    # person whose separate units are schools)
    by_school = any(p.level == Level.SCHOOL for p in area.parts)
    by_path: dict[str, Counter[str]] = {}
    for row, school in zip(rows, schools, strict=True):
        c = by_path.setdefault(row.path if by_school else school[4], Counter())
        c["_schools"] += 1
        c["_attention"] += bool(row.weight)
        c.update({k: v for k, v in zip(keys, row.values, strict=True) if v})
    parts = tuple(
        PartRow(u.code, u.name, c["_schools"], c["_attention"], tuple(c[k] for k in keys))
        for u, c in rollup(area, by_path)
    )
    totals = tuple(sum(r.values[i] for r in rows) for i in range(len(keys)))
    urgent = sorted((r for r in rows if r.weight), key=lambda r: (-r.weight, -r.score, r.path))
    digest = _digest(keys, len(rows), totals, parts, urgent[:ATTENTION_SHOWN])
    summary = Summary(keys, len(rows), totals, len(urgent), parts, tuple(urgent[:ATTENTION_SHOWN]), digest)
    pages = {}
    for n in range(1, summary.pages + 1):
        chunk = tuple(rows[(n - 1) * PAGE_SIZE:n * PAGE_SIZE])
        pages[n] = PageRows(chunk, _digest(chunk))
    return summary, pages
