"""jiance unit-template FILE"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jiance.units.importer import unit_template


class Command(BaseCommand):
    help = "生成带下拉选项的单位导入模板（数据、填表说明、代码表）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="输出文件（.xlsx）")

    def handle(self, *args: Any, **opts: Any) -> None:
        Path(opts["file"]).write_bytes(unit_template())
        self.stdout.write(f"模板已写入 {opts['file']}")
