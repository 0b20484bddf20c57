"""The score upload: matched to the sampled students by the weight file's pseudonym, refused
whole with every problem named (row, column, reason), checked by content, audited."""

from __future__ import annotations

import io

import polars as pl
import pytest
from django.test import Client
from django.urls import reverse

from jiance.analysis.models import ScoreSet
from jiance.analysis.scoring import scores_of
from jiance.analysis.services import pseudonym
from jiance.audit.models import AuditEntry
from jiance.rosters.models import SampledStudent
from jiance_core.analysis.score_file import sniff
from jiance_core.errors import ValidationFailed
from tests.analysis.builders import Built
from tests.factories import client_for


def _scores(built: Built, *, drop: int = 0) -> pl.DataFrame:
    pks = sorted(SampledStudent.objects.filter(roster__cycle=built.cycle).values_list("student_id", flat=True))
    pks = pks[drop:]
    n = len(pks)
    return pl.DataFrame({
        "student_id": [pseudonym(built.cycle.code, pk) for pk in pks],
        **{f"数学_PV{m}": [500.0 + m + i % 50 for i in range(n)] for m in range(1, 6)},
        "语文_成绩": [480.0 + i % 40 for i in range(n)],
        "语文_等级": ["中等"] * n,
        "item_01": [1] * n,
    })


def _upload(client: Client, content: bytes, name: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("analysis:scores_upload", args=["primary"]), {"file": _named(content, name)})


def _named(content: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


def _csv(frame: pl.DataFrame) -> bytes:
    return ("\ufeff" + frame.write_csv()).encode()


def test_upload_csv_matches_every_row_and_replaces_the_stage(built: Built) -> None:
    client = client_for(built.city_user)
    frame = _scores(built, drop=3)  # three sampled students without scores: absentees, not errors
    page = _upload(client, _csv(frame), "成绩.csv")
    assert page.status_code == 302
    s = ScoreSet.objects.get(cycle=built.cycle, stage="primary")
    assert s.rows == frame.height and s.missing == 3
    assert s.subjects["数学"] == {"kind": "pv", "columns": [f"数学_PV{m}" for m in range(1, 6)]}
    assert s.subjects["语文"] == {"kind": "scale", "columns": ["语文_成绩"], "level": "语文_等级"}
    stored = scores_of(s)
    assert stored.height == frame.height and "student_pk" in stored.columns and "item_01" in stored.columns
    assert bytes(s.sealed)[:4] != b"PAR1"  # encrypted at rest
    assert AuditEntry.objects.filter(object_type="analysis.scoreset", result="ok").count() == 1
    # parquet, the same scores again: replaces the set whole
    buf = io.BytesIO()
    _scores(built).write_parquet(buf)
    assert _upload(client, buf.getvalue(), "scores.parquet").status_code == 302
    s2 = ScoreSet.objects.get(cycle=built.cycle, stage="primary")
    assert ScoreSet.objects.count() == 1 and s2.missing == 0


def test_unmatched_rows_and_bad_values_refuse_the_whole_file(built: Built) -> None:
    client = client_for(built.city_user)
    frame = _scores(built)
    bad = pl.concat([frame, frame.head(1).with_columns(pl.lit("S-NOT-A-STUDENT").alias("student_id"))])
    page = _upload(client, _csv(bad), "scores.csv")
    assert page.status_code == 400
    errors = page.context["errors"]
    assert [(e.row, e.column) for e in errors] == [(bad.height + 1, "student_id")]
    assert "S-NOT-A-STUDENT" in errors[0].reason and "样本学生" in errors[0].reason
    assert not ScoreSet.objects.exists()
    text = frame.with_columns(pl.col("数学_PV2").cast(pl.String))
    text = text.with_columns(pl.when(pl.int_range(pl.len()) == 4).then(pl.lit("缺")).otherwise(pl.col("数学_PV2"))
                             .alias("数学_PV2"))
    text = pl.concat([text, frame.head(1).with_columns(pl.lit("S-NOBODY").alias("student_id"))], how="vertical_relaxed")
    page = _upload(client, _csv(text), "scores.csv")
    assert page.status_code == 400  # both kinds of problem in one report, in row order
    assert [(e.row, e.column) for e in page.context["errors"]] == [(6, "数学_PV2"), (text.height + 1, "student_id")]
    assert not ScoreSet.objects.exists()
    assert AuditEntry.objects.filter(object_type="analysis.scoreset", result="failed").count() == 2


def test_content_decides_not_the_name(built: Built) -> None:
    buf = io.BytesIO()
    _scores(built).write_parquet(buf)
    with pytest.raises(ValidationFailed, match="与内容不符"):
        sniff(buf.getvalue(), "scores.csv")
    with pytest.raises(ValidationFailed, match="无法识别"):
        sniff(b"\x00\x01\x02binary", "scores.csv")
    assert sniff(_csv(_scores(built)), "x.CSV") == ".csv"
    page = _upload(client_for(built.city_user), buf.getvalue(), "scores.xlsx")
    assert page.status_code == 400 and "与内容不符" in page.context["errors"][0].reason


def test_who_may_upload(built: Built) -> None:
    assert client_for(built.county_user).get(reverse("analysis:scores")).status_code == 403
    assert client_for(built.county_user).post(reverse("analysis:scores_upload", args=["primary"])).status_code == 403
    assert client_for(built.centre_user).get(reverse("analysis:scores")).status_code == 200
    assert client_for(built.city_user).post(reverse("analysis:scores_upload", args=["junior"]),
                                         {"file": _named(b"a", "a.csv")}).status_code == 404
