from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jiance.cycles.models import Cycle
from jiance.cycles.services import (
    TEMPLATES_DIR,
    cycle_activate,
    cycle_copy,
    cycle_load_file,
)
from jiance.units.models import Unit
from jiance_core.cycles.loader import TemplateError, load_template


class Command(BaseCommand):
    help = "监测周期：load 载入模板 / check 校验模板 / copy 复制并顺延日期 / activate 启用 / list 列出"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="载入模板文件（YAML）；可写模板代码，如 national-2022")
        load.add_argument("template")
        load.add_argument("--owner", help="组织单位代码")
        load.add_argument("--replace", action="store_true", help="覆盖已存在的同代码周期")
        load.add_argument("--activate", action="store_true")
        check = sub.add_parser("check", help="只校验模板，不写数据库")
        check.add_argument("template")
        copy = sub.add_parser("copy", help="复制周期并顺延全部日期")
        copy.add_argument("code")
        copy.add_argument("--year", type=int, help="新年度（默认按 364 天/年顺延，星期不变）")
        copy.add_argument("--days", type=int, help="顺延天数")
        copy.add_argument("--new-code")
        act = sub.add_parser("activate", help="启用周期")
        act.add_argument("code")
        sub.add_parser("list", help="列出周期")

    def _path(self, name: str) -> Path:
        path = Path(name)
        if not path.exists() and (TEMPLATES_DIR / f"{name}.yaml").exists():
            path = TEMPLATES_DIR / f"{name}.yaml"
        if not path.exists():
            raise CommandError(f"找不到模板文件：{name}")
        return path

    def handle(self, *args: Any, **o: Any) -> None:
        action = o["action"]
        try:
            if action == "check":
                t = load_template(self._path(o["template"]))
                self.stdout.write(f"模板有效：{t.code}（{t.name}）")
            elif action == "load":
                owner = Unit.objects.filter(code=o["owner"]).first() if o.get("owner") else None
                if o.get("owner") and owner is None:
                    raise CommandError(f"找不到单位：{o['owner']}")
                cycle = cycle_load_file(path=self._path(o["template"]), owner=owner, replace=o["replace"])
                if o["activate"]:
                    cycle_activate(cycle=cycle)
                self.stdout.write(
                    f"已载入：{cycle.code}（{cycle.name}），工作节点 {cycle.milestones.count()} 项"
                )
            elif action == "copy":
                source = Cycle.objects.filter(code=o["code"]).first()
                if source is None:
                    raise CommandError(f"找不到监测周期：{o['code']}")
                if o["year"] is None and o["days"] is None:
                    raise CommandError("请给出 --year 或 --days")
                cycle = cycle_copy(source=source, new_year=o["year"], days=o["days"], new_code=o["new_code"])
                self.stdout.write(f"已复制：{cycle.code}（{cycle.name}），测试日 {', '.join(map(str, cycle.test_days))}")
                for flag in cycle.text_flags.all():
                    self.stdout.write(f"  待核对 {flag.path}：“{flag.excerpt}”——{flag.reason}")
            elif action == "activate":
                target = Cycle.objects.filter(code=o["code"]).first()
                if target is None:
                    raise CommandError(f"找不到监测周期：{o['code']}")
                cycle_activate(cycle=target)
                self.stdout.write(f"已启用：{target.code}")
            else:
                for c in Cycle.objects.all():
                    self.stdout.write(f"{c.code}\t{c.year}\t{c.get_status_display()}\t{c.name}")
        except TemplateError as exc:
            raise CommandError(str(exc)) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
