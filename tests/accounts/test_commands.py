from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from jiance import cli
from jiance.accounts.models import Role, User
from jiance.audit.models import Action, AuditEntry
from tests.factories import World, make_user


def test_command_creates_accounts_and_writes_private_file(world: World, tmp_path: Path) -> None:
    out = tmp_path / "accounts.xlsx"
    stdout = io.StringIO()
    call_command("create_school_accounts", unit=world.city.code, out=str(out), stdout=stdout)
    assert "新建 8 个账号" in stdout.getvalue()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = list(load_workbook(out).active.iter_rows(values_only=True))[1:]
    assert len(rows) == 8
    for row in rows:
        assert User.objects.get(username=row[4]).check_password(row[5])
    export = AuditEntry.objects.get(action=Action.EXPORT)
    assert export.actor is None and export.actor_name == "cli" and export.unit == world.city


def test_jiance_entry_point_runs_the_management_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import django.core.management as management

    seen: list[list[str]] = []
    monkeypatch.setattr(management, "execute_from_command_line", lambda argv: seen.append(argv))
    code = cli.main(["create-school-accounts", "--unit", "360121", "--out", "a.xlsx"])
    assert code == 0
    assert seen == [["jiance", "create_school_accounts", "--unit", "360121", "--out", "a.xlsx"]]


def test_command_roles_option(world: World, tmp_path: Path) -> None:
    out = tmp_path / "a.xlsx"
    call_command("create_school_accounts", unit=world.county_b.code, out=str(out), roles="principal", stdout=io.StringIO())
    assert sorted(User.objects.values_list("username", flat=True)) == [
        f"{world.school_b1.code}-xz", f"{world.school_b2.code}-xz",
    ]


def test_command_skips_existing_and_writes_nothing_when_done(world: World, tmp_path: Path) -> None:
    call_command("create_school_accounts", unit=world.county_a.code, out=str(tmp_path / "1.xlsx"), stdout=io.StringIO())
    stdout = io.StringIO()
    call_command("create_school_accounts", unit=world.county_a.code, out=str(tmp_path / "2.xlsx"), stdout=stdout)
    assert "跳过已存在的 4 个" in stdout.getvalue()
    assert not (tmp_path / "2.xlsx").exists()


def test_command_refuses_to_overwrite(world: World, tmp_path: Path) -> None:
    out = tmp_path / "exists.xlsx"
    out.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="已存在"):
        call_command("create_school_accounts", unit=world.county_a.code, out=str(out))
    assert out.read_bytes() == b"keep me"
    assert not User.objects.exists()


def test_command_unknown_unit(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="不存在"):
        call_command("create_school_accounts", unit="000000", out=str(tmp_path / "x.xlsx"))


def test_command_as_user_is_scoped(world: World, tmp_path: Path) -> None:
    make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    with pytest.raises(CommandError, match="无权"):
        call_command(
            "create_school_accounts", unit=world.county_b.code, out=str(tmp_path / "x.xlsx"), as_user="county-a"
        )
    assert User.objects.count() == 1


def test_command_rejects_unknown_role(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("create_school_accounts", unit=world.county_a.code, out=str(tmp_path / "x.xlsx"), roles="county_admin")


def test_create_admin_makes_the_first_account_of_an_office(world: World) -> None:
    stdout = io.StringIO()
    call_command("create_admin", unit=world.city.code, username="city.first", name="王芳", stdout=stdout)
    user = User.objects.get(username="city.first")
    password = stdout.getvalue().rsplit("：", 1)[1].strip()
    assert user.check_password(password) and user.must_change_password
    assert list(user.roles.values_list("role", "unit")) == [(Role.CITY_ADMIN, world.city.pk)]
    created = AuditEntry.objects.get(action=Action.CREATE, object_id=str(user.pk))
    assert created.actor_name == "create-admin"


def test_create_admin_refuses_a_school_an_unknown_unit_and_a_taken_name(world: World) -> None:
    make_user("taken", Role.COUNTY_ADMIN, world.county_a)
    with pytest.raises(CommandError, match="是学校"):
        call_command("create_admin", unit=world.school_a1.code, username="x1", name="甲")
    with pytest.raises(CommandError, match="没有代码为"):
        call_command("create_admin", unit="999999", username="x2", name="乙")
    with pytest.raises(CommandError, match="已存在"):
        call_command("create_admin", unit=world.city.code, username="taken", name="丙")
    assert not User.objects.filter(username__in=["x1", "x2"]).exists()
