"""The weights of one cycle and stage, built from the platform's records (issue 14).

:func:`stage_weights` reads the records (`records.py`) for the counties of an area and runs the
weighting chain of `jiance_core.analysis.chain` (every step its own column):

1. ``school_base_weight`` — 1/π of the published draw (certainty schools 1; a replacement
   carries its original's weight);
2. ``school_nr_factor`` — school non-response within the explicit stratum (county × stage):
   weighted enrolment of every slot / of the slots whose school took part (a refusal without
   replacement, or a school whose students were all absent or whose after-test report is not in,
   is a non-respondent);
3. ``within_school_weight`` — N/n from the student draw (roster students / students drawn);
4. ``student_nr_factor`` — drawn / tested in the school (absentees from the after-test report);
5. ``trim_factor`` — the cycle's trimming rule (``analysis.trim_ratio`` × the stratum median;
   the amount cut spread over the stratum's other weights);
6. ``final_weight``.

Replicate weights (the cycle's ``analysis.replicate_method``): the participating schools of each
stratum, in the draw's sort order, are paired into zones (JK2, TIMSS style) or given Fay's BRR
factors on the same pairs (PISA style, ``fay_replicates`` columns, k = ``fay_rho``); the school
non-response adjustment is repeated within every replicate (`weight_chain`), the student factors
and the trimming carried over. A stratum where no school took part gets no weights and is named in
``problems``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from jiance.accounts.scoping import Scope
from jiance.analysis import records
from jiance.cycles.models import Cycle
from jiance.units.models import Unit
from jiance_core.analysis.chain import STEPS, WeightRules, weight_chain
from jiance_core.analysis.replicates import fay_replicates, jk2_replicates

REPLICATE_PREFIX = "rep_"


@dataclass(frozen=True)
class Settings:
    """The cycle's `analysis:` section (jiance_core.cycles.schema.Analysis), defaults filled in."""

    method: str = "jk2"
    fay_replicates: int = 80
    fay_rho: float = 0.5
    trim_ratio: float = 4.0

    @classmethod
    def of(cls, cycle: Cycle) -> Settings:
        part = (cycle.config or {}).get("analysis") or {}
        return cls(
            method=str(part.get("replicate_method") or "jk2"),
            fay_replicates=int(part.get("fay_replicates") or 80),
            fay_rho=float(part.get("fay_rho", 0.5) if part.get("fay_rho") is not None else 0.5),
            trim_ratio=float(part.get("trim_ratio", 4.0) if part.get("trim_ratio") is not None else 4.0),
        )


@dataclass(frozen=True)
class CountyWeights:
    code: str
    name: str
    frame_enrolment: int
    weighted: float  # Σ final weight
    schools: int  # design slots
    participating: int
    replaced: int  # slots filled by a replacement that took part
    refused: int  # slots without a participating school
    school_nr_factor: float
    students_drawn: int
    students_tested: int
    student_nr_min: float
    student_nr_max: float
    trimmed: int  # students whose weight was trimmed
    trimmed_amount: float  # Σ weight cut (redistributed in the stratum)
    approximate: bool = False  # drawn with the v1 shortfall rule and schools were added

    @property
    def relative(self) -> float | None:
        return (self.weighted - self.frame_enrolment) / self.frame_enrolment if self.frame_enrolment else None


@dataclass
class StageWeights:
    cycle: Cycle
    stage: str
    settings: Settings
    students: pl.DataFrame  # one row per tested student, STEPS and the replicate columns
    schools: pl.DataFrame  # one row per design slot with its participation and school factor
    counties: list[CountyWeights]
    replicates: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def replicate_columns(self) -> list[str]:
        return [f"{REPLICATE_PREFIX}{i}" for i in range(1, self.replicates + 1)]


def _school_factors(schools: pl.DataFrame, settings: Settings) -> np.ndarray | None:
    """(S, R) replicate factors of the slots: zones of participating schools in sort order;
    non-participating slots 1 (they carry no weight, but stay in the adjustment's totals)."""
    took = schools["participated"].to_numpy()
    if took.sum() < 2:
        return None
    part = schools.filter(pl.col("participated"))
    stratum, psu = part["stratum"].to_numpy(), part["school_id"].to_numpy()
    ones = np.ones(part.height)
    try:
        if settings.method == "fay":
            design = fay_replicates(ones, stratum, psu, replicates=settings.fay_replicates, rho=settings.fay_rho)
        else:
            design = jk2_replicates(ones, stratum, psu)
    except ValueError:  # no stratum with two participating schools: no zone
        return None
    assert design.replicates is not None
    out = np.ones((schools.height, design.replicates.shape[1]))
    out[np.flatnonzero(took)] = design.replicates
    return out


def _summary(slots: pl.DataFrame, chain_students: pl.DataFrame, drawn: pl.DataFrame,
             enrolment: dict[str, int], names: dict[str, str], factors: dict[str, float]) -> list[CountyWeights]:
    out = []
    for code in sorted(names):
        s = slots.filter(pl.col("county") == code)
        if s.height == 0 and code not in enrolment:
            continue
        st = chain_students.filter(pl.col("county") == code) if chain_students.height else chain_students
        d = drawn.filter(pl.col("county") == code) if drawn.height else drawn
        before = (st["final_weight"] / st["trim_factor"]).to_numpy() if st.height else np.zeros(0)
        trim = st["trim_factor"].to_numpy() if st.height else np.ones(0)
        nr = st["student_nr_factor"].to_numpy() if st.height else np.ones(0)
        out.append(CountyWeights(
            code=code, name=names[code], frame_enrolment=int(enrolment.get(code, 0)),
            weighted=float(st["final_weight"].sum()) if st.height else 0.0,
            schools=s.height, participating=int(s["participated"].sum()),
            replaced=int((s["replaced"] & s["participated"]).sum()),
            refused=int((~s["participated"]).sum()), school_nr_factor=factors.get(code, 0.0),
            students_drawn=d.height, students_tested=st.height,
            student_nr_min=float(nr.min()) if len(nr) else 0.0, student_nr_max=float(nr.max()) if len(nr) else 0.0,
            trimmed=int((trim < 1 - 1e-12).sum()), trimmed_amount=float((before * (1 - trim))[trim < 1].sum()),
            approximate=bool(s["approximate"].any()) if s.height else False,
        ))
    return out


def stage_weights(*, scope: Scope, cycle: Cycle, stage: str, counties: Sequence[Unit]) -> StageWeights:
    """The weights of the stage for these counties (see the module doc)."""
    settings = Settings.of(cycle)
    names = {c.code: c.name for c in counties}
    slots = records.slots(scope=scope, cycle=cycle, stage=stage, counties=counties)
    enrolment = records.frame_enrolment(scope=scope, cycle=cycle, stage=stage, counties=counties)
    drawn = records.students(scope=scope, cycle=cycle, stage=stage, school_pks=slots["school_pk"].to_list())
    tested_schools = set(drawn.filter(pl.col("tested"))["school_pk"].to_list())
    slots = slots.with_columns(
        (pl.col("school_pk").is_in(list(tested_schools)) & ~pl.col("refused")).alias("participated"),
        pl.col("county").alias("stratum"),
    )
    problems = []
    lost = slots.group_by("county").agg(pl.col("participated").any().alias("any")).filter(~pl.col("any"))
    for code in sorted(lost["county"].to_list()):
        problems.append(f"{names.get(code, code)}没有参加测试的样本校（或测试生信息尚未上报），本学段不计算权重。")
    every_slot = slots  # the summary shows every county, those without weights too
    slots = slots.filter(~pl.col("county").is_in(lost["county"].implode()))
    pk_to_code = dict(zip(slots["school_pk"].to_list(), slots["school_id"].to_list(), strict=True))
    county_of = dict(zip(slots["school_pk"].to_list(), slots["county"].to_list(), strict=True))
    part_pks = set(slots.filter(pl.col("participated"))["school_pk"].to_list())
    drawn = drawn.filter(pl.col("school_pk").is_in(list(part_pks))).with_columns(
        pl.col("school_pk").replace_strict(pk_to_code, return_dtype=pl.String).alias("school_id"),
        pl.col("school_pk").replace_strict(county_of, return_dtype=pl.String).alias("county"),
    )
    if slots.height == 0 or not drawn["tested"].any():
        none = pl.DataFrame(schema={"county": pl.String, "final_weight": pl.Float64, "trim_factor": pl.Float64,
                                    "student_nr_factor": pl.Float64})
        return StageWeights(cycle=cycle, stage=stage, settings=settings, students=none, schools=slots,
                            counties=_summary(every_slot, none, drawn, enrolment, names, {}), problems=problems)
    factors = _school_factors(slots, settings)
    chain = weight_chain(
        slots.select("stratum", "school_id", "base_weight", "students", "participated"),
        drawn.select("school_id", "school_students", "sampled_students", "tested", "student_pk", "sex", "name",
                     "student_no"),
        rules=WeightRules(trim_ratio=settings.trim_ratio),
        school_replicates=factors,
    )
    table = chain.students.with_columns(pl.col("stratum").alias("county")).join(
        slots.select("school_id", "area", "school_type", "county_name"), on="school_id", how="left"
    )
    reps = 0
    if chain.replicate_weights is not None:
        reps = chain.replicate_weights.shape[1]
        table = table.with_columns(
            [pl.Series(f"{REPLICATE_PREFIX}{i + 1}", chain.replicate_weights[:, i]) for i in range(reps)]
        )
    school_factor = dict(
        chain.schools.filter(pl.col("participated")).group_by("stratum")
        .agg(pl.col("school_nr_factor").first()).iter_rows()
    )
    return StageWeights(
        cycle=cycle, stage=stage, settings=settings, students=table,
        schools=slots.join(chain.schools.select("school_id", "school_nr_factor"), on="school_id", how="left"),
        counties=_summary(every_slot, table, drawn, enrolment, names, school_factor),
        replicates=reps, problems=problems,
    )


def weight_file(result: StageWeights, ids: dict[int, str], *, identified: bool) -> pl.DataFrame:
    """The student weight file: what `jiance estimate --weight final_weight --replicates rep_
    --method jk2|fay` reads (strata = county, PSU = school for Taylor)."""
    t = result.students
    head: list[Any] = [
        pl.col("student_pk").replace_strict(ids, return_dtype=pl.String).alias("student_id"),
    ]
    if identified:
        head += [pl.col("name"), pl.col("student_no")]
    head += [pl.col("county"), pl.col("county_name"), pl.col("school_id"), pl.col("area"), pl.col("school_type"),
             pl.col("sex"), pl.lit(result.stage).alias("stage")]
    return t.select(*head, *STEPS, *result.replicate_columns)
