"""Time of a full county (and city) report outside the database: the statistics of
`jiance_core.analysis.report_stats` for two subjects × 5 plausible values (mean, SD,
percentiles, levels, histogram, sex and area subgroups with their differences), the tables, the
SVG charts, the PDF and the XLSX — everything `report_build` and the views do after the weights
and scores are read.

Data: schools of ``--per-school`` students in counties, weights varying by school and student,
scores from `synth_scores.synthetic_scores`, replicate weights built by the platform: JK2 zones
within counties (TIMSS) or Fay (PISA, 80 replicates). Sizes: a county (12 schools, 360
students, JK2), a city (12 counties, 4,320 students, JK2), a province (200,000 students,
Fay 80).

Run: ``.venv/bin/python bench/report.py [--repeat R]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiance.settings")

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from jiance.analysis.build import Settings  # noqa: E402
from jiance.analysis.charts import histogram_chart, level_chart  # noqa: E402
from jiance.analysis.report import Participation, Report  # noqa: E402
from jiance.analysis.report_files import report_pdf, report_xlsx  # noqa: E402
from jiance.analysis.report_tables import report_tables  # noqa: E402
from jiance.cycles.models import Cycle  # noqa: E402
from jiance.units.models import Level, Unit  # noqa: E402
from jiance_core.analysis.design import replicate_design  # noqa: E402
from jiance_core.analysis.replicates import fay_replicates, jk2_replicates  # noqa: E402
from jiance_core.analysis.report_stats import Minimums, subject_result  # noqa: E402
from jiance_core.analysis.synth_scores import synthetic_scores  # noqa: E402


def table(counties: int, schools: int, per_school: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    n_schools = counties * schools
    school = np.repeat(np.arange(n_schools), per_school)
    county = school // schools
    w_school = rng.uniform(20, 200, n_schools)
    frame = pl.DataFrame({
        "student_pk": np.arange(len(school)), "school_id": [f"S{s:06d}" for s in school],
        "county": [f"C{c:04d}" for c in county], "sex": rng.choice(["男", "女"], len(school)),
        "area": np.array(["城区", "镇区", "乡村"])[rng.integers(0, 3, n_schools)][school],
        "final_weight": w_school[school] * rng.uniform(0.9, 1.1, len(school)),
    })
    return synthetic_scores(frame, seed=seed)


def run(name: str, counties: int, schools: int, per_school: int, method: str, repeat: int) -> None:
    frame = table(counties, schools, per_school, 2026)
    w = frame["final_weight"].to_numpy()
    stratum, psu = frame["county"].to_numpy(), frame["school_id"].to_numpy()
    t0 = time.perf_counter()
    design = (fay_replicates(w, stratum, psu, replicates=80, rho=0.5) if method == "fay"
              else jk2_replicates(w, stratum, psu))
    reps = design.replicates
    assert reps is not None
    design = replicate_design(w, reps, method, rho=0.5 if method == "fay" else None)
    build_reps = time.perf_counter() - t0
    cycle = Cycle(code="bench-2026", name="2026 年义务教育质量监测（基准）", year=2026, config={})
    unit = Unit(code="360100", name="南昌市", level=Level.CITY)
    best: dict[str, float] = {}
    for _ in range(repeat):
        times: dict[str, float] = {}
        t = time.perf_counter()
        subjects = [subject_result(frame, design, s, [f"{s}_PV{m}" for m in range(1, 6)], "pv",
                                   minimums=Minimums()) for s in ("语文", "数学")]
        times["statistics"] = time.perf_counter() - t
        part = Participation("360100", "南昌市", counties * schools, counties * schools, 0, 0, frame.height,
                             frame.height, 0, float(w.sum()))
        report = Report(cycle=cycle, unit=unit, stage="primary", settings=Settings(method=method),
                        minimums=Minimums(), participation=[part], total=part, subjects=subjects, method=method,
                        replicates=reps.shape[1], scored=frame.height, score_set=None,
                        built_at=dt.datetime(2026, 12, 2, 6, 0))
        t = time.perf_counter()
        report_tables(report)
        for s in subjects:
            for chart in (level_chart(s), histogram_chart(s)):
                if chart is not None:
                    chart.svg()
        times["tables + SVG"] = time.perf_counter() - t
        t = time.perf_counter()
        pdf = report_pdf(report)
        times["PDF"] = time.perf_counter() - t
        t = time.perf_counter()
        report_xlsx(report)
        times["XLSX"] = time.perf_counter() - t
        for k, v in times.items():
            best[k] = min(best.get(k, float("inf")), v)
    total = sum(best.values())
    print(f"{name}: {frame.height:,} students, {counties * schools} schools, {method} {reps.shape[1]} replicates "
          f"(built in {build_reps:.2f} s); PDF {len(pdf) // 1024} KB")
    for k, v in best.items():
        print(f"  {k:<14} {v:8.3f} s")
    print(f"  {'total':<14} {total:8.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-province", action="store_true")
    args = parser.parse_args()
    run("county", 1, 12, 30, "jk2", args.repeat)
    run("city", 12, 12, 30, "jk2", args.repeat)
    if not args.skip_province:
        run("province", 120, 56, 30, "fay", max(1, args.repeat - 2))


if __name__ == "__main__":
    main()
