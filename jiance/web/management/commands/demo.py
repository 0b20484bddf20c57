from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jiance import clock
from jiance.accounts.models import Role
from jiance.units.models import Unit
from jiance.web.services import (
    DEMO_PASSWORD,
    DEMO_PHASES,
    demo_accounts,
    demo_build,
    demo_present,
    demo_stand_day,
    demo_template_days,
)


class Command(BaseCommand):
    help = (
        "建库并写入演示数据（南昌市 12 个县区、约 1,200 所学校、进行中的监测周期，以及测试前约十天的进度："
        "属地学校信息已审核、样本校已抽取发布、南昌县样本校名单审核中），打印演示账号"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=2022, help="随机种子（默认 2022）")
        parser.add_argument("--no-migrate", action="store_true", help="不执行 migrate")
        parser.add_argument(
            "--phase", choices=DEMO_PHASES, default="before",
            help="演示数据所处的阶段：before（测试前约十天，默认）、testday（第二个测试日 10:30：第一天已完成，"
                 "一箱逾期未送回，第二天进行中，教师问卷填答中）、"
                 "after（测试后第二天，测后上报开放）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        db = settings.DATABASES["default"]
        if db["ENGINE"].endswith("sqlite3"):
            from pathlib import Path

            Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        if not options["no_migrate"]:
            call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        if demo_present():
            self.stdout.write("数据库中已有演示数据，直接使用。（重建：删除 var/jiance.sqlite3 后再运行）")
        elif Unit.objects.exists():
            raise CommandError("数据库中已有非演示数据，不写入演示数据。请换一个空数据库（DATABASE_URL）。")
        else:
            if options["phase"] == "testday":
                # The test-day demo stands at 10:30 on the second test day (today), whatever the hour
                # (`demo_stand_day`): what the services record is stamped before it, nothing after.
                _number, at = demo_stand_day(demo_template_days())
                moment = timezone.make_aware(dt.datetime.combine(clock.today(), at))
                with clock.frozen(moment):
                    summary = demo_build(seed=options["seed"], phase=options["phase"])
            else:
                summary = demo_build(seed=options["seed"], phase=options["phase"])
            self.stdout.write(
                f"演示数据已写入：单位 {summary.units} 个（学校 {summary.schools} 所，来源 {summary.source}），"
                f"周期模板 {len(summary.cycles)} 个，进行中周期 {summary.active_cycle}，"
                f"已完成节点 {summary.completions} 条，用时 {time.perf_counter() - started:.1f} 秒。"
            )
            for line in summary.chain.lines():
                self.stdout.write("  " + line)
            if summary.staffing is not None:
                st = summary.staffing
                self.stdout.write(
                    f"  领导小组与测试工作人员：领导小组成员 {st.groups} 人；样本校工作人员 {st.posts} 人，"
                    f"{st.submitted} 个县（区）已提交，{st.broken_county or '—'}有不符合配备要求之处；胸牌 {st.badges} 个（{st.seconds:.1f} 秒）。"
                )
            if summary.incidents:
                self.stdout.write("  " + summary.incidents)
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for account, unit in demo_accounts():
            label = Role(account.role).label
            where = unit.name if unit else "—"
            self.stdout.write(f"  {account.username:<20} {label}（{where}）")
