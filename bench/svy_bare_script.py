"""The baseline for `jiance sample-schools`: the same job done with svy and polars alone.

Reads the frame CSV, builds the county x stage strata (nine- and twelve-year schools in both,
complete secondary only junior), sorts by area and enrolment, makes one svy PPS systematic call
over every stratum (12 primary, 8 junior, all schools where fewer) and writes the selected
schools. No replacements, no shortfall rules, no checks, no explanations: what an analyst would
write by hand. `bench/sampling.py` runs it as a subprocess next to the real command.

Usage: python bench/svy_bare_script.py FRAME.csv OUT.csv SEED
"""

from __future__ import annotations

import sys
import warnings

import polars as pl
import svy

STAGE_TYPES = {
    "primary": ("小学", "九年一贯制", "十二年一贯制"),
    "junior": ("初中", "九年一贯制", "十二年一贯制", "完全中学"),
}
SIZE = {"primary": "primary_students", "junior": "junior_students"}
N = {"primary": 12, "junior": 8}


def main(frame_path: str, out_path: str, seed: int) -> None:
    frame = pl.read_csv(frame_path, infer_schema=False).with_columns(
        pl.col("primary_students").cast(pl.Int64), pl.col("junior_students").cast(pl.Int64)
    )
    parts = [
        frame.filter(pl.col("school_type").is_in(types) & (pl.col(SIZE[stage]) > 0)).select(
            "county", "school_id", "area", pl.lit(stage).alias("stage"),
            pl.col(SIZE[stage]).cast(pl.Float64).alias("size"),
        )
        for stage, types in STAGE_TYPES.items()
    ]
    units = (
        pl.concat(parts)
        .with_columns((pl.col("county") + "|" + pl.col("stage")).alias("stratum"))
        .sort("stratum", "area", "size")
    )
    counts = units.group_by("stratum", "stage").agg(pl.len().alias("n_all"))
    n_map = {s: min(N[stage], n) for s, stage, n in counts.iter_rows()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sample = svy.Sample(units, svy.Design(stratum="stratum", mos="size"))
        drawn = sample.sampling.pps_sys(n_map, certainty_threshold=1.0, rstate=seed)
    drawn.data.write_csv(out_path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
