from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from jiance.accounts.models import Role
from jiance.units.models import Unit
from tests.factories import World, make_user
from tests.units.helpers import school, xlsx


def call(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_import_dry_run_then_real(world: World, tmp_path: Path) -> None:
    f = tmp_path / "u.xlsx"
    f.write_bytes(xlsx(school("3601210009", "新学校", "360121")))
    out, _ = call("import_units", str(f), "--dry-run")
    assert "新建 1" in out and "未写入" in out
    assert not Unit.objects.filter(code="3601210009").exists()
    out, _ = call("import_units", str(f))
    assert "导入完成" in out and Unit.objects.filter(code="3601210009").exists()


@pytest.mark.django_db
def test_import_errors_in_chinese_with_row_and_column(world: World, tmp_path: Path) -> None:
    f = tmp_path / "bad.xlsx"
    rejected = tmp_path / "rejected.xlsx"
    f.write_bytes(xlsx(school("3601210009", "新学校", "360121"), school("3601210010", "坏", "360100")))
    err = io.StringIO()
    with pytest.raises(CommandError, match="导入失败"):
        call_command("import_units", str(f), "--rejected", str(rejected), stderr=err)
    text = err.getvalue()
    assert "第 3 行，列 上级单位代码：层级与上级不匹配（学校的上级必须是县级单位）" in text
    assert len(list(load_workbook(rejected).active.values)) == 2
    assert not Unit.objects.filter(code="3601210009").exists()


@pytest.mark.django_db
def test_import_as_a_county_admin_is_scoped(world: World, tmp_path: Path) -> None:
    make_user("jx_admin", Role.COUNTY_ADMIN, world.county_b)
    f = tmp_path / "u.xlsx"
    f.write_bytes(xlsx(school("3601210009", "别县学校", "360121")))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_units", str(f), "--as", "jx_admin", stderr=err)
    assert "第 2 行" in err.getvalue() and "单位不在您的管辖范围内" in err.getvalue()


@pytest.mark.django_db
def test_export_and_template_commands(world: World, tmp_path: Path) -> None:
    out = tmp_path / "e.xlsx"
    call("export_units", str(out), "--root", "360124")
    codes = [r[0] for r in list(load_workbook(out)["数据"].values)[1:]]
    assert codes == ["360124", "3601240001", "3601240002"]
    with pytest.raises(CommandError, match="不在您的管辖范围内"):
        call("export_units", str(out), "--root", "NOPE")
    t = tmp_path / "t.xlsx"
    call("unit_template", str(t))
    assert "填表说明" in load_workbook(t).sheetnames


def test_console_script_maps_hyphens_and_exits_non_zero(tmp_path: Path) -> None:
    # A subprocess: management commands close every DB connection when they finish.
    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "模板.xlsx"
    ok = subprocess.run([sys.executable, "-m", "jiance.cli", "unit-template", str(out)],
                        cwd=root, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert load_workbook(out)["数据"]["A1"].value == "单位代码"
    bad = subprocess.run([sys.executable, "-m", "jiance.cli", "import-units", str(tmp_path / "无此文件.xlsx")],
                         cwd=root, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0
    assert "文件不存在" in bad.stderr
