"""`jiance remind [--date YYYY-MM-DD]`: the daily reminder job (run it once a day, e.g. by cron)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiance.notifications.services import notifications_daily


class Command(BaseCommand):
    help = "发送截止提醒与待处理事项提醒（每天运行一次；重复运行不会重复发送）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="按哪一天计算（YYYY-MM-DD，默认今天）")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options.get("date"):
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['date']}") from exc
        report = notifications_daily(today=day)
        self.stdout.write(str(report))
