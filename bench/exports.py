"""Benchmark of the questionnaire exports (issue 12): time and memory of a 50,000-answer export.

In a throwaway database (SQLite by default, PostgreSQL when DATABASE_URL names one: `bench/benchdb.py`),
the example student questionnaire published, `--responses` students (3,000) with `--answers` answers
each (17: sex, age, the Likert grids, activities, a text…): 51,000 answers, written in bulk. Then each format is
built as the export view builds it (batched queries, `jiance.questionnaires.exports`): CSV (streamed),
XLSX (with the codebook sheet), SPSS .sav. Printed: seconds, file size, and the peak of Python
memory during the build (tracemalloc, a second pass: it slows the build down).

Run: ``.venv/bin/python bench/exports.py [--responses 2000] [--db NAME] [--keep]``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.benchdb import prepare_database  # noqa: E402

ANSWERS = {"sex": ["1", "2"], "age": [str(a) for a in range(12, 16)], "boarding": ["2"], "live_with": ["1", "2", "3"],
           "homework": ["1", "2", "3", "4"], "activities": [["1"], ["1", "4"], ["2", "5"], ["9"]],
           **{f"climate_{i}": ["1", "2", "3", "4"] for i in range(1, 6)},
           **{f"feel_{i}": ["1", "2", "3", "4"] for i in range(1, 5)}, "sleep_hours": ["7.5", "8", "9"],
           "wish": ["多一些体育课", "=1+1", "没有"]}


def build(responses: int, per: int, seed: int) -> object:
    import datetime as dt

    from django.core.management import call_command
    from django.db import transaction

    from jiance import clock
    from jiance.cycles.models import Cycle, CycleStatus
    from jiance.questionnaires.examples import example_xlsx
    from jiance.questionnaires.models import Answer, Kind, Questionnaire, Respondent, Response
    from jiance.questionnaires.services.versions import (
        questionnaires_sync,
        version_publish,
        version_upload,
    )
    from jiance.units.models import Level, Unit

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    now = clock.now()
    with transaction.atomic():
        centre = Unit.objects.create(code="CN", name="监测中心", level=Level.CENTRE)
        province = Unit.objects.create(code="360000", name="江西省", level=Level.PROVINCE, parent=centre)
        city = Unit.objects.create(code="360100", name="南昌市", level=Level.CITY, parent=province)
        county = Unit.objects.create(code="360121", name="南昌县", level=Level.COUNTY, parent=city, county_kind="县")
        schools = [Unit.objects.create(code=f"36012100{i:02d}", name=f"第{i}中学", level=Level.SCHOOL, parent=county,
                                       school_type="初中") for i in range(1, 41)]
        cycle = Cycle.objects.create(code="bench-exports", year=2024, name="导出压测", status=CycleStatus.ACTIVE,
                                     config={"questionnaires": [{"code": "student_q1", "name": "学生问卷",
                                                                 "respondents": ["student"], "mode": "online"}]})
        questionnaires_sync(cycle=cycle)
        q = Questionnaire.objects.get(cycle=cycle, code="student_q1")
        version, _ = version_upload(questionnaire=q, content=example_xlsx(q.code, q.name, ["student"]),
                                    filename="q.xlsx", actor=None)
        version_publish(version=version, actor=None)
        people = Respondent.objects.bulk_create([
            Respondent(cycle=cycle, kind=Kind.STUDENT, unit=schools[i % len(schools)], name=f"学生{i}",
                       login=f"E{i:06d}", code="X", created_at=now) for i in range(responses)], batch_size=2000)
        rows = Response.objects.bulk_create([
            Response(respondent=p, questionnaire=q, version=version, started_at=now, updated_at=now,
                     submitted_at=now + dt.timedelta(minutes=20) if i % 5 else None)
            for i, p in enumerate(people)], batch_size=2000)
        names = list(ANSWERS)[:per]
        Answer.objects.bulk_create([Answer(response=r, name=n, value=rng.choice(ANSWERS[n]), seq=k + 1, saved_at=now)
                                    for r in rows for k, n in enumerate(names)], batch_size=5000)
    return version


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=3000)
    parser.add_argument("--answers", type=int, default=17, help="answers per response (at most 17)")
    parser.add_argument("--db", default="jiance_bench_exports")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiance.settings")
    where, cleanup = prepare_database(args.db, keep=args.keep)
    import django

    django.setup()
    from jiance.questionnaires import exports
    from jiance.questionnaires.models import Answer

    try:
        print(f"database: {where}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
              "(other sessions share the machine)")
        t = time.perf_counter()
        version = build(args.responses, min(args.answers, len(ANSWERS)), args.seed)
        print(f"built {args.responses:,} responses, {Answer.objects.count():,} answers in {time.perf_counter() - t:.1f} s")
        makers = {"csv": lambda e: b"".join(exports.csv_chunks(e)), "xlsx": exports.xlsx_bytes, "sav": exports.sav_bytes}
        for fmt, make in makers.items():
            t = time.perf_counter()
            size = len(make(exports.build(version, scope=None)))  # type: ignore[arg-type]
            took = time.perf_counter() - t
            tracemalloc.start()
            make(exports.build(version, scope=None))  # type: ignore[arg-type]
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"{fmt:<5} {took:6.2f} s  {size / 1e6:6.2f} MB  peak Python memory {peak / 1e6:6.1f} MB")
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        return 0
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
