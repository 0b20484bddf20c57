"""The offline tool ``jiance sample-schools`` (jiance_core.commands.sample_schools)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from jiance_core.commands.sample_schools import main
from jiance_core.sampling.frame import REQUIRED_COLUMNS
from jiance_core.sampling.schools import OUTPUT_COLUMNS

ROOT = Path(__file__).resolve().parents[2]


def write_frame(path: Path, counties: int = 3, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(counties):
        for i in range(40):
            kind = ["小学", "小学", "初中", "九年一贯制", "完全中学"][i % 5]
            p = int(rng.integers(20, 300)) if kind in ("小学", "九年一贯制") else 0
            j = int(rng.integers(20, 400)) if kind != "小学" else 0
            area = ["城区", "镇区", "乡村"][int(rng.integers(3))]
            rows.append(f"县{c},S{c}{i:03d},学校{c}-{i},{kind},{area},{p},{j},备注{i}")
    path.write_text(",".join(REQUIRED_COLUMNS) + ",note\n" + "\n".join(rows) + "\n")
    return path


def test_writes_the_sample_csv_with_bom_and_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = write_frame(tmp_path / "frame.csv")
    out = tmp_path / "out" / "sample.csv"
    notes = tmp_path / "notes.csv"
    code = main(
        [
            "--frame", str(frame), "--seed", "42", "--out", str(out),
            "--primary", "6", "--junior", "4", "--students", "42",
            "--explanations", str(notes),
        ]
    )  # fmt: skip
    assert code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    sample = pl.read_csv(out, infer_schema=False)
    assert sample.columns[: len(OUTPUT_COLUMNS)] == list(OUTPUT_COLUMNS)
    inputs = [c for c in REQUIRED_COLUMNS if c not in OUTPUT_COLUMNS] + ["note"]
    assert sample.columns[len(OUTPUT_COLUMNS) : len(OUTPUT_COLUMNS) + len(inputs)] == inputs
    chosen = sample.filter(pl.col("role") == "sample")
    assert chosen.filter(pl.col("stage") == "primary").height == 3 * 6
    printed = capsys.readouterr().out
    assert "SHA-256" in printed and "样本已写入" in printed
    assert pl.read_csv(notes)["explanation"].str.contains("县").all()
    # Same seed, same file: same bytes.
    again = tmp_path / "again.csv"
    assert main(["--frame", str(frame), "--seed", "42", "--out", str(again),
                 "--primary", "6", "--junior", "4", "--students", "42"]) == 0  # fmt: skip
    assert again.read_bytes() == raw


def test_bad_frame_prints_every_error_grouped_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = tmp_path / "bad.csv"
    frame.write_text(
        ",".join(REQUIRED_COLUMNS)
        + "\n县0,A,一小,小学,城区,x,0\n县0,A,二小,小学,城市,30,0\n县0,C,三小,大学,乡村,30,0\n"
    )
    out = tmp_path / "sample.csv"
    assert main(["--frame", str(frame), "--seed", "1", "--out", str(out)]) == 1
    assert not out.exists()
    err = capsys.readouterr().err
    assert "4 处错误" in err
    for text in ("列 primary_students", "第 2 行", "列 school_id", "第 3 行", "列 area", "第 4 行"):
        assert text in err


def test_county_counts_file(tmp_path: Path) -> None:
    frame = write_frame(tmp_path / "frame.csv")
    counts = tmp_path / "counts.csv"
    counts.write_text("county,primary,junior\n县0,2,\n县1,,1\n")
    out = tmp_path / "sample.csv"
    assert main(["--frame", str(frame), "--seed", "1", "--out", str(out),
                 "--county-counts", str(counts), "--quiet"]) == 0  # fmt: skip
    sample = pl.read_csv(out, infer_schema=False).filter(pl.col("role") == "sample")
    per = dict(
        sample.group_by("county", "stage")
        .len()
        .select(pl.concat_str("county", "stage"), "len")
        .iter_rows()
    )
    assert per["县0primary"] == 2 and per["县1junior"] == 1 and per["县2primary"] == 12
    counts.write_text("county,primary,junior\n县0,two,\n")
    assert main(["--frame", str(frame), "--seed", "1", "--out", str(out),
                 "--county-counts", str(counts)]) == 1  # fmt: skip


def test_runs_as_a_module(tmp_path: Path) -> None:
    frame = write_frame(tmp_path / "frame.csv", counties=1)
    out = tmp_path / "sample.csv"
    done = subprocess.run(
        [sys.executable, "-m", "jiance_core.commands.sample_schools",
         "--frame", str(frame), "--seed", "5", "--out", str(out), "--method", "srs"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "简单随机抽样" in done.stdout
    assert out.exists()
