"""Score files matched to sampled students (unmatched rows reported), and small-cell suppression."""

from __future__ import annotations

import math

import polars as pl
import pytest

from jiance_core.analysis import Request, design_from_frame, estimate_table
from jiance_core.analysis.scores import domain_sizes, match_scores, suppress
from jiance_core.errors import ValidationFailed


def _students() -> pl.DataFrame:
    return pl.DataFrame({
        "student_id": ["36010219990101001X", "A002", "A003", "1004", "A005"],
        "school_id": ["S1", "S1", "S2", "S2", "S3"],
        "name": ["甲", "乙", "丙", "丁", "戊"],
    })


def test_scores_are_matched_by_normalised_id_and_the_rest_reported() -> None:
    scores = pl.DataFrame({
        "编号": ["36010219990101001x", " a002 ", "1004.0", "B999"],
        "PV1": [510.0, 480.0, 530.0, 600.0],
        "name": ["x", "y", "z", "w"],
    })
    result = match_scores(scores, _students(), score_id="编号")
    assert result.matched["student_id"].to_list() == ["36010219990101001X", "A002", "1004"]
    assert result.matched["PV1"].to_list() == [510.0, 480.0, 530.0]
    assert "name_score" in result.matched.columns  # a clashing column keeps both
    assert result.unmatched_scores.to_dicts() == [{"row": 5, "编号": "B999"}]
    assert result.missing_students["student_id"].to_list() == ["A003", "A005"]
    assert "匹配 3 人" in result.summary() and "1 行找不到样本学生" in result.summary()


def test_duplicate_or_blank_ids_are_refused_with_rows() -> None:
    dup = pl.DataFrame({"id": ["A002", "A003", "a002"], "PV1": [1.0, 2.0, 3.0]})
    with pytest.raises(ValidationFailed, match=r"学生编号重复（第 2、4 行"):
        match_scores(dup, _students(), score_id="id")
    blank = pl.DataFrame({"id": ["A002", "", "A003"], "PV1": [1.0, 2.0, 3.0]})
    with pytest.raises(ValidationFailed, match="第 3 行缺少学生编号"):
        match_scores(blank, _students(), score_id="id")
    with pytest.raises(ValidationFailed, match="成绩文件中没有列 学号"):
        match_scores(blank, _students(), score_id="学号")


def test_small_domains_are_suppressed_and_say_why() -> None:
    frame = pl.DataFrame({
        "w": [1.0] * 12, "y": [float(i) for i in range(12)],
        "county": ["甲"] * 8 + ["乙"] * 4,
        "school": ["a", "a", "b", "b", "c", "c", "d", "d", "e", "e", "e", "e"],
    })
    design = design_from_frame(frame, weight="w", psu="school")
    rows = estimate_table(frame, design, [Request("mean", "y")], by="county")
    sizes = domain_sizes(frame, "county", "school")
    assert sizes == {"": (12, 5), "甲": (8, 4), "乙": (4, 1)}
    kept, notes = suppress(rows, sizes, min_students=5, min_schools=2)
    assert notes == {"乙": "学生 4 人，少于 5 人；学校 1 所，少于 2 所：样本过小，不报告结果"}
    by_domain = {r.domain: r for r in kept}
    assert math.isnan(by_domain["乙"].estimate) and math.isnan(by_domain["乙"].se)
    assert by_domain["甲"].estimate == pytest.approx(3.5) and by_domain[""].estimate == pytest.approx(5.5)
