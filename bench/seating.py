"""Benchmark: student sampling plus seat plans for 7,000 sample schools (plain core, no database).

Builds rosters for 7,000 schools (sizes like a national sample: many small rural schools, some
large urban ones; primary and junior), samples 30 students per school with
`jiance_core.rooms.students.sample_students`, then plans rooms, S-shaped seats and booklet
forms for every school with `jiance_core.commands.seat_plan.build_seating` (one school in
three has a computer lab). Prints the time of each step.

Run: .venv/bin/python bench/seating.py [--schools 7000] [--seed 1]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from jiance_core.commands.seat_plan import build_seating  # noqa: E402
from jiance_core.cycles.loader import load_template  # noqa: E402
from jiance_core.rooms.rooms import ComputerRoom  # noqa: E402
from jiance_core.rooms.students import sample_students  # noqa: E402


def rosters(schools: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = np.clip(rng.lognormal(4.3, 0.9, schools).astype(np.int64), 5, 900)
    school_ids = np.repeat(np.array([f"S{i:06d}" for i in range(schools)]), sizes)
    stages = np.repeat(np.where(np.arange(schools) % 3 == 2, "junior", "primary"), sizes)
    n = len(school_ids)
    return pl.DataFrame(
        {
            "school_id": school_ids,
            "stage": stages,
            "name": [f"学生{i}" for i in range(n)],
            "student_no": [f"{i % 1000:04d}" for i in range(n)],
            "class": (np.arange(n) % 8 + 1).astype(str),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=7000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    template = load_template(ROOT / "jiance" / "cycles" / "templates_data" / "national-2022.yaml")
    roster = rosters(args.schools, args.seed)
    labs = {
        f"S{i:06d}": [ComputerRoom(name="一号机房", pcs=48, orientation="front" if i % 2 else "sideways", columns=8)]
        for i in range(0, args.schools, 3)
    }

    t = time.perf_counter()
    sampled = sample_students(roster, seed=args.seed, default_size=30)
    t_sample = time.perf_counter() - t

    t = time.perf_counter()
    seats, rooms, notes = build_seating(sampled, labs, template)
    t_seats = time.perf_counter() - t

    print(f"schools: {args.schools:,}; roster rows: {roster.height:,}; sampled students: {sampled.height:,}")
    print(f"rooms: {rooms.height:,}; seats: {seats.height:,}; notes: {len(notes):,}")
    print(f"student sampling:           {t_sample:7.2f} s")
    print(f"rooms, seats and booklets:  {t_seats:7.2f} s")
    print(f"total:                      {t_sample + t_seats:7.2f} s")


if __name__ == "__main__":
    main()
