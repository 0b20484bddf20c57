"""The baseline for `jiance estimate`: the same job done with svy and polars alone.

Reads the Parquet file of `bench/estimation.py`, declares the Fay replicate design (80
replicates RW1…RW80, ρ = 0.5, variance centred on the full-sample estimate, as `jiance
estimate`), estimates the mean of `score` and the proportions of `level`, overall and by
`county`, and writes the four results to one CSV. What an analyst would write by hand.

Usage: python bench/svy_bare_estimate.py DATA.parquet OUT.csv
"""

from __future__ import annotations

import sys
import warnings

import polars as pl
import svy


def main(data_path: str, out_path: str) -> None:
    frame = pl.read_parquet(data_path)
    reps = svy.RepWeights(method="brr", prefix="RW", n_reps=80, fay_coef=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sample = svy.Sample(frame, svy.Design(wgt="W", rep_wgts=reps))
        est = sample.estimation
        parts = [
            est.mean("score", method="replication", fay_coef=0.5, variance_center="estimate"),
            est.prop("level", method="replication", fay_coef=0.5, variance_center="estimate"),
            est.mean("score", by="county", method="replication", fay_coef=0.5, variance_center="estimate"),
            est.prop("level", by="county", method="replication", fay_coef=0.5, variance_center="estimate"),
        ]
    tables = [p.to_polars().select(pl.all().cast(pl.String)) for p in parts]
    pl.concat(tables, how="diagonal").write_csv(out_path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
