from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from jiance_core.commands.sample_students import main
from jiance_core.idcard import make_id

SAMPLE = """county,stage,school_id,school_name,role,selection_probability,base_weight,planned_students
甲县,primary,S1,第一小学,sample,0.5,2.0,42
甲县,primary,S2,第二小学,added,0.25,4.0,
甲县,primary,S3,第三小学,sample,1,1,30
甲县,primary,S9,替补小学,replacement_1,0.3,3.3,30
"""


def _roster(path: Path, sizes: dict[str, int]) -> Path:
    lines = ["学校代码,姓名,性别,出生日期,身份证号,班级,学号"]
    k = 0
    for school, n in sizes.items():
        for i in range(n):
            born = date(2012, 10, 1) + timedelta(days=k % 300)
            lines.append(
                f"{school},学生{k},{'男' if k % 2 else '女'},{born},"
                f"{make_id('110105', born, k % 1000)},四年级{i // 40 + 1}班,{i:03d}"
            )
            k += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _argv(roster: Path, sample: Path, out: Path, seed: str = "1") -> list[str]:
    return ["--roster", str(roster), "--sample", str(sample), "--seed", seed, "--out", str(out)]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    roster = _roster(tmp_path / "roster.csv", {"S1": 100, "S2": 50, "S3": 20, "S9": 60, "X": 5})
    sample = tmp_path / "sample.csv"
    sample.write_text(SAMPLE, encoding="utf-8-sig")
    return roster, sample


def test_end_to_end(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster, sample = files
    out = tmp_path / "sampled.csv"
    argv = _argv(roster, sample, out, seed="7")
    assert main([*argv, "--grade", "4", "--test-date", "2022-05-25"]) == 0
    printed = capsys.readouterr().out
    assert "抽取学生 92 人" in printed and "不是样本校" in printed
    table = pl.read_csv(out, infer_schema_length=0)
    assert table.columns[:4] == ["school_id", "county", "stage", "school_name"]
    assert table.columns[-7:] == [
        "roster_row",
        "school_students",
        "sampled_students",
        "selection_probability",
        "base_weight",
        "within_school_weight",
        "final_weight",
    ]
    for c in ("name", "sex", "birth_date", "national_id", "class", "student_no"):
        assert c in table.columns
    counts = dict(table.group_by("school_id").len().iter_rows())
    assert counts == {"S1": 42, "S2": 30, "S3": 20}  # replacement S9 and non-sample X left out
    s1 = table.filter(pl.col("school_id") == "S1").row(0, named=True)
    assert float(s1["selection_probability"]) == pytest.approx(0.42)
    assert float(s1["final_weight"]) == pytest.approx(2.0 * 100 / 42)
    assert table["school_id"].to_list() == ["S1"] * 42 + ["S2"] * 30 + ["S3"] * 20
    # reproducible
    again = tmp_path / "again.csv"
    assert main([*argv[:-1], str(again), "--quiet"]) == 0
    assert again.read_bytes() == out.read_bytes()


def test_bad_roster_stops(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster, sample = files
    text = roster.read_text(encoding="utf-8").splitlines()
    text[3] = text[3].replace(",男,", ",未知,").replace(",女,", ",未知,")
    roster.write_text("\n".join(text), encoding="utf-8")
    out = tmp_path / "s.csv"
    assert main(_argv(roster, sample, out)) == 1
    assert "第 4 行，列 性别：性别无效" in capsys.readouterr().err
    assert not out.exists()


def test_roster_without_school_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    roster = tmp_path / "r.csv"
    born = date(2013, 1, 1)
    roster.write_text(
        f"姓名,性别,出生日期,身份证号,班级,学号\n甲,男,{born},{make_id('110105', born, 1)},1班,1\n",
        encoding="utf-8",
    )
    sample = tmp_path / "sample.csv"
    sample.write_text(SAMPLE, encoding="utf-8")
    assert main(_argv(roster, sample, tmp_path / "o.csv")) == 1
    assert "学校代码" in capsys.readouterr().err


def test_school_in_two_stages_needs_stage(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster, sample = files
    sample.write_text(SAMPLE + "甲县,junior,S1,第一小学,sample,0.5,2.0,30\n", encoding="utf-8")
    argv = _argv(roster, sample, tmp_path / "o.csv")
    assert main(argv) == 1
    assert "--stage" in capsys.readouterr().err
    assert main([*argv, "--stage", "junior", "--quiet"]) == 0
    table = pl.read_csv(tmp_path / "o.csv", infer_schema_length=0)
    assert dict(table.group_by("school_id").len().iter_rows()) == {"S1": 30}


def test_bad_sample_file(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster, sample = files
    sample.write_text(SAMPLE.replace(",42\n", ",四十二\n"), encoding="utf-8")
    argv = _argv(roster, sample, tmp_path / "o.csv")
    assert main(argv) == 1
    assert "第 2 行，列 planned_students" in capsys.readouterr().err
    assert main([*argv[:-2], "--out", str(tmp_path / "o.csv"), "--seed", "-1"]) == 2


def test_size_from_cycle(files: tuple[Path, Path], tmp_path: Path) -> None:
    roster, sample = files
    sample.write_text(SAMPLE.replace(",42\n", ",\n"), encoding="utf-8")
    out = tmp_path / "o.csv"
    argv = _argv(roster, sample, out)
    assert main([*argv, "--cycle", "chongqing-2020", "--quiet"]) == 0
    counts = dict(pl.read_csv(out, infer_schema_length=0).group_by("school_id").len().iter_rows())
    assert counts == {"S1": 42, "S2": 42, "S3": 20}
    assert main([*argv, "--quiet"]) == 0
    counts = dict(pl.read_csv(out, infer_schema_length=0).group_by("school_id").len().iter_rows())
    assert counts == {"S1": 30, "S2": 30, "S3": 20}
    assert main([*argv, "--cycle", "nope"]) == 1
