"""Score files matched to the sampled students, and small cells suppressed.

The centre's score file (item scores, scale scores or plausible values; CSV, XLSX, Parquet or
SPSS, read with :func:`jiance_core.analysis.files.read_data`) is matched to the sampled students
by their ID. IDs are compared as text, trimmed, upper-case (an ID card's ``x`` is ``X``), a
whole number read as ``123.0`` is ``123``. A score ID given twice is an error (which row is
right cannot be guessed); score rows without a sampled student and sampled students without a
score are reported, never silently dropped.

Reports suppress a domain with fewer students or schools than the cycle's minimum and say so
(:func:`suppress`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from jiance_core.analysis.columns import labels, rows_text
from jiance_core.analysis.table import Row
from jiance_core.errors import RowError, ValidationFailed


def normalise_ids(series: pl.Series) -> pl.Series:
    text = labels(series.to_frame(), series.name).str.to_uppercase().str.replace_all(r"\s+", "")
    return text.str.replace(r"^(\d+)\.0+$", "${1}")


@dataclass
class ScoreMatch:
    matched: pl.DataFrame  # the sampled students that have scores, with the score columns
    unmatched_scores: pl.DataFrame  # score rows without a sampled student: row, id
    missing_students: pl.DataFrame  # sampled students without scores (their columns)

    def summary(self) -> str:
        return (
            f"成绩文件与样本学生匹配 {self.matched.height} 人；成绩文件中 {self.unmatched_scores.height} 行"
            f"找不到样本学生；{self.missing_students.height} 名样本学生没有成绩"
        )


def match_scores(
    scores: pl.DataFrame, students: pl.DataFrame, *, score_id: str, student_id: str = "student_id"
) -> ScoreMatch:
    """Join the score rows to the sampled students by ID (see module doc)."""
    for frame, col, what in ((scores, score_id, "成绩文件"), (students, student_id, "样本学生表")):
        if col not in frame.columns:
            raise ValidationFailed([RowError(1, col, f"{what}中没有列 {col}")])
    ids = normalise_ids(scores.get_column(score_id))
    blank = np.flatnonzero(ids.is_null().to_numpy())
    if len(blank):
        raise ValidationFailed([RowError(int(blank[0]) + 2, score_id, f"成绩文件 {rows_text(blank)}缺少学生编号")])
    dup = ids.is_duplicated().to_numpy()
    if dup.any():
        where = np.flatnonzero(dup)
        first = ids.gather(where[:3]).to_list()
        raise ValidationFailed(
            [RowError(int(where[0]) + 2, score_id,
                      f"成绩文件中学生编号重复（{rows_text(where)}，如 {'、'.join(first)}），无法确定哪一行有效")]
        )
    keyed = scores.with_columns(ids.alias("_id"), pl.int_range(2, scores.height + 2).alias("_score_row"))
    keyed = keyed.drop(score_id)
    roster = students.with_columns(normalise_ids(students.get_column(student_id)).alias("_id"))
    overlap = [c for c in keyed.columns if c in roster.columns and c != "_id"]
    keyed = keyed.rename({c: f"{c}_score" for c in overlap})
    matched = roster.join(keyed, on="_id", how="inner", maintain_order="left").drop("_id")
    unmatched = keyed.join(roster.select("_id"), on="_id", how="anti").select(
        pl.col("_score_row").alias("row"), pl.col("_id").alias(score_id)
    )
    missing = roster.join(keyed.select("_id"), on="_id", how="anti").drop("_id")
    return ScoreMatch(matched, unmatched, missing)


def domain_sizes(frame: pl.DataFrame, by: str, school: str) -> dict[str, tuple[int, int]]:
    """Per value of ``by`` (and "" for everyone): (students, schools)."""
    doms = labels(frame, by).fill_null("（缺失）")
    schools = labels(frame, school)
    table = pl.DataFrame({"d": doms, "s": schools})
    out = {
        str(d): (int(n), int(k))
        for d, n, k in table.group_by("d").agg(pl.len(), pl.col("s").n_unique()).iter_rows()
    }
    out[""] = (frame.height, int(schools.n_unique()))
    return out


def suppress(
    rows: list[Row], sizes: dict[str, tuple[int, int]], *, min_students: int, min_schools: int
) -> tuple[list[Row], dict[str, str]]:
    """Rows of small domains with no estimate (NaN), and per suppressed domain the reason."""
    notes: dict[str, str] = {}
    for dom, (students, schools) in sizes.items():
        why = []
        if students < min_students:
            why.append(f"学生 {students} 人，少于 {min_students} 人")
        if schools < min_schools:
            why.append(f"学校 {schools} 所，少于 {min_schools} 所")
        if why:
            notes[dom] = "；".join(why) + "：样本过小，不报告结果"
    nan = float("nan")
    out = [
        replace(r, estimate=nan, se=nan, ci_low=nan, ci_high=nan) if r.domain in notes else r
        for r in rows
    ]
    return out, notes
