"""jiance create-school-accounts --unit CODE --out FILE

One account per school below a county (or higher) unit and per role; writes the initial
passwords to an XLSX file readable by its owner only. Existing usernames are skipped.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from jiance.accounts.models import SCHOOL_ACCOUNT_SUFFIXES, User
from jiance.accounts.services import DEFAULT_SCHOOL_ROLES, accounts_create_for_schools
from jiance.audit.context import Actor, acting_as
from jiance.units.models import Unit


class Command(BaseCommand):
    help = "为某县（区）或更高层级单位下的每所学校批量创建账号，初始密码写入 XLSX 文件"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="县（区）或更高层级单位的代码")
        parser.add_argument("--out", required=True, help="初始密码 XLSX 文件的输出路径")
        parser.add_argument(
            "--roles", default=",".join(DEFAULT_SCHOOL_ROLES),
            help="逗号分隔的角色代码，默认 principal,school_info（可选："
            + ",".join(SCHOOL_ACCOUNT_SUFFIXES) + "）",
        )
        parser.add_argument("--as", dest="as_user", default="", help="以该用户的权限执行（可选）")
        parser.add_argument("--force", action="store_true", help="覆盖已存在的输出文件")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            unit = Unit.objects.get(code=options["unit"])
        except Unit.DoesNotExist:
            raise CommandError(f"单位代码 {options['unit']} 不存在") from None
        out = Path(options["out"])
        if out.exists() and not options["force"]:
            raise CommandError(f"文件 {out} 已存在；如需覆盖请加 --force")
        actor = None
        if options["as_user"]:
            actor = User.objects.filter(username=options["as_user"]).first()
            if actor is None:
                raise CommandError(f"用户 {options['as_user']} 不存在")
        roles = tuple(r.strip() for r in options["roles"].split(",") if r.strip())
        try:
            with acting_as(Actor(user=actor, label="cli")):
                result = accounts_create_for_schools(county_or_higher=unit, roles=roles, actor=actor)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        except (PermissionDenied, Http404):
            raise CommandError(f"用户 {options['as_user']} 无权为 {unit.name} 创建账号") from None
        if result.created:
            # The file holds passwords: create it readable by its owner only.
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(result.xlsx)
            os.chmod(out, 0o600)
        self.stdout.write(
            f"{unit.name}：新建 {len(result.created)} 个账号，跳过已存在的 {len(result.skipped)} 个"
            + (f"；初始密码已写入 {out}" if result.created else "；未写文件")
        )
