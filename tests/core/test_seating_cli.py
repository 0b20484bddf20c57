from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from jiance_core.commands.seat_plan import main, read_computer_rooms
from jiance_core.errors import ValidationFailed


def _sampled(path: Path, sizes: dict[str, int], stage: str | None = "primary") -> Path:
    rows = []
    for school, n in sizes.items():
        for i in range(n):
            rows.append(
                {
                    "school_id": school,
                    **({"stage": stage} if stage else {}),
                    "school_name": f"{school}学校",
                    "name": f"生{school}{i}",
                    "class": "1班",
                    "student_no": f"{i + 1:03d}",
                }
            )
    pl.DataFrame(rows).write_csv(path, include_bom=True)
    return path


def _rooms(path: Path, text: str) -> Path:
    path.write_text("school_id,room_name,kind,pcs,orientation,columns\n" + text, encoding="utf-8")
    return path


def _run(tmp_path: Path, *extra: str) -> pl.DataFrame:
    out = tmp_path / "seating.csv"
    assert main([*extra, "--out", str(out)]) == 0
    return pl.read_csv(out, infer_schema_length=0)


def test_paper_rooms_and_booklets_grade_from_stage(tmp_path: Path) -> None:
    sampled = _sampled(tmp_path / "s.csv", {"A": 43, "B": 5})
    table = _run(tmp_path, "--sampled", str(sampled), "--cycle", "national-2022")
    assert table.columns[:7] == [
        "school_id",
        "room",
        "room_kind",
        "seat",
        "row",
        "column",
        "student",
    ]
    assert table.columns[7:10] == ["booklet_语文", "booklet_艺术", "booklet_英语"]
    a = table.filter(pl.col("school_id") == "A")
    assert a.group_by("room", maintain_order=True).len().rows() == [
        ("第1监测室", 22),
        ("第2监测室", 21),
    ]
    first = a.row(0, named=True)
    assert (first["seat"], first["row"], first["column"]) == ("01", "1", "1")
    assert first["student"] == "生A0（001）"
    assert first["booklet_语文"] == "语文-1 / 答题卡-1"
    eighth = a.row(7, named=True)
    assert (eighth["seat"], eighth["row"], eighth["column"]) == ("08", "7", "2")  # vertical S turns
    assert (
        eighth["booklet_语文"] == "语文-2 / 答题卡-2"
        and eighth["booklet_英语"] == "英语-2 / 答题卡-2"
    )
    room2 = a.filter(pl.col("room") == "第2监测室").row(0, named=True)
    assert (
        room2["seat"] == "01" and room2["booklet_语文"] == "语文-1 / 答题卡-1"
    )  # restart per room
    assert set(table["room_kind"]) == {"paper"}


def test_grade_8_forms(tmp_path: Path) -> None:
    sampled = _sampled(tmp_path / "s.csv", {"J": 8}, stage="junior")
    table = _run(tmp_path, "--sampled", str(sampled), "--cycle", "national-2022")
    assert table["booklet_英语"].to_list()[5:8] == [
        "英语-6 / 答题卡-6",
        "英语-1 / 答题卡-1",
        "英语-2 / 答题卡-2",
    ]


def test_computer_rooms_first_spares_and_orientation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sampled = _sampled(tmp_path / "s.csv", {"A": 60, "B": 30})
    rooms = _rooms(
        tmp_path / "rooms.csv",
        "A,机房一,computer,32,front,4\nA,机房二,computer,33,sideways,4\nB,小机房,computer,31,front,\n",
    )
    plan = tmp_path / "plan.csv"
    table = _run(
        tmp_path,
        "--sampled", str(sampled), "--rooms", str(rooms), "--cycle", "national-2022",
        "--grade", "4", "--rooms-out", str(plan),
    )  # fmt: skip
    # 2022 template: at least 2 spare PCs -> 30 students need 32 PCs.
    a = table.filter(pl.col("school_id") == "A")
    kinds = a.group_by("room", maintain_order=True).agg(
        pl.col("room_kind").first(), pl.col("computer_room").first()
    )
    assert kinds.rows() == [
        ("第1监测室", "computer", "机房一"),
        ("第2监测室", "computer", "机房二"),
    ]
    r1 = a.filter(pl.col("room") == "第1监测室")
    # horizontal S with 4 columns: seat 05 is row 2, column 4
    assert r1.filter(pl.col("seat") == "05").select("row", "column").row(0) == ("2", "4")
    r2 = a.filter(pl.col("room") == "第2监测室")
    # vertical S with 33 PCs in 4 columns -> 9 rows: seat 10 is row 9, column 2
    assert r2.filter(pl.col("seat") == "10").select("row", "column").row(0) == ("9", "2")
    b = table.filter(pl.col("school_id") == "B")
    assert set(b["room_kind"]) == {"paper"}  # 31 PCs < 30 + 2
    printed = capsys.readouterr().out
    assert "B：计算机教室“小机房”只有 31 台联网计算机" in printed
    rooms_plan = pl.read_csv(plan, infer_schema_length=0)
    assert rooms_plan.filter(pl.col("school_id") == "A")["spare_pcs"].to_list() == ["2", "3"]
    assert "不足" in rooms_plan.filter(pl.col("school_id") == "B")["note"][0]


def test_chongqing_three_spares(tmp_path: Path) -> None:
    sampled = _sampled(tmp_path / "s.csv", {"C": 42}, stage=None)
    for pcs, kind in ((44, "paper"), (45, "computer")):  # 42 students + 3 spares need 45 PCs
        rooms = _rooms(tmp_path / "rooms.csv", f"C,机房,computer,{pcs},front,6\n")
        table = _run(tmp_path, "--sampled", str(sampled), "--rooms", str(rooms), "--cycle", "chongqing-2020",
                     "--grade", "5")
        assert set(table["room_kind"]) == {kind}
    assert not [c for c in table.columns if c.startswith("booklet_")]  # no forms configured


def test_bad_rooms_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rooms = _rooms(tmp_path / "rooms.csv", "A,机房,paper,x,upside,0\n,机房,computer,30,front,\n")
    with pytest.raises(ValidationFailed) as info:
        read_computer_rooms(rooms)
    where = [(e.row, e.column) for e in info.value.errors]
    assert where == [(2, "kind"), (2, "pcs"), (2, "orientation"), (2, "columns"), (3, "school_id")]
    sampled = _sampled(tmp_path / "s.csv", {"A": 3})
    out = tmp_path / "o.csv"
    assert (
        main(
            [
                "--sampled",
                str(sampled),
                "--rooms",
                str(rooms),
                "--cycle",
                "national-2022",
                "--out",
                str(out),
            ]
        )
        == 1
    )
    assert "第 2 行，列 pcs" in capsys.readouterr().err


def test_bad_cycle_and_missing_grade(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sampled = _sampled(tmp_path / "s.csv", {"A": 3}, stage=None)
    out = str(tmp_path / "o.csv")
    assert main(["--sampled", str(sampled), "--cycle", "no-such-cycle", "--out", out]) == 1
    assert "找不到周期模板" in capsys.readouterr().err
    assert main(["--sampled", str(sampled), "--cycle", "national-2022", "--out", out]) == 2
    assert "--grade" in capsys.readouterr().err


def test_runs_as_module(tmp_path: Path) -> None:
    sampled = _sampled(tmp_path / "s.csv", {"A": 2})
    out = tmp_path / "o.csv"
    done = subprocess.run(
        [sys.executable, "-m", "jiance_core.commands.seat_plan", "--sampled", str(sampled),
         "--cycle", "national-2022", "--out", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8-sig").startswith(
        "school_id,room,room_kind,seat,row,column,student"
    )
