"""jiance create-admin --unit CODE --username NAME --name 姓名

The first account of an office on a new installation (the centre, a province, a city or a county):
the administrator of that unit, with a one-time password printed once and changed at first login.
Everyone else is then created from the accounts pages by the level above.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiance.accounts.models import Role, User
from jiance.accounts.services import user_create_with_role
from jiance.audit.context import Actor, acting_as
from jiance.units.models import Level, Unit

ADMIN_OF_LEVEL = {
    Level.CENTRE: Role.CENTRE_ADMIN,
    Level.PROVINCE: Role.PROVINCE_ADMIN,
    Level.CITY: Role.CITY_ADMIN,
    Level.COUNTY: Role.COUNTY_ADMIN,
}


class Command(BaseCommand):
    help = "为国家监测中心、省、市或县（区）创建第一个管理员账号（一次性密码，首次登录须修改）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="单位代码（国家监测中心、省、市或县）")
        parser.add_argument("--username", required=True, help="用户名")
        parser.add_argument("--name", required=True, help="姓名")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(code=options["unit"], is_active=True).first()
        if unit is None:
            raise CommandError(f"没有代码为 {options['unit']} 的单位：先导入行政层级（jiance import-units）")
        role = ADMIN_OF_LEVEL.get(Level(unit.level))
        if role is None:
            raise CommandError(f"{unit.name}是学校：学校账号由县（区）批量创建（jiance create-school-accounts）")
        if User.objects.filter(username=options["username"]).exists():
            raise CommandError(f"用户名 {options['username']} 已存在")
        with acting_as(Actor(label="create-admin")):
            try:
                _, password = user_create_with_role(
                    username=options["username"], full_name=options["name"], role=role, unit=unit)
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"已创建 {unit.name} 的{Role(role).label} {options['username']}。")
        self.stdout.write(f"一次性密码（只显示这一次，首次登录须修改）：{password}")
