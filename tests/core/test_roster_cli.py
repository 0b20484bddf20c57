from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from jiance_core.commands.check_roster import main
from jiance_core.idcard import make_id

HEADER = "姓名,性别,出生日期,身份证号,班级,学号"


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _good(n: int) -> list[str]:
    out = []
    for i in range(n):
        born = date(2013, 3, 1 + i)
        out.append(
            f"学生{i},{'男' if i % 2 else '女'},{born},{make_id('320102', born, i)},四年级1班,{i:02d}"
        )
    return out


def test_clean_roster(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "ok.csv", _good(3))
    assert main([str(path), "--grade", "4", "--test-date", "2022-05-25"]) == 0
    assert capsys.readouterr().out.strip() == "未发现问题，共 3 行"


def test_problems_listed_with_row_column_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _good(3)
    bad_id = rows[1].split(",")[3]
    rows[1] = rows[1].replace(bad_id, bad_id[:17] + ("1" if bad_id[17] != "1" else "2"))
    rows.append(rows[0])  # duplicate ID and student number
    path = _write(tmp_path / "bad.csv", rows)
    assert main([str(path)]) == 1
    out = capsys.readouterr().out
    assert f"第 3 行，列 身份证号：身份证号校验位错误：最后一位应为 {bad_id[17]}" in out
    assert "第 5 行，列 身份证号：身份证号" in out and "重复（与第 2 行相同）" in out
    assert "第 5 行，列 学号：学号 00 在班级“四年级1班”中重复（与第 2 行相同）" in out
    assert "共 3 处问题，涉及 2 行" in out


def test_limit_and_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "bad.csv", ["a,x,2013-01-01,1,1班,1", "b,y,2013-01-01,2,1班,2"])
    assert main([str(path), "--limit", "1"]) == 1
    assert "另有" in capsys.readouterr().out
    assert main([str(path), "--grade", "13"]) == 2
    with pytest.raises(SystemExit):
        main([str(path), "--test-date", "25/05/2022"])


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "none.xlsx")]) == 1
    assert "找不到文件" in capsys.readouterr().out


def test_runs_as_module(tmp_path: Path) -> None:
    path = _write(tmp_path / "ok.csv", _good(2))
    done = subprocess.run(
        [sys.executable, "-m", "jiance_core.commands.check_roster", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "未发现问题，共 2 行" in done.stdout


def _teachers(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(["姓名", "性别", "任教班级", "角色", "问卷角色", "任职类型"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_a_teacher_file_is_recognised_and_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _teachers(tmp_path / "教师.xlsx", [
        ["王老师", "女", "4年级1班", "班主任、语文教师", "语文教师", None],
        ["李老师", "男", None, "音乐教师", None, "代课"],
    ])
    assert main([str(good)]) == 0
    assert capsys.readouterr().out.strip() == "未发现问题，共 2 名教师"
    bad = _teachers(tmp_path / "教师2.xlsx", [
        ["王老师", "女", "4年级1班", "班主任、语文教师", None, None],
        ["王老师", "妇", "4年级1班", "校医", None, "外聘"],
    ])
    assert main([str(bad), "--teachers"]) == 1
    out = capsys.readouterr().out
    assert "第 2 行，列 问卷角色：身兼多职教师须选择一个问卷角色（须为其角色之一）" in out
    assert "第 3 行，列 性别：性别“妇”无效：应为“男”或“女”" in out
    assert "第 3 行，列 角色：未知的角色“校医”" in out
    assert "第 3 行，列 任职类型：任职类型“外聘”无效" in out
    assert "第 3 行，列 姓名：与第 2 行重复：同一任教班级中已有同名教师“王老师”" in out


def test_a_hostile_teacher_file_is_one_chinese_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.security.hostile_files import sparse

    path = tmp_path / "教师.xlsx"
    path.write_bytes(sparse())
    assert main([str(path), "--teachers"]) == 1
    assert "文件：行数超出上限：第 1048576 行" in capsys.readouterr().out
    path.write_bytes(sparse())
    assert main([str(path)]) == 1  # not recognised as teachers: the roster check refuses it too
    assert "行数超出上限" in capsys.readouterr().out
