"""Benchmark of the administrative hierarchy at national scale.

Builds the synthetic national hierarchy (centre, 31 provinces, ~340 cities, ~2,850 counties,
~210,000 schools; `jiance_core.synth.national_hierarchy`) in a fresh database and prints:

- generation time (polars, jiance_core) and load time (`units_bulk_load`: checks and paths in
  polars, then executemany on SQLite / COPY on PostgreSQL, one transaction);
- the subtree query at national scale: all schools under the largest province, as a count and
  as a full fetch of the codes (median of --repeat runs), checked against the generator;
- a subtree query one level down (one county) and a scoped query for a county admin;
- EXPLAIN of the subtree queries, to show the unique index on `path` is used.

Database: a temporary SQLite file by default; with DATABASE_URL set to a PostgreSQL server, a
temporary database `jiance_bench` on that server (dropped afterwards, unless --keep).

Run: ``.venv/bin/python bench/hierarchy.py [--seed N] [--repeat R] [--keep]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.benchdb import django_ready, migrate_printed, prepare_database  # noqa: E402

BENCH_DB = "jiance_bench"


def timed(fn: Any, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    where, cleanup = prepare_database(BENCH_DB, keep=args.keep)
    django_ready()
    from django.db import connection

    from jiance.accounts.models import Role, RoleAssignment, User
    from jiance.accounts.scoping import Scope
    from jiance.units.models import Level, Unit
    from jiance.units.services import synth_frame, units_bulk_load

    try:
        migrate_printed(where)

        t = time.perf_counter()
        frame = synth_frame(scale="national", seed=args.seed, centre_code=None)
        print(f"generate (jiance_core.synth, seed {args.seed}): {time.perf_counter() - t:.1f} s, {frame.height:,} rows")

        t, cpu = time.perf_counter(), time.process_time()
        result = units_bulk_load(frame=frame)
        load, cpu = time.perf_counter() - t, time.process_time() - cpu
        counts = "，".join(f"{k} {v:,}" for k, v in result.counts.items())
        print(
            f"load: {load:.1f} s wall, {cpu:.1f} s CPU of this process "
            f"(checks + paths {result.seconds_prepare:.1f} s, insert {result.seconds_insert:.1f} s): {counts}"
        )
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"ANALYZE: {time.perf_counter() - t:.1f} s")

        import polars as pl

        schools = frame.filter(pl.col("level") == "school")
        by_province = schools.group_by(pl.col("code").str.slice(0, 2).alias("p")).len().sort("len", descending=True)
        p2, expected = by_province.row(0)
        province = Unit.objects.get(code=f"{p2}0000", level=Level.PROVINCE)
        qs = Unit.objects.subtree_of(province).schools()

        count_t, n = timed(qs.count, args.repeat)
        fetch_t, codes = timed(lambda: list(qs.values_list("code", flat=True)), args.repeat)
        assert n == expected == len(codes), (n, expected, len(codes))
        assert all(c.startswith(p2) for c in codes)
        print(f"\nsubtree of {province.name} ({province.code}), the largest province: {n:,} schools")
        print(f"  count:            {count_t * 1000:8.1f} ms (median of {args.repeat})")
        print(f"  fetch all codes:  {fetch_t * 1000:8.1f} ms (median of {args.repeat})")

        county = Unit.objects.filter(level=Level.COUNTY, path__startswith=province.path).order_by("code").first()
        assert county is not None
        cq = Unit.objects.subtree_of(county).schools()
        ct, cn = timed(lambda: list(cq.values_list("code", flat=True)), args.repeat)
        print(f"subtree of {county.name} ({county.code}): {len(cn):,} schools, fetch {ct * 1000:.1f} ms")

        user = User.objects.create(username="bench_county_admin")
        RoleAssignment.objects.create(user=user, role=Role.COUNTY_ADMIN, unit=county)
        st, sn = timed(lambda: list(Scope(user).units().filter(level=Level.SCHOOL).values_list("code", flat=True)), args.repeat)
        assert sorted(sn) == sorted(cn)
        print(f"Scope(county admin).units() schools: {len(sn):,} schools, {st * 1000:.1f} ms (grants + query)")

        inner_sql, params = qs.values("id").query.sql_with_params()
        explain = "EXPLAIN QUERY PLAN" if connection.vendor == "sqlite" else "EXPLAIN"
        with connection.cursor() as cursor:
            cursor.execute(f"{explain} SELECT COUNT(*) FROM ({inner_sql}) AS t", params)
            count_plan = "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())
        # File round trip at province scale: export, check, re-import unchanged, import new schools.
        from jiance.spreadsheets import build_template
        from jiance.units.importer import export_row, unit_template_spec
        from jiance.units.services import units_export, units_import

        t = time.perf_counter()
        data = units_export(scope=None, root=province)
        print(f"\nexport {province.name} to XLSX: {time.perf_counter() - t:.1f} s, {len(data) / 1e6:.1f} MB")
        t = time.perf_counter()
        checked = units_import(data=data, filename="bench.xlsx", roots=[province.path], dry_run=True)
        c = checked.counts
        print(f"check (dry run) of that file, {c['rows']:,} rows: {time.perf_counter() - t:.1f} s, unchanged {c['unchanged']:,}")
        rows = [
            export_row({**r, "code": r["code"] + "9", "name": r["name"] + "（新校区）"})
            for r in schools.filter(pl.col("code").str.starts_with(p2)).to_dicts()
        ]
        new_file = build_template(unit_template_spec(max_rows=len(rows) + 10), rows)
        t = time.perf_counter()
        imported = units_import(data=new_file, filename="bench-new.xlsx", roots=[province.path])
        assert imported.written, imported.plan.errors[:5]
        print(f"import of {imported.counts['new']:,} new schools (read, check, write, audit): {time.perf_counter() - t:.1f} s")

        print("\nEXPLAIN of the count of the province's schools:")
        print("  " + count_plan.replace("\n", "\n  "))
        print("EXPLAIN of the fetch of their codes:")
        print("  " + qs.values_list("code", flat=True).explain().replace("\n", "\n  "))
        plan = (count_plan + qs.explain()).lower()
        uses_path = "path" in plan and ("index" in plan)
        print(f"\npath index used: {'yes' if uses_path else 'NO'}")
        return 0 if uses_path else 1
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
