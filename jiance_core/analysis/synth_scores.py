"""Synthetic score data with realistic effects, for the demo and the tests of the reports.

Per student and subject a proficiency θ (scale mean 500, SD 100 over the whole population)
made of a county effect (SD 15), a school effect (intra-class correlation about 0.25), effects
of area (城区 +20, 镇区 0, 乡村 −20, school-level), of sex (girls +12 in 语文 and 英语, boys +4
in 数学 and 科学; other subjects 0) and a student residual; the M plausible values are θ plus
an independent measurement error (SD 30), as an IRT scaling would give them. Deterministic:
one stream per seed, students in the order given.
"""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl

AREA_EFFECT = {"城区": 20.0, "镇区": 0.0, "乡村": -20.0}
GIRL_EFFECT = {"语文": 12.0, "英语": 12.0, "数学": -4.0, "科学": -4.0}
LEVEL_CUTS = (420.0, 500.0, 580.0)  # 待提高 / 中等 / 良好 / 优秀
LEVELS = ("待提高", "中等", "良好", "优秀")


def _codes(values: pl.Series) -> np.ndarray:
    return np.asarray(values.cast(pl.String).fill_null("").rank("dense").to_numpy(), dtype=np.int64) - 1


def _stream(seed: int, label: str) -> np.random.Generator:
    digest = hashlib.sha256(f"{seed}:{label}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def synthetic_scores(
    students: pl.DataFrame,
    *,
    seed: int,
    subjects: tuple[str, ...] = ("语文", "数学"),
    plausible_values: int = 5,
    school: str = "school_id",
    county: str = "county",
    sex: str = "sex",
    area: str | None = "area",
) -> pl.DataFrame:
    """The students with, per subject, ``{subject}_PV1…M`` and ``{subject}_level`` (of PV1)."""
    n = students.height
    sch = _codes(students[school])
    cty = _codes(students[county])
    girl = (students[sex].cast(pl.String) == "女").to_numpy() if sex in students.columns else np.zeros(n, bool)
    area_eff = (
        students[area].cast(pl.String).replace_strict(AREA_EFFECT, default=0.0).cast(pl.Float64).to_numpy()
        if area and area in students.columns else np.zeros(n)
    )
    columns: dict[str, pl.Series] = {}
    for subject in subjects:
        rng = _stream(seed, subject)
        county_eff = rng.normal(0, 15, int(cty.max()) + 1 if n else 0)
        school_eff = rng.normal(0, 45, int(sch.max()) + 1 if n else 0)
        theta = (
            500 + county_eff[cty] + school_eff[sch] + area_eff + np.where(girl, GIRL_EFFECT.get(subject, 0.0), 0.0)
            + rng.normal(0, 80, n)
        )
        for m in range(1, plausible_values + 1):
            pv = np.round(theta + rng.normal(0, 30, n), 2)
            columns[f"{subject}_PV{m}"] = pl.Series(f"{subject}_PV{m}", pv)
        first = columns[f"{subject}_PV1"].to_numpy()
        columns[f"{subject}_level"] = pl.Series(
            f"{subject}_level", np.asarray(LEVELS)[np.digitize(first, LEVEL_CUTS)]
        )
    return students.with_columns(list(columns.values()))
