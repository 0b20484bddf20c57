"""`jiance custody_overdue`: alert the county and the city about boxes not returned in time
(run every 15 minutes on test days, e.g. by cron; running it twice sends nothing twice)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jiance.custody.alerts import overdue_alert_all


class Command(BaseCommand):
    help = "提醒县、市：监测工具箱逾期未送回保密室（测试日每 15 分钟运行一次；重复运行不会重复提醒）"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"逾期未送回提醒：新发 {overdue_alert_all()} 条")
