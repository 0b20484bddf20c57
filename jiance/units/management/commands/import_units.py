"""jiance import-units FILE [--dry-run] [--as USERNAME] [--rejected OUT.xlsx]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiance.units.management.commands._common import acting_user
from jiance.units.services import units_import


class Command(BaseCommand):
    help = "从 XLSX 导入行政层级与学校（全部行检查通过才写入；--dry-run 只检查）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="导入文件（.xlsx，单位导入模板）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告将新建/更新/未变的数量，不写入")
        parser.add_argument("--as", dest="as_user", metavar="USERNAME", help="以该用户身份导入（只能导入其管辖范围）")
        parser.add_argument("--rejected", metavar="OUT.xlsx", help="有错误时把问题行（含错误原因）写到此文件")
        parser.add_argument("--max-errors", type=int, default=200, help="最多打印多少条错误（默认 200）")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        user, _scope, roots = acting_user(opts["as_user"])
        result = units_import(
            data=path.read_bytes(), filename=path.name, roots=roots, dry_run=opts["dry_run"], actor=user
        )
        c = result.counts
        if not result.ok:
            self.stderr.write(f"{path.name}：{c['errors']} 处错误，涉及 {c['rejected_rows']} 行，未写入任何数据。")
            for g in result.groups:
                self.stderr.write(f"  {g.kind}：{g.count} 处")
            errors = sorted(result.plan.errors)
            for e in errors[: opts["max_errors"]]:
                self.stderr.write(str(e))
            if len(errors) > opts["max_errors"]:
                self.stderr.write(f"……另有 {len(errors) - opts['max_errors']} 处错误")
            if opts["rejected"]:
                Path(opts["rejected"]).write_bytes(result.rejected_xlsx())
                self.stderr.write(f"问题行已写入 {opts['rejected']}")
            raise CommandError("导入失败")
        verb = "检查通过（未写入）" if result.dry_run else "导入完成"
        self.stdout.write(
            f"{path.name} {verb}：共 {c['rows']} 行，新建 {c['new']}，更新 {c['updated']}，未变 {c['unchanged']}"
            f"（{result.seconds:.1f} 秒）"
        )
