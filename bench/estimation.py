"""Benchmark of `jiance estimate` against the same job done by svy alone.

Builds 200,000 students in ~6,700 schools of 120 counties (weights varying by school and
student, a score with school and county effects, four proficiency levels), with 80 Fay
replicate weights built by the platform (`jiance_core.analysis.replicates.fay_replicates`,
ρ = 0.5, schools paired within counties), writes them to Parquet, and times:

- `jiance estimate --replicates RW --method fay --rho 0.5 --mean score --proportion level
  --by county` as a command (subprocess: interpreter, imports, read, estimate, write);
- `bench/svy_bare_estimate.py`: the same four results (mean and proportions, overall and by
  county, Fay replicates, variance centred on the full-sample estimate) with svy and polars
  alone, as a command;
- both in-process (the estimation step only, data already in memory);

and checks that the two give the same estimates and SEs. Target: jiance / svy ≤ 1.2×.

Run: ``.venv/bin/python bench/estimation.py [--students N] [--counties D] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.timing import best, best_command  # noqa: E402
from jiance_core.analysis import Request, design_from_frame, estimate_table  # noqa: E402
from jiance_core.analysis.replicates import fay_replicates  # noqa: E402


def students(n: int, counties: int, seed: int, per_school: int = 30, reps: int = 80) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    n_schools = n // per_school + 1
    school_county = np.sort(rng.integers(0, counties, n_schools))
    school = np.repeat(np.arange(n_schools), per_school)[:n]
    county = school_county[school]
    weight = rng.uniform(20, 80, n_schools)[school] * rng.uniform(0.9, 1.1, n)
    score = 500 + rng.normal(0, 30, n_schools)[school] + (7 * county) % 40 + rng.normal(0, 80, n)
    level = np.digitize(score, [420, 500, 580])
    design = fay_replicates(weight, county, school, replicates=reps, rho=0.5)
    assert design.replicates is not None
    frame = pl.DataFrame({
        "county": pl.Series([f"县{c:03d}" for c in range(counties)])[county],
        "school": school, "W": weight, "score": score,
        "level": pl.Series(["水平一", "水平二", "水平三", "水平四"])[level],
    })
    return frame.hstack([pl.Series(f"RW{r + 1}", design.replicates[:, r]) for r in range(reps)])


def _svy_in_process(frame: pl.DataFrame) -> None:
    import svy

    reps = svy.RepWeights(method="brr", prefix="RW", n_reps=80, fay_coef=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = svy.Sample(frame, svy.Design(wgt="W", rep_wgts=reps)).estimation
        kw = {"method": "replication", "fay_coef": 0.5, "variance_center": "estimate"}
        for by in (None, "county"):
            est.mean("score", by=by, **kw).to_polars()
            est.prop("level", by=by, **kw).to_polars()


def _agreement(ours: Path, theirs: Path) -> tuple[float, float]:
    a = pl.read_csv(ours, infer_schema=False).with_columns(
        pl.col("level", "domain").fill_null(""), pl.col("estimate", "se").cast(pl.Float64))
    b = pl.read_csv(theirs, infer_schema=False).with_columns(
        pl.col("level", "county").fill_null(""), pl.col("est", "se").cast(pl.Float64)
    ).rename({"county": "domain"})
    joined = a.join(b, on=["level", "domain"], how="inner")
    assert joined.height == a.height == b.height, (joined.height, a.height, b.height)
    def worst(x: str, y: str) -> float:
        return float(joined.select(((pl.col(x) - pl.col(y)).abs() / pl.col(y).abs()).max()).item())

    return worst("estimate", "est"), worst("se", "se_right")


def run(n: int, counties: int, repeat: int, seed: int) -> None:
    t = time.perf_counter()
    frame = students(n, counties, seed)
    built = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "students.parquet"
        frame.write_parquet(data)
        ours, theirs = Path(tmp) / "jiance.csv", Path(tmp) / "svy.csv"
        cmd = [sys.executable, "-m", "jiance_core.commands.estimate", "--data", str(data), "--weight", "W",
               "--replicates", "RW", "--method", "fay", "--rho", "0.5", "--mean", "score",
               "--proportion", "level", "--by", "county", "--out", str(ours)]
        bare = [sys.executable, str(ROOT / "bench" / "svy_bare_estimate.py"), str(data), str(theirs)]
        print(f"data: {frame.height:,} students, {frame['school'].n_unique():,} schools, "
              f"{counties} counties, 80 Fay replicate weights ({data.stat().st_size / 1e6:.0f} MB Parquet; "
              f"built in {built:.1f} s)")
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        # alternate the two commands so that both see the same load
        t_ours, t_svy = [], []
        for _ in range(repeat):
            t_ours.append(best_command(cmd, 1, quiet=True))
            t_svy.append(best_command(bare, 1, quiet=True))
        c_ours = (min(w for w, _ in t_ours), min(c for _, c in t_ours))
        c_svy = (min(w for w, _ in t_svy), min(c for _, c in t_svy))
        reqs = [Request("mean", "score"), Request("proportion", "level")]

        def ours_in_process() -> None:
            design = design_from_frame(frame, weight="W", replicates="RW", method="fay", rho=0.5)
            estimate_table(frame, design, reqs, by="county")

        i_ours = best(ours_in_process, repeat)
        i_svy = best(lambda: _svy_in_process(frame), repeat)
        d_est, d_se = _agreement(ours, theirs)
        rows = pl.read_csv(ours, infer_schema=False).height
        print(f"output: {rows} rows (1 + {counties} domains × (1 mean + 4 proportions)); "
              f"max relative difference to svy: estimate {d_est:.1e}, SE {d_se:.1e}")
        print(f"{'':52s}{'wall':>9s}{'cpu':>9s}")
        for label, v in (
            ("jiance estimate (command)", c_ours),
            ("svy + polars alone (command)", c_svy),
            ("jiance design + estimate_table in-process", i_ours),
            ("svy Sample + 4 estimations in-process", i_svy),
        ):
            print(f"{label:52s}{v[0]:8.2f}s{v[1]:8.2f}s")
        print(f"ratio command jiance / svy (wall, cpu):             {c_ours[0] / c_svy[0]:.2f}x {c_ours[1] / c_svy[1]:.2f}x")
        print(f"ratio in-process jiance / svy (wall, cpu):          {i_ours[0] / i_svy[0]:.2f}x {i_ours[1] / i_svy[1]:.2f}x")


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200_000)
    parser.add_argument("--counties", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    run(args.students, args.counties, args.repeat, args.seed)


if __name__ == "__main__":
    cli()
