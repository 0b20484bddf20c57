"""``python -m jiance_core.commands.synth``: CSV files with BOM, counts printed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from jiance_core.commands.synth import main
from jiance_core.synth import nanchang_city

ROOT = Path(__file__).resolve().parents[2]


def test_city_scale_writes_units_schools_and_people(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--scale", "city", "--seed", "4", "--out", str(tmp_path), "--people"]) == 0
    out = capsys.readouterr().out
    assert "县级单位 12 个" in out and "用时" in out
    for name in ("units.csv", "schools.csv", "students_g4.csv", "students_g8.csv", "teachers.csv"):
        data = (tmp_path / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), name
    schools = pl.read_csv(tmp_path / "schools.csv", infer_schema=False)
    expected = nanchang_city(4).schools
    assert schools.columns == expected.columns
    assert schools["school_id"].to_list() == expected["school_id"].to_list()
    assert schools["school_name"].to_list() == expected["school_name"].to_list()
    units = pl.read_csv(tmp_path / "units.csv", infer_schema=False)
    assert units.height == 14


def test_people_need_city_scale(tmp_path: Path) -> None:
    assert main(["--scale", "national", "--out", str(tmp_path), "--people"]) == 1


def test_runs_as_a_module(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jiance_core.commands.synth", "--scale", "national", "--seed", "2",
         "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "省 31 个" in done.stdout
    schools = pl.read_csv(tmp_path / "schools.csv", infer_schema=False)
    assert 200_000 <= schools.height <= 220_000
    assert schools["school_id"].str.len_chars().eq(10).all()
