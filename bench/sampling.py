"""Benchmark of the school sampling engine on a national synthetic frame.

Builds a frame of about 2,850 counties and 210,000 schools, writes it to CSV in a temporary
directory and prints:

- the wall time of ``jiance sample-schools`` run in-process (``main([...])``) and as a
  subprocess (``python -m jiance_core.commands.sample_schools``), with the stages of the
  in-process run (read + check, hash, draw, write);
- the time of the bare svy PPS systematic call on the same frame (one call over every
  county x stage stratum, the same call the engine makes) and the ratios.

Targets: full run <= 3 s on a 2-core machine, and <= 1.5 x the bare svy call.

Run: ``.venv/bin/python bench/sampling.py [--seed N] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.timing import best, best_command  # noqa: E402
from jiance_core.commands.sample_schools import main  # noqa: E402
from jiance_core.sampling.frame import read_frame  # noqa: E402
from jiance_core.sampling.schools import (  # noqa: E402
    SamplingPlan,
    bare_svy_draw,
    draw_school_sample,
    frame_content_hash,
    stage_units,
)


def local_national_frame(seed: int, counties: int = 2850, schools: int = 210_000) -> pl.DataFrame:
    """A national frame with the input columns, for when ``jiance_core.synth`` is absent.

    TODO: switch to ``jiance_core.synth.national_school_frame`` once it is everywhere.
    """
    rng = np.random.default_rng(seed)
    weights = rng.lognormal(0.0, 0.6, counties)
    per_county = np.maximum(3, np.round(weights / weights.sum() * schools)).astype(np.int64)
    county = np.repeat(np.arange(counties), per_county)
    n = len(county)
    types = np.array(["小学", "初中", "九年一贯制", "十二年一贯制", "完全中学"])
    kind = rng.choice(5, size=n, p=[0.70, 0.17, 0.085, 0.015, 0.03])
    area = np.array(["城区", "镇区", "乡村"])[rng.choice(3, size=n, p=[0.25, 0.40, 0.35])]
    primary = np.where(
        np.isin(kind, [0, 2, 3]), np.maximum(1, rng.lognormal(3.8, 0.9, n)).astype(np.int64), 0
    )
    junior = np.where(kind >= 1, np.maximum(1, rng.lognormal(5.0, 0.8, n)).astype(np.int64), 0)
    return pl.DataFrame(
        {
            "county": [f"县{c:04d}" for c in county],
            "school_id": [f"{i:010d}" for i in range(n)],
            "school_name": [f"第{i}学校" for i in range(n)],
            "school_type": types[kind],
            "area": area,
            "primary_students": primary,
            "junior_students": junior,
        }
    )


def national_frame(seed: int, *, local: bool = False) -> tuple[pl.DataFrame, str]:
    if local:
        return local_national_frame(seed), "bench.local_national_frame"
    try:
        from jiance_core.synth import national_school_frame  # type: ignore[import-not-found]
    except ImportError:
        return local_national_frame(seed), "bench.local_national_frame"
    return national_school_frame(seed), "jiance_core.synth.national_school_frame"


def run(seed: int, repeat: int, *, local: bool = False) -> None:
    frame, source = national_frame(seed, local=local)
    plan = SamplingPlan()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "frame.csv"
        out = Path(tmp) / "sample.csv"
        frame.write_csv(path)
        argv = ["--frame", str(path), "--seed", str(seed), "--out", str(out), "--quiet"]
        print(
            f"frame: {frame.height:,} schools, {frame['county'].n_unique():,} counties ({source})"
        )

        t_main = best(lambda: main(argv), repeat)
        # Stages of the same run.
        t_read = best(lambda: read_frame(path), repeat)
        checked = read_frame(path)
        t_hash = best(lambda: frame_content_hash(checked), repeat)
        t_draw = best(lambda: draw_school_sample(checked, plan, seed=seed, validated=True), repeat)
        units = stage_units(checked, plan)
        t_bare = best(lambda: bare_svy_draw(units, plan, seed=seed), repeat)

        cmd = [sys.executable, "-m", "jiance_core.commands.sample_schools", *argv]
        t_sub = best_command(cmd, max(1, repeat // 2))

        bare_cmd = [sys.executable, str(ROOT / "bench" / "svy_bare_script.py"), str(path), str(Path(tmp) / "bare.csv"), str(seed)]
        t_bare_cmd = best_command(bare_cmd, max(1, repeat // 2))

        sample = pl.read_csv(out, infer_schema=False)
        print(f"sample: {sample.height:,} rows ({units.height:,} stage units in the frame)")
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        print(f"{'':40s}{'wall':>9s}{'cpu':>9s}")

        def line(label: str, value: tuple[float, float]) -> None:
            print(f"{label:40s}{value[0]:8.3f}s{value[1]:8.3f}s")

        line("jiance sample-schools in-process (main)", t_main)
        line("jiance sample-schools subprocess", t_sub)
        line("  read + check CSV", t_read)
        line("  frame hash", t_hash)
        line("  draw_school_sample (checked frame)", t_draw)
        line("bare svy pps_sys call, all strata", t_bare)
        line("bare svy + polars command (subprocess)", t_bare_cmd)
        print(
            f"ratio main / bare svy (wall, cpu):       {t_main[0] / t_bare[0]:.2f}x {t_main[1] / t_bare[1]:.2f}x"
        )
        print(
            f"ratio draw / bare svy (wall, cpu):       {t_draw[0] / t_bare[0]:.2f}x {t_draw[1] / t_bare[1]:.2f}x"
        )
        print(
            f"ratio command / bare svy command:        {t_sub[0] / t_bare_cmd[0]:.2f}x {t_sub[1] / t_bare_cmd[1]:.2f}x"
        )


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--local", action="store_true", help="use the bench's own frame generator")
    args = parser.parse_args()
    run(args.seed, args.repeat, local=args.local)


if __name__ == "__main__":
    cli()
