"""`jiance scheduler`: enqueue the periodic jobs when due (`jiance.jobs.schedule`), forever."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from jiance.jobs.schedule import SCHEDULE, scheduler_tick


class Command(BaseCommand):
    help = "定时任务调度：按时提交提醒、清理上传文件、保密材料逾期提醒，并恢复中断的后台任务"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=30.0, help="检查间隔（秒，默认 30）")
        parser.add_argument("--once", action="store_true", help="只检查一次后退出")

    def handle(self, *args: Any, **options: Any) -> None:
        for entry in SCHEDULE:
            when = f"每 {int(entry.every.total_seconds() // 60)} 分钟" if entry.every else f"每天 {entry.daily_at:%H:%M}"
            self.stdout.write(f"{entry.name}：{when}")
        while True:
            close_old_connections()
            for name in scheduler_tick():
                self.stdout.write(f"已提交：{name}")
            if options["once"]:
                return
            time.sleep(options["interval"])
