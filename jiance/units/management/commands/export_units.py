"""jiance export-units FILE [--root CODE] [--as USERNAME]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiance.units.management.commands._common import acting_user
from jiance.units.models import Unit
from jiance.units.services import units_export


class Command(BaseCommand):
    help = "导出行政层级与学校到 XLSX（与导入模板同列，可修改后重新导入）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="输出文件（.xlsx）")
        parser.add_argument("--root", metavar="CODE", help="只导出该单位及其下级")
        parser.add_argument("--as", dest="as_user", metavar="USERNAME", help="以该用户身份导出（只含其可见范围）")

    def handle(self, *args: Any, **opts: Any) -> None:
        user, scope, _roots = acting_user(opts["as_user"])
        root = None
        if opts["root"]:
            qs = Unit.objects.all() if scope is None else scope.units()
            root = qs.filter(code=opts["root"]).first()
            if root is None:
                raise CommandError(f"单位不存在或不在您的管辖范围内：{opts['root']}")
        data = units_export(scope=scope, root=root, actor=user)
        Path(opts["file"]).write_bytes(data)
        self.stdout.write(f"已导出到 {opts['file']}")
