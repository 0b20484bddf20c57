"""Checks of school weights against the frame.

For a PPS draw with base weight 1/π, the weighted enrolment of the sample schools
(Σ base weight × tested-grade students) equals the frame's enrolment of the stratum exactly
(certainty schools count once, the others X_rest / m each). :func:`enrolment_check` reports it
per county and stage; the weighting chain of issue 14 reports the final weights the same way.
"""

from __future__ import annotations

import polars as pl

from jiance_core.sampling.schools import STAGE_SIZE_COLUMNS, SamplingPlan, stage_units

SAMPLE_ROLES = ("sample", "added")

KEYS = ("county", "stage")


def enrolment_check(sample: pl.DataFrame, frame: pl.DataFrame, plan: SamplingPlan) -> pl.DataFrame:
    """Per county and stage: ``schools``, ``weighted_enrolment`` (Σ base_weight × students of
    the stage over the sample and added schools), ``frame_enrolment`` (the stage's students of
    every frame school of the stratum), ``difference`` and ``relative`` (difference / frame).

    ``sample`` is the output of ``jiance sample-schools`` (or ``SchoolSample.rows``), ``frame``
    the frame it was drawn from."""
    size = pl.coalesce(
        *[pl.when(pl.col("stage") == st).then(pl.col(c).cast(pl.Float64)) for st, c in STAGE_SIZE_COLUMNS.items()]
    )
    chosen = sample.filter(pl.col("role").is_in(SAMPLE_ROLES)).with_columns(size.alias("_size"))
    weighted = chosen.group_by(KEYS).agg(
        pl.len().alias("schools"),
        (pl.col("base_weight").cast(pl.Float64) * pl.col("_size")).sum().alias("weighted_enrolment"),
    )
    units = stage_units(frame, plan)
    units = units.with_columns(frame["county"].gather(units["_src"]).alias("county"))
    totals = units.group_by(KEYS).agg(pl.col("size").cast(pl.Float64).sum().alias("frame_enrolment"))
    return (
        totals.join(weighted, on=list(KEYS), how="left")
        .with_columns(pl.col("schools").fill_null(0), pl.col("weighted_enrolment").fill_null(0.0))
        .with_columns((pl.col("weighted_enrolment") - pl.col("frame_enrolment")).alias("difference"))
        .with_columns((pl.col("difference") / pl.col("frame_enrolment")).alias("relative"))
        .sort(KEYS)
    )
