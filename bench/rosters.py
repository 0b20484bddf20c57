"""Benchmark of the sample schools' rosters: a 100,000-row student XLSX and the student draw.

Prints:

1. the import of a 100,000-row student XLSX (synthetic Nanchang grade-4 students,
   `jiance_core.synth.nanchang_city(seed).students(4)`) through `jiance.rosters.services.roster_import`
   with full validation (GB 11643 check digit, birth dates against the ID and the grade, duplicates
   in the file and against the cycle by blind index), encryption and one bulk insert: wall time,
   CPU time, peak Python memory (tracemalloc, in a second run) and the process's peak RSS;
2. django-import-export (dev dependency) importing the same file into the same model with a
   comparable `ModelResource`: date widget, model `full_clean`, a per-row GB 11643 / birth-date
   check with `jiance_core.idcard.validate`, the blind index and encryption, `use_bulk`; its wall
   time and the ratio between the two;
3. the student draw (`students_draw`) over 7,000 approved sample-school rosters (~45 students each).

Database: a temporary SQLite file by default; with DATABASE_URL set to a PostgreSQL server, a
temporary database `jiance_bench_rosters` on that server (dropped afterwards, unless --keep).

Run: ``.venv/bin/python bench/rosters.py [--rows 100000] [--schools 7000] [--seed 1] [--keep]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.benchdb import django_ready, migrate_printed, prepare_database  # noqa: E402

BENCH_DB = "jiance_bench_rosters"
TEST_DAY = dt.date(2027, 5, 20)  # jiance_core.synth.DEFAULT_TEST_DATE


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def student_file(seed: int, rows: int) -> bytes:
    import polars as pl
    from openpyxl import Workbook

    from jiance_core.synth import nanchang_city

    s = nanchang_city(seed).students(4).head(rows)
    s = s.select(
        pl.col("school_id").alias("学校代码"), pl.col("name").alias("姓名"), pl.col("sex").alias("性别"),
        pl.col("birth_date").cast(pl.String).alias("出生日期"), pl.col("id_number").alias("身份证号"),
        pl.col("class_name").alias("班级"), pl.col("student_no").cast(pl.String).alias("学号"),
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("数据")
    ws.append(s.columns)
    for row in s.iter_rows():
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def import_export_resource(roster: Any) -> Any:
    """A django-import-export Resource doing what it can of the same checks."""
    from import_export import fields, resources, widgets

    from jiance.crypto import blind_index
    from jiance.rosters.models import Student
    from jiance_core.idcard import validate

    class StudentResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名")
        sex = fields.Field(attribute="sex", column_name="性别")
        birth_date = fields.Field(attribute="birth_date", column_name="出生日期", widget=widgets.DateWidget("%Y-%m-%d"))
        national_id = fields.Field(attribute="national_id", column_name="身份证号")
        class_name = fields.Field(attribute="class_name", column_name="班级")
        student_no = fields.Field(attribute="student_no", column_name="学号")

        class Meta:
            model = Student
            fields = ("name", "sex", "birth_date", "national_id", "class_name", "student_no")
            import_id_fields: list[str] = []
            force_init_instance = True
            use_bulk = True
            batch_size = 2000
            skip_diff = True
            clean_model_instances = True

        def before_import_row(self, row: Any, **kwargs: Any) -> None:
            nid = str(row.get("身份证号") or "").strip().upper()
            check = validate(nid, TEST_DAY)
            if not check.ok:
                raise ValueError(check.reason)
            born = nid[6:14]
            if str(row.get("出生日期") or "").replace("-", "") != born:
                raise ValueError("出生日期与身份证号不符")
            row["身份证号"] = nid

        def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            instance.roster = roster
            instance.cycle_id = roster.cycle_id
            instance.id_index = blind_index(instance.national_id)

        def init_instance(self, row: Any = None) -> Any:
            inst = Student(roster=roster, cycle_id=roster.cycle_id)
            inst.id_index = blind_index(str((row or {}).get("身份证号") or ""))
            return inst

    return StudentResource()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--schools", type=int, default=7_000)
    parser.add_argument("--skip-import-export", action="store_true")
    parser.add_argument("--skip-tracemalloc", action="store_true", help="no second, traced run (slow)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    where, cleanup = prepare_database(BENCH_DB, keep=args.keep)
    django_ready()

    from jiance import clock
    from jiance.accounts.models import Role, RoleAssignment, User
    from jiance.accounts.scoping import Scope
    from jiance.cycles.models import Cycle, CycleStatus
    from jiance.rosters import services
    from jiance.rosters.models import Roster, RosterStatus, Student
    from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool, SchoolDraw
    from jiance.units.models import Level, Unit

    try:
        migrate_printed(where)

        centre = Unit.objects.create(code="CN", name="中心", level=Level.CENTRE)
        province = Unit.objects.create(code="360000", name="江西省", level=Level.PROVINCE, parent=centre)
        city = Unit.objects.create(code="360100", name="南昌市", level=Level.CITY, parent=province)
        county = Unit.objects.create(code="360121", name="南昌县", level=Level.COUNTY, parent=city)
        school = Unit.objects.create(code="3601219999", name="基准小学", level=Level.SCHOOL, parent=county,
                                     school_type="小学", area="城区")
        cycle = Cycle.objects.create(
            code="bench", year=2027, name="基准周期", status=CycleStatus.ACTIVE,
            config={"grades": {"primary": 4, "junior": 8}, "test_days": [TEST_DAY.isoformat()],
                    "sample_size": {"students_per_school": 30},
                    "release": {"day": TEST_DAY.isoformat(), "start": "07:30"}},
        )
        officer = User.objects.create(username="bench_xx")
        RoleAssignment.objects.create(user=officer, role=Role.SCHOOL_INFO_OFFICER, unit=school)
        city_admin = User.objects.create(username="bench_city")
        RoleAssignment.objects.create(user=city_admin, role=Role.CITY_ADMIN, unit=city)
        draw = SchoolDraw.objects.create(cycle=cycle, owner=city, seed=1, frame_hash="0" * 64, plan={},
                                         counties=[county.code], created_at=clock.now())
        SampledSchool.objects.create(
            draw=draw, county=county, stage="primary", school=school, role="sample", selection_probability=1,
            base_weight=1, planned_students=30, school_type="小学", area="城区", status=RowStatus.IN_SAMPLE,
        )
        SchoolDraw.objects.filter(pk=draw.pk).update(status=DrawStatus.PUBLISHED)

        t = time.perf_counter()
        content = student_file(args.seed, args.rows)
        print(f"file: {args.rows:,} rows, {len(content) / 1e6:.1f} MB XLSX, generated in {time.perf_counter() - t:.1f} s")

        scope = Scope(officer)
        roster = services.roster_open(scope=scope, cycle=cycle, school=school, stage="primary")

        # 1. our import (time), then again under tracemalloc (peak Python memory)
        t, cpu = time.perf_counter(), time.process_time()
        out = services.roster_import(scope=scope, roster=roster, content=content, filename="students.xlsx",
                                     actor=officer)
        ours, ours_cpu = time.perf_counter() - t, time.process_time() - cpu
        if not out.applied:
            print("import refused:", [str(e) for e in out.check.errors[:10]])
            return 1
        assert Student.objects.filter(roster=roster).count() == args.rows
        print(f"jiance import: {ours:.1f} s wall, {ours_cpu:.1f} s CPU, {args.rows / ours:,.0f} rows/s; "
              f"peak RSS so far {rss_mb():,.0f} MB")
        if not args.skip_tracemalloc:
            tracemalloc.start()
            t = time.perf_counter()
            services.roster_import(scope=scope, roster=roster, content=content, filename="students.xlsx",
                                   actor=officer)
            traced = time.perf_counter() - t
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"jiance import under tracemalloc: {traced:.1f} s, peak Python memory {peak / 1e6:,.0f} MB")

        # 2. django-import-export, the same file into the same model
        if not args.skip_import_export:
            import tablib

            Student.objects.filter(roster=roster).delete()
            resource_ = import_export_resource(roster)
            t, cpu = time.perf_counter(), time.process_time()
            dataset = tablib.Dataset().load(content, format="xlsx")
            result = resource_.import_data(dataset, dry_run=False, raise_errors=False, use_transactions=True)
            theirs, theirs_cpu = time.perf_counter() - t, time.process_time() - cpu
            n = Student.objects.filter(roster=roster).count()
            print(f"django-import-export: {theirs:.1f} s wall, {theirs_cpu:.1f} s CPU, {n:,} rows written, "
                  f"{len(result.row_errors())} row errors, {len(result.invalid_rows)} invalid rows; "
                  f"peak RSS so far {rss_mb():,.0f} MB")
            if result.row_errors():
                line, errs = result.row_errors()[0]
                print(f"  first row error (line {line}): {errs[0].error!r}")
            print(f"ratio: jiance is {theirs / ours:.1f}× faster")
            Student.objects.filter(roster=roster).delete()

        # 3. the student draw over N approved rosters (ID numbers left empty: the draw never reads them)
        Student.objects.filter(roster=roster).delete()
        import polars as pl

        from jiance.crypto import blind_index
        from jiance_core.synth import nanchang_city

        t = time.perf_counter()
        frame = nanchang_city(args.seed).schools.filter(pl.col("primary_students") > 0)
        reps = -(-args.schools // frame.height)
        counties = [Unit(code=f"36{k:04d}", name=f"县{k}", level=Level.COUNTY, parent=city,
                         path=f"{city.path}36{k:04d}/") for k in range(200, 200 + max(1, args.schools // 20))]
        Unit.objects.bulk_create(counties, batch_size=2000)
        schools = [
            Unit(code=f"{counties[i % len(counties)].code}{i:05d}", name=f"学校{i}", level=Level.SCHOOL,
                 parent=counties[i % len(counties)], school_type="小学", area="城区",
                 path=f"{counties[i % len(counties)].path}{counties[i % len(counties)].code}{i:05d}/")
            for i in range(args.schools)
        ]
        Unit.objects.bulk_create(schools, batch_size=2000)
        schools = list(Unit.objects.filter(level=Level.SCHOOL).exclude(pk=school.pk).order_by("code"))
        sizes = (frame["primary_students"].to_numpy().tolist() * reps)[: args.schools]
        SampledSchool.objects.bulk_create([
            SampledSchool(draw=draw, county_id=s.parent_id, stage="primary", school=s, role="sample",
                          selection_probability=0.1, base_weight=10.0, planned_students=30, school_type="小学",
                          area="城区", status=RowStatus.IN_SAMPLE)
            for s in schools
        ], batch_size=2000)
        now = clock.now()
        rosters = Roster.objects.bulk_create([
            Roster(cycle=cycle, school=s, stage="primary", grade=4, status=RosterStatus.APPROVED, locked=True,
                   created_at=now, updated_at=now)
            for s in schools
        ], batch_size=2000)
        Roster.objects.filter(pk=roster.pk).update(status=RosterStatus.APPROVED, locked=True)
        batch: list[Student] = []
        total = 0
        for r, n in zip(rosters, sizes, strict=True):
            n = max(5, min(int(n) // 3, 90))  # a tested grade of 5-90 students
            for k in range(n):
                batch.append(Student(roster=r, cycle=cycle, name="学生", sex="男", birth_date=dt.date(2017, 1, 1),
                                     national_id="", id_index=blind_index(f"{r.pk}-{k}"), class_name="1班",
                                     student_no=str(k), row=k + 2))
            if len(batch) >= 20_000:
                Student.objects.bulk_create(batch, batch_size=5000)
                total += len(batch)
                batch = []
        Student.objects.bulk_create(batch, batch_size=5000)
        total += len(batch)
        print(f"draw setup: {args.schools:,} sample schools, {total:,} students in {time.perf_counter() - t:.1f} s")
        t, cpu = time.perf_counter(), time.process_time()
        result_draw = services.students_draw(cycle=cycle, actor=city_admin, seed=20270520)
        drawn, drawn_cpu = time.perf_counter() - t, time.process_time() - cpu
        print(f"students_draw: {result_draw.schools:,} rosters, {result_draw.students:,} sampled students in "
              f"{drawn:.1f} s wall, {drawn_cpu:.1f} s CPU")
        return 0
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
