"""Benchmark of the overview and list pages at national scale.

Builds, in a fresh database, the synthetic national hierarchy (centre, 31 provinces, ~340
cities, ~2,850 counties, ~210,000 schools; `jiance_core.synth.national_hierarchy`) and, for one
full province (the largest by default, `--province 36` for 江西省), the work of a cycle as it stands
some ten days before test day:

- every county's frame (属地学校信息) reported and approved (one record per school);
- one published school draw per city (12 primary + 8 junior sample schools per county);
- a roster per sample school and stage in a spread of review states, with its students (up to
  60 each) and a few teachers; in half of the cities the students are drawn (30 per roster);
- an audit log of about 100 entries per county.

Rows are written in bulk (`units_bulk_load`, `jiance.bulk.insert_rows`, `bulk_create`), never
through the services one by one. Then each page of `PAGES` is rendered with Django's test client
as the role that opens it (centre, province, city, county admin), `--repeat` times (by default the
ten pages that were the heaviest before issue 9; `--all` for all 24): the median server time (wall,
and CPU time of the process), the number of queries and the ratio to its target (a province's or
the centre's page 1 s, a city's or county's 300 ms: the demo's target holds at national scale too)
are printed.

Database: a temporary SQLite file by default; with DATABASE_URL set to a PostgreSQL server, a
temporary database `jiance_bench_pages` on that server (dropped afterwards, unless --keep).

Run: ``.venv/bin/python bench/pages.py [--province PP] [--repeat 3] [--seed 1] [--keep]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.benchdb import prepare_database  # noqa: E402

BENCH_DB = "jiance_bench_pages"
TEMPLATE = "national-2022"
PRIMARY_PER_COUNTY, JUNIOR_PER_COUNTY = 12, 8
MAX_STUDENTS = 60
DRAWN_PER_ROSTER = 30
AUDIT_PER_COUNTY = 100


@dataclass(frozen=True)
class Page:
    label: str
    who: str  # centre / province / city / county
    url: str
    target: float  # seconds
    heavy: bool = False  # one of the ten heaviest before issue 9 (measured by default; --all for every page)


def pages(ctx: dict[str, Any]) -> list[Page]:
    p, c, k, cy, d = ctx["province"], ctx["city"], ctx["county"], ctx["cycle"], ctx["draw"]
    return [
        Page("样本校名单总览（省）", "province", "/rosters/overview/", 1.0, heavy=True),
        Page("样本校名单总览（市）", "city", "/rosters/overview/", 0.3, heavy=True),
        Page("样本校名单总览（中心）", "centre", "/rosters/overview/", 1.0, heavy=True),
        Page("属地学校信息总览（省）", "province", "/reporting/frame/overview/", 1.0, heavy=True),
        Page("属地学校信息总览（中心）", "centre", "/reporting/frame/overview/", 1.0, heavy=True),
        Page("样本校抽样（省）", "province", "/sampling/draws/", 1.0, heavy=True),
        Page("样本校抽样结果（市）", "city", f"/sampling/draw/{d.pk}/", 0.3),
        Page("样本学生抽取（省）", "province", "/rosters/draw/", 1.0, heavy=True),
        Page("测试日总览（省）", "province", "/testday/", 1.0, heavy=True),
        Page("测试日总览（市）", "city", "/testday/", 0.3),
        Page("测后上报总览（省）", "province", "/aftertest/", 1.0, heavy=True),
        Page("测后上报总览（市）", "city", "/aftertest/", 0.3, heavy=True),
        Page("周期进度（省）", "province", f"/cycles/{cy.code}/", 1.0),
        Page("单位（省）", "province", f"/units/{p.code}/", 1.0),
        Page("单位（县）", "county", f"/units/{k.code}/", 0.3),
        Page("审计日志（省）", "province", "/audit/", 1.0),
        Page("首页（省）", "province", "/", 1.0),
        Page("首页（市）", "city", "/", 0.3),
        Page("首页（中心）", "centre", "/", 1.0),
        Page("人员（省）", "province", "/accounts/people/", 1.0),
        Page("滞后单位（省）", "province", f"/work/{p.code}/lagging/", 1.0),
        Page("样本校（县）", "county", f"/sampling/county/{k.code}/", 0.3),
        Page("属地学校信息（县）", "county", f"/reporting/frame/county/{k.code}/", 0.3),
        Page("单位（市）", "city", f"/units/{c.code}/", 0.3),
    ]


def build(seed: int, province_prefix: str | None) -> dict[str, Any]:
    """The national hierarchy and one province's cycle work, in bulk."""
    import numpy as np
    import polars as pl
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from jiance import clock
    from jiance.accounts.models import Role, RoleAssignment, User
    from jiance.audit.models import AuditEntry
    from jiance.bulk import insert_rows
    from jiance.crypto import blind_index
    from jiance.cycles.models import Cycle, CycleParticipant
    from jiance.cycles.services import TEMPLATES_DIR, cycle_activate, cycle_load_file
    from jiance.reporting.models import FrameRecord, FrameStatus, FrameSubmission
    from jiance.rosters.models import (
        Roster,
        RosterStatus,
        SampledStudent,
        Student,
        StudentDraw,
        Teacher,
    )
    from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool, SchoolDraw
    from jiance.units.models import Level, Unit
    from jiance.units.services import synth_frame, units_bulk_load

    rng = np.random.default_rng(seed)
    t = time.perf_counter()
    frame = synth_frame(scale="national", seed=seed, centre_code=None)
    result = units_bulk_load(frame=frame)
    print(f"units: {sum(result.counts.values()):,} (national) in {time.perf_counter() - t:.1f} s")

    schools_df = frame.filter(pl.col("level") == "school")
    if province_prefix is None:
        province_prefix = (
            schools_df.group_by(pl.col("code").str.slice(0, 2).alias("p")).len().sort("len", descending=True)
        ).item(0, "p")
    province = Unit.objects.get(code=f"{province_prefix}0000", level=Level.PROVINCE)
    centre = Unit.objects.get(level=Level.CENTRE)
    cycle = cycle_activate(cycle=cycle_load_file(path=TEMPLATES_DIR / f"{TEMPLATE}.yaml", owner=centre))
    test_day = min(cycle.test_days)
    now = clock.now()

    t = time.perf_counter()
    units = list(Unit.objects.filter(path__startswith=province.path).order_by("path"))
    cities = [u for u in units if u.level == Level.CITY]
    counties = [u for u in units if u.level == Level.COUNTY]
    schools = [u for u in units if u.level == Level.SCHOOL]
    by_county: dict[int, list[Unit]] = {}
    for s in schools:
        by_county.setdefault(s.parent_id, []).append(s)  # type: ignore[arg-type]
    city = max(cities, key=lambda c: sum(1 for k in counties if k.parent_id == c.pk))
    county = max((k for k in counties if k.parent_id == city.pk), key=lambda k: len(by_county.get(k.pk, [])))
    from jiance_core.synth import national_school_frame

    sizes = {r["school_id"]: r for r in national_school_frame(seed)
             .filter(pl.col("school_id").str.starts_with(province_prefix))
             .select("school_id", "primary_students", "junior_students").to_dicts()}

    with transaction.atomic():
        # accounts: one admin per level the pages are opened at
        hashed = make_password("bench")
        who = {"centre": (Role.CENTRE_ADMIN, centre), "province": (Role.PROVINCE_ADMIN, province),
               "city": (Role.CITY_ADMIN, city), "county": (Role.COUNTY_ADMIN, county)}
        users = {}
        for key, (role, unit) in who.items():
            users[key] = User.objects.create(username=f"bench.{key}", password=hashed, must_change_password=False)
            RoleAssignment.objects.create(user=users[key], role=role, unit=unit)

        # frames: every county approved
        subs = FrameSubmission.objects.bulk_create([
            FrameSubmission(cycle=cycle, county=k, status=FrameStatus.APPROVED, locked=True, submitted_at=now,
                            reviewed_at=now, reviewed_by=users["city"], created_at=now, updated_at=now)
            for k in counties
        ], batch_size=2000)
        sub_of = {s.county_id: s for s in subs}
        FrameRecord.objects.bulk_create([
            FrameRecord(submission=sub_of[s.parent_id], school=s, school_type=s.school_type or "小学",  # type: ignore[index]
                        nature=s.nature or "公办", area=s.area or "城区", affiliation=s.affiliation or "县属",
                        primary_students=int(sizes.get(s.code, {}).get("primary_students") or 0),
                        junior_students=int(sizes.get(s.code, {}).get("junior_students") or 0),
                        primary_classes=2, junior_classes=2, updated_at=now)
            for s in schools
        ], batch_size=5000)
        CycleParticipant.objects.bulk_create(
            [CycleParticipant(cycle=cycle, unit=k, coordinator_id=k.parent_id) for k in counties], batch_size=5000,
        )

        # school draws: one per city, published; 12 primary + 8 junior sample schools per county
        draws = {c.pk: SchoolDraw.objects.create(
            cycle=cycle, owner=c, seed=seed, frame_hash="0" * 64, plan={},
            counties=[k.code for k in counties if k.parent_id == c.pk], created_at=now,
            created_by=users["city"], status=DrawStatus.PUBLISHED, published_at=now, published_by=users["city"],
        ) for c in cities}
        sampled: list[SampledSchool] = []
        for k in counties:
            pool = by_county.get(k.pk, [])
            for stage, want, col in (("primary", PRIMARY_PER_COUNTY, "primary_students"),
                                     ("junior", JUNIOR_PER_COUNTY, "junior_students")):
                fit = [s for s in pool if int(sizes.get(s.code, {}).get(col) or 0) > 0]
                for s in (fit[i] for i in sorted(rng.choice(len(fit), min(want, len(fit)), replace=False))):
                    sampled.append(SampledSchool(
                        draw=draws[k.parent_id], county=k, stage=stage, school=s, role="sample",  # type: ignore[index]
                        selection_probability=0.2, base_weight=5.0, planned_students=30,
                        school_type=s.school_type or "小学", area=s.area or "城区",
                        primary_students=int(sizes[s.code]["primary_students"] or 0),
                        junior_students=int(sizes[s.code]["junior_students"] or 0),
                        status=RowStatus.IN_SAMPLE, confirmed_at=now,
                    ))
        SampledSchool.objects.bulk_create(sampled, batch_size=5000)
        CycleParticipant.objects.bulk_create(
            [CycleParticipant(cycle=cycle, unit_id=s.school_id, coordinator_id=s.county_id)
             for s in {r.school_id: r for r in sampled}.values()], batch_size=5000,
        )

        # rosters in a spread of states (most approved), students and teachers
        states = [RosterStatus.APPROVED] * 6 + [RosterStatus.COUNTY_APPROVED, RosterStatus.SCHOOL_APPROVED,
                                                RosterStatus.SUBMITTED, RosterStatus.DRAFT, RosterStatus.RETURNED]
        grades = {"primary": 4, "junior": 8}
        rosters = Roster.objects.bulk_create([
            Roster(cycle=cycle, school_id=s.school_id, stage=s.stage, grade=grades[s.stage],
                   status=states[i % len(states)], locked=states[i % len(states)] == RosterStatus.APPROVED,
                   created_at=now, updated_at=now)
            for i, s in enumerate(sampled)
        ], batch_size=5000)
        student_rows: list[tuple[Any, ...]] = []
        teacher_rows: list[Teacher] = []
        born = dt.date(test_day.year - 10, 3, 1)
        for r, s in zip(rosters, sampled, strict=True):
            n = min(MAX_STUDENTS, int(s.primary_students if s.stage == "primary" else s.junior_students))
            for k in range(n):
                student_rows.append((r.pk, cycle.pk, f"学生{k}", "男" if k % 2 else "女", born, "",
                                     blind_index(f"{r.pk}-{k}"), f"{k % 2 + 1}班", str(k + 1), k + 2))
            teacher_rows += [Teacher(roster=r, name=f"教师{j}", sex="女", roles=["chinese"], questionnaire_role="语文",
                                     updated_at=now) for j in range(3)]
        insert_rows(Student, ("roster_id", "cycle_id", "name", "sex", "birth_date", "national_id", "id_index",
                              "class_name", "student_no", "row"), student_rows)
        Teacher.objects.bulk_create(teacher_rows, batch_size=5000)

        # students drawn in half of the cities (30 per approved roster)
        drawn_cities = {c.pk for c in cities[::2]} | {city.pk}
        by_roster: dict[int, list[int]] = {}
        for sid, rid in Student.objects.filter(cycle=cycle).values_list("pk", "roster_id").order_by("pk"):
            by_roster.setdefault(rid, []).append(sid)
        county_city = {k.pk: k.parent_id for k in counties}
        sdraws = {c: StudentDraw.objects.create(cycle=cycle, owner_id=c, seed=seed, created_at=now,
                                                created_by=users["city"]) for c in drawn_cities}
        ss_rows: list[tuple[Any, ...]] = []
        for r, s in zip(rosters, sampled, strict=True):
            c = county_city[s.county_id]
            if c not in drawn_cities or r.status != RosterStatus.APPROVED:
                continue
            ids = by_roster.get(r.pk, [])
            for sid in ids[:DRAWN_PER_ROSTER]:
                ss_rows.append((sdraws[c].pk, sid, r.pk, s.school_id, len(ids), min(len(ids), DRAWN_PER_ROSTER),
                                1.0, 1.0, 5.0))
        insert_rows(SampledStudent, ("draw_id", "student_id", "roster_id", "school_id", "school_students",
                                     "sampled_students", "selection_probability", "within_school_weight",
                                     "final_weight"), ss_rows)

        # the audit log: about AUDIT_PER_COUNTY entries per county, on its schools
        audit_rows: list[tuple[Any, ...]] = []
        for k in counties:
            pool = by_county.get(k.pk, []) or [k]
            for j in range(AUDIT_PER_COUNTY):
                u = pool[j % len(pool)]
                audit_rows.append((now - dt.timedelta(minutes=j), users["county"].pk, "bench", u.pk, "update",
                                   "rosters.Roster", str(j), u.name, "ok", ""))
        insert_rows(AuditEntry, ("at", "actor_id", "actor_name", "unit_id", "action", "object_type", "object_id",
                                 "object_repr", "result", "detail"), audit_rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"{province.name}: {len(cities)} cities, {len(counties)} counties, {len(schools):,} schools; "
          f"{len(sampled):,} sample places, {len(student_rows):,} students, {len(ss_rows):,} drawn, "
          f"{len(audit_rows):,} audit entries; built in {time.perf_counter() - t:.1f} s")
    print(f"city: {city.name} ({sum(1 for k in counties if k.parent_id == city.pk)} counties); "
          f"county: {county.name} ({len(by_county.get(county.pk, []))} schools)")
    assert Cycle.objects.filter(pk=cycle.pk).exists()
    return {"province": province, "city": city, "county": county, "centre": centre, "cycle": cycle,
            "draw": draws[city.pk], "users": users, "test_day": test_day}


def existing() -> dict[str, Any]:
    """The context of a database kept by an earlier run (--reuse)."""
    from jiance.accounts.models import User
    from jiance.cycles.models import Cycle, CycleStatus
    from jiance.sampling.models import SchoolDraw
    from jiance.units.models import Level, Unit

    users = {k: User.objects.get(username=f"bench.{k}") for k in ("centre", "province", "city", "county")}
    unit = {k: u.roles.get().unit for k, u in users.items()}
    cycle = Cycle.objects.get(status=CycleStatus.ACTIVE)
    return {"province": unit["province"], "city": unit["city"], "county": unit["county"],
            "centre": Unit.objects.get(level=Level.CENTRE), "cycle": cycle,
            "draw": SchoolDraw.objects.get(cycle=cycle, owner=unit["city"]), "users": users,
            "test_day": min(cycle.test_days)}


def measure(ctx: dict[str, Any], repeat: int, only: str | None,
            every: bool) -> list[tuple[Page, float, float, int, int]]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    clients: dict[str, Client] = {}
    out = []
    for page in pages(ctx):
        if (only and only not in page.url) or not (every or only or page.heavy):
            continue
        if page.who not in clients:
            clients[page.who] = Client()
            clients[page.who].force_login(ctx["users"][page.who])
        client = clients[page.who]
        client.get(page.url)  # warm: templates, caches
        times, cpus = [], []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as q:
                t, cpu = time.perf_counter(), time.process_time()
                response = client.get(page.url)
                times.append(time.perf_counter() - t)
                cpus.append(time.process_time() - cpu)
        out.append((page, statistics.median(times), statistics.median(cpus), len(q.captured_queries),
                    response.status_code))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--province", help="two-digit province code (default: the largest)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="only pages whose URL contains this")
    parser.add_argument("--all", action="store_true", help="every page of PAGES, not only the ten heaviest")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--reuse", metavar="DATABASE_URL", help="measure a database kept by --keep, no build")
    args = parser.parse_args()

    if args.reuse:
        os.environ["DATABASE_URL"] = args.reuse
        where, cleanup = args.reuse, (lambda: None)
    else:
        where, cleanup = prepare_database(BENCH_DB, keep=args.keep)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiance.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from jiance import clock

    try:
        print(f"database: {where}")
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        if not args.reuse:
            t = time.perf_counter()
            call_command("migrate", verbosity=0)
            print(f"migrate: {time.perf_counter() - t:.1f} s")
        from jiance.cycles.services import TEMPLATES_DIR
        from jiance_core.cycles.loader import load_template

        first_day = min(load_template(TEMPLATES_DIR / f"{TEMPLATE}.yaml").test_days)
        # ten days before test day, mid-morning (the demo's "before" story)
        with clock.frozen(dt.datetime.combine(first_day - dt.timedelta(days=10), dt.time(10, 0))):
            ctx = existing() if args.reuse else build(args.seed, args.province)
            results = measure(ctx, args.repeat, args.only, args.all)
        # wall: server time seen by the client; CPU: this process (on SQLite the database work too)
        print(f"\n{'page':<28} {'who':<9} {'wall':>8} {'CPU':>8} {'queries':>8} {'target':>7} {'ratio':>6}  url")
        failed = 0
        for page, secs, cpu, queries, status in sorted(results, key=lambda r: -r[1]):
            ratio = secs / page.target
            flag = "" if status == 200 else f"  HTTP {status}"
            failed += status != 200
            print(f"{page.label:<28} {page.who:<9} {secs * 1000:6.0f}ms {cpu * 1000:6.0f}ms {queries:8d} "
                  f"{page.target * 1000:5.0f}ms {ratio:6.2f}  {page.url}{flag}")
        over = [r for r in results if r[1] > r[0].target]
        print(f"\n{len(results)} pages, {len(over)} over target, load average {os.getloadavg()[0]:.1f}")
        return 1 if failed else 0
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
