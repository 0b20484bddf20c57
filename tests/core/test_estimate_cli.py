"""`jiance estimate` end to end through main(argv): every file format, every design, the output
columns, and each bad input's Chinese message (column and rows named, exit status 1)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import openpyxl
import polars as pl
import pyreadstat
import pytest

from jiance.cli import main as jiance_main
from jiance_core.commands.estimate import main

REF = Path(__file__).parent / "data" / "reference"
COLUMNS = ["statistic", "variable", "level", "domain", "estimate", "se", "ci_low", "ci_high", "n"]


def _read(path: Path) -> pl.DataFrame:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    out = pl.read_csv(raw, infer_schema=False).with_columns(
        pl.col("estimate", "se", "ci_low", "ci_high").cast(pl.Float64), pl.col("n").cast(pl.Int64),
        pl.col("level", "domain").fill_null(""),
    )
    assert out.columns == COLUMNS
    return out


def _get(out: pl.DataFrame, statistic: str, variable: str, level: str = "", domain: str = "") -> dict:
    rows = out.filter(
        (pl.col("statistic") == statistic) & (pl.col("variable") == variable)
        & (pl.col("level") == level) & (pl.col("domain") == domain)
    ).to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_apistrat_through_the_console_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "est.csv"
    code = jiance_main([
        "estimate", "--data", str(REF / "api_strat.csv"), "--weight", "pw", "--strata", "stype",
        "--fpc", "fpc", "--mean", "api00", "--total", "enroll", "--proportion", "awards",
        "--quantile", "api00:0.5", "--by", "stype", "--out", str(out),
    ])
    assert code == 0, capsys.readouterr().err
    assert "200 行数据" in capsys.readouterr().out
    table = _read(out)
    mean = _get(table, "mean", "api00")
    assert (round(mean["estimate"], 2), round(mean["se"], 4), mean["n"]) == (662.29, 9.4089, 200)
    total = _get(table, "total", "enroll")
    assert (round(total["estimate"]), round(total["se"])) == (3_687_178, 114_642)
    assert _get(table, "proportion", "awards", "Yes")["estimate"] == pytest.approx(0.638936, abs=1e-6)
    assert _get(table, "quantile", "api00:0.5")["estimate"] == 668
    assert _get(table, "mean", "api00", domain="H")["n"] == 50
    # order: as asked, each statistic overall then per domain
    assert table["statistic"].unique(maintain_order=True).to_list() == ["mean", "total", "proportion", "quantile"]
    assert table.height == 4 * (1 + 3) + 4  # two proportion levels per domain


def test_nhanes_brr_from_parquet_with_underscore_prefix(tmp_path: Path) -> None:
    data = tmp_path / "nhanes.parquet"
    pl.read_csv(REF / "nhanes2brr.csv", infer_schema_length=20_000).write_parquet(data)
    out = tmp_path / "o.csv"
    assert main(["--data", str(data), "--weight", "finalwgt", "--replicates", "brr", "--method", "brr",
                 "--ratio", "weight/height", "--mean", "weight", "--by", "sex", "--out", str(out)]) == 0
    table = _read(out)
    ratio = _get(table, "ratio", "weight/height")
    assert (round(ratio["estimate"], 6), round(ratio["se"], 7)) == (0.426812, 0.0008904)
    mean = _get(table, "mean", "weight")
    assert (round(mean["estimate"], 4), round(mean["se"], 4)) == (71.9006, 0.1656)
    assert {d for d in table["domain"].to_list()} == {"", "1", "2"}


def test_strata_with_brr_replicates_are_not_used_and_it_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o.csv"
    assert main(["--data", str(REF / "nhanes2brr.csv"), "--weight", "finalwgt", "--strata", "sex",
                 "--replicates", "brr", "--method", "brr", "--mean", "weight", "--out", str(out)]) == 0
    assert "--strata、--psu 未使用" in capsys.readouterr().out
    assert round(_get(_read(out), "mean", "weight")["se"], 4) == 0.1656


def _scores(n_schools: int = 12, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(n_schools):
        county = f"县{s % 3}"
        for _ in range(15):
            base = 500 + 10 * (s % 3) + rng.normal(0, 50)
            rows.append({
                "county": county, "school": f"S{s:02d}", "W": float(rng.uniform(10, 20)),
                "sex": str(rng.choice(["男", "女"])),
                **{f"PV{m}": base + rng.normal(0, 15) for m in range(1, 6)},
                **{f"RW_{r}": float(rng.uniform(5, 30)) for r in range(1, 9)},
            })
    return pl.DataFrame(rows)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet", ".sav"])
def test_every_format_gives_the_same_answer(tmp_path: Path, suffix: str) -> None:
    frame = _scores()
    data = tmp_path / f"scores{suffix}"
    if suffix == ".csv":
        frame.write_csv(data)
    elif suffix == ".parquet":
        frame.write_parquet(data)
    elif suffix == ".sav":
        pyreadstat.write_sav(frame, str(data))
    else:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(frame.columns)
        for row in frame.iter_rows():
            sheet.append(list(row))
        book.save(data)
    out = tmp_path / "o.csv"
    argv = ["--data", str(data), "--weight", "W", "--replicates", "RW", "--method", "fay", "--rho", "0.5",
            "--pv", "PV", "--proportion", "sex", "--by", "county", "--out", str(out)]
    assert main(argv) == 0
    table = _read(out)
    reference = tmp_path / "ref.csv"
    frame.write_csv(tmp_path / "ref_data.csv")
    assert main([*argv[:1], str(tmp_path / "ref_data.csv"), *argv[2:-1], str(reference)]) == 0
    expected = _read(reference)
    assert table.select("statistic", "variable", "level", "domain", "n").equals(
        expected.select("statistic", "variable", "level", "domain", "n"))
    assert np.allclose(table["estimate"].to_numpy(), expected["estimate"].to_numpy(), rtol=1e-9)
    assert np.allclose(table["se"].to_numpy(), expected["se"].to_numpy(), rtol=1e-9)
    pv = _get(table, "pv_mean", "PV", domain="县1")
    assert pv["n"] == 60 and pv["se"] > 0
    assert {r for r in table.filter(pl.col("statistic") == "proportion")["level"]} == {"男", "女"}


def test_two_stage_design_and_gb18030_csv(tmp_path: Path) -> None:
    frame = _scores().with_columns(pl.lit(40).alias("N_schools"), pl.lit(300).alias("N_students"),
                                   pl.col("county").alias("分层"))
    data = tmp_path / "gbk.csv"
    data.write_bytes(frame.write_csv().encode("gb18030"))
    out = tmp_path / "o.csv"
    assert main(["--data", str(data), "--weight", "W", "--strata", "分层", "--psu", "school",
                 "--fpc", "N_schools", "--fpc2", "N_students", "--mean", "PV1", "--out", str(out)]) == 0
    assert _get(_read(out), "mean", "PV1")["se"] > 0


def _bad(tmp_path: Path, capsys: pytest.CaptureFixture[str], frame: pl.DataFrame, *args: str) -> str:
    data = tmp_path / "bad.csv"
    frame.write_csv(data)
    out = tmp_path / "never.csv"
    code = main(["--data", str(data), *args, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert not out.exists()
    return err


def test_missing_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _bad(tmp_path, capsys, _scores(), "--weight", "W", "--mean", "score")
    assert "数据文件中没有列 score" in err
    err = _bad(tmp_path, capsys, _scores(), "--weight", "weight", "--mean", "PV1")
    assert "数据文件中没有列 weight" in err


def test_non_numeric_value_names_column_and_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frame = _scores().with_columns(pl.col("PV1").cast(pl.String))
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()).is_in([3, 40])).then(pl.lit("缺考")).otherwise(pl.col("PV1")).alias("PV1")
    )
    err = _bad(tmp_path, capsys, frame, "--weight", "W", "--mean", "PV1")
    assert "列 PV1 第 5、42 行不是数字：“缺考”、“缺考”" in err


def test_missing_code_is_missing_not_an_error(tmp_path: Path) -> None:
    frame = _scores().with_columns(pl.col("PV1").cast(pl.String))
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) < 10).then(pl.lit("NA")).otherwise(pl.col("PV1")).alias("PV1")
    )
    data = tmp_path / "d.csv"
    frame.write_csv(data)
    out = tmp_path / "o.csv"
    assert main(["--data", str(data), "--weight", "W", "--mean", "PV1", "--out", str(out)]) == 0
    assert _get(_read(out), "mean", "PV1")["n"] == 170


def test_stratum_with_one_psu(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frame = _scores().with_columns(
        pl.when(pl.col("school") == "S00").then(pl.lit("孤层")).otherwise(pl.col("county")).alias("h")
    )
    err = _bad(tmp_path, capsys, frame, "--weight", "W", "--strata", "h", "--psu", "school", "--mean", "PV1")
    assert "分层 孤层 只有 1 个初级抽样单元（第 2、3、4、5、6、7、8、9、10、11 行 等共 15 行）" in err


def test_missing_weight_and_negative_weight(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frame = _scores().with_columns(pl.when(pl.int_range(pl.len()) == 7).then(None).otherwise(pl.col("W")).alias("W"))
    assert "列 W 第 9 行缺少值" in _bad(tmp_path, capsys, frame, "--weight", "W", "--mean", "PV1")
    frame = _scores().with_columns(pl.when(pl.int_range(pl.len()) == 0).then(-1.0).otherwise(pl.col("W")).alias("W"))
    assert "列 W 第 2 行的权重为负数" in _bad(tmp_path, capsys, frame, "--weight", "W", "--mean", "PV1")


def test_fpc_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frame = _scores().with_columns(pl.int_range(pl.len()).alias("N"))
    err = _bad(tmp_path, capsys, frame, "--weight", "W", "--strata", "county", "--psu", "school",
               "--fpc", "N", "--mean", "PV1")
    assert "列 N 在同一分层内取值不一致（第 2、3、4" in err
    frame = _scores().with_columns(pl.lit(2).alias("N"))
    err = _bad(tmp_path, capsys, frame, "--weight", "W", "--strata", "county", "--psu", "school",
               "--fpc", "N", "--mean", "PV1")
    assert "列 N 第 2、3、4" in err and "的值不合理" in err


def test_replicate_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _bad(tmp_path, capsys, _scores(), "--weight", "W", "--replicates", "RX", "--method", "brr", "--mean", "PV1")
    assert "没有重复权重列 RX1… 或 RX_1…" in err
    err = _bad(tmp_path, capsys, _scores(), "--weight", "W", "--replicates", "RW", "--mean", "PV1")
    assert "--method" in err
    err = _bad(tmp_path, capsys, _scores(), "--weight", "W", "--replicates", "RW", "--method", "brr",
               "--rho", "0.5", "--mean", "PV1")
    assert "--rho 只用于 --method fay" in err
    err = _bad(tmp_path, capsys, _scores(), "--weight", "W", "--replicates", "RW", "--method", "jkn", "--mean", "PV1")
    assert "JKn 需要 --strata 与 --psu" in err
    err = _bad(tmp_path, capsys, _scores(), "--weight", "W", "--mean", "PV1", "--method", "brr")
    assert "--replicates" in err


def test_malformed_statistics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "--ratio 应写成 分子列/分母列" in _bad(tmp_path, capsys, _scores(), "--weight", "W", "--ratio", "PV1")
    assert "--quantile 应写成 列名:概率" in _bad(tmp_path, capsys, _scores(), "--weight", "W", "--quantile", "PV1:2")
    assert "没有至少 2 个合理值列 XX1" in _bad(tmp_path, capsys, _scores(), "--weight", "W", "--pv", "XX")
    assert "至少给出一个统计量" in _bad(tmp_path, capsys, _scores(), "--weight", "W")


def test_unreadable_and_unsupported_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o.csv"
    odd = tmp_path / "scores.dta"
    odd.write_text("x")
    assert main(["--data", str(odd), "--weight", "W", "--mean", "y", "--out", str(out)]) == 1
    assert "不支持的文件类型 .dta" in capsys.readouterr().err
    broken = tmp_path / "scores.xlsx"
    broken.write_bytes(b"not a zip at all")
    assert main(["--data", str(broken), "--weight", "W", "--mean", "y", "--out", str(out)]) == 1
    assert "无法读取文件" in capsys.readouterr().err
    assert main(["--data", str(tmp_path / "nope.csv"), "--weight", "W", "--mean", "y", "--out", str(out)]) == 1
    assert "找不到数据文件" in capsys.readouterr().err
    shutil.copy(REF / "api_strat.csv", tmp_path / "a.csv")
    assert main(["--data", str(tmp_path / "a.csv"), "--weight", "pw", "--mean", "api00", "--out", str(tmp_path / "o.txt")]) == 1
    assert main(["--weight", "pw"]) == 2  # argparse: a usage message, not a traceback
    assert "参数错误" in capsys.readouterr().err


def test_csv_with_bom_as_excel_writes_it(tmp_path: Path) -> None:
    data = tmp_path / "bom.csv"
    data.write_bytes(b"\xef\xbb\xbf" + "权重,成绩,层\n1,2,甲\n2,3,甲\n3,4,乙\n1,5,乙\n".encode())
    out = tmp_path / "o.csv"
    assert main(["--data", str(data), "--weight", "权重", "--strata", "层", "--mean", "成绩", "--out", str(out)]) == 0
    row = _get(_read(out), "mean", "成绩")
    assert row["estimate"] == pytest.approx((2 + 6 + 12 + 5) / 7) and row["n"] == 4
