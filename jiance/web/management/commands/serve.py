from __future__ import annotations

import datetime as dt
import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jiance import clock


def test_day_at(values: list[str]) -> dt.datetime:
    """`[N] HH:MM`: that time on the active cycle's N-th test day (1 when N is left out) — the
    test-day demo's moment, e.g. `2 10:30`."""
    from jiance.cycles.selectors import active_cycle

    if not 1 <= len(values) <= 2:
        raise CommandError("--test-day 须为 [第几个测试日] HH:MM，如 2 10:30")
    number_text, hhmm = (values[0], values[1]) if len(values) == 2 else ("1", values[0])
    try:
        at = dt.time.fromisoformat(hhmm)
    except ValueError as exc:
        raise CommandError(f"--test-day 的时刻须为 HH:MM，收到 {hhmm!r}") from exc
    if not number_text.isdigit() or int(number_text) < 1:
        raise CommandError(f"--test-day 的测试日须为 1、2……，收到 {number_text!r}")
    cycle = active_cycle()
    if cycle is None or not cycle.test_days:
        raise CommandError("没有进行中的监测周期或周期没有测试日：先运行 jiance demo --phase testday")
    days = sorted(cycle.test_days)
    if int(number_text) > len(days):
        raise CommandError(f"进行中的周期只有 {len(days)} 个测试日")
    return timezone.make_aware(dt.datetime.combine(days[int(number_text) - 1], at))


def first_test_day_at(hhmm: str) -> dt.datetime:
    """`hhmm` on the first test day of the active cycle."""
    return test_day_at([hhmm])


class Command(BaseCommand):
    help = "启动网站（开发服务器，SQLite 演示用）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument(
            "--production", action="store_true",
            help="以生产方式运行：gunicorn、生产设置（须设置 JIANCE_ENV=production 等环境变量），先迁移数据库并收集静态文件",
        )
        parser.add_argument(
            "--test-day", metavar="[N] HH:MM", nargs="+", default=None,
            help="时钟从进行中周期第 N 个测试日（默认第 1 个）的该时刻起走（测试日演示用：make demo-testday 为 2 10:30）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["production"]:
            self.production(options["addr"])
            return
        call_command("migrate", verbosity=0)
        if options["test_day"]:
            settings.JIANCE_NOW = test_day_at(options["test_day"]).isoformat()
            clock.restart()
            self.stdout.write(f"时钟从 {settings.JIANCE_NOW} 起走（测试日演示）。")
        # The demo runs with DEBUG off (the platform's own error pages, no debug pages listing
        # URL patterns), so the development server must be told to serve the static files.
        call_command("runserver", options["addr"], use_reloader=False, insecure_serving=not settings.DEBUG)

    def production(self, addr: str) -> None:
        """Migrate, collect the static files (compressed, hashed), then become gunicorn."""
        if not settings.PRODUCTION:
            raise CommandError("--production 需要生产设置：设置 JIANCE_ENV=production、JIANCE_SECRET_KEY、"
                               "JIANCE_FIELD_KEY、JIANCE_ALLOWED_HOSTS 和 DATABASE_URL（见 docs/deployment.md）")
        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            self.stderr.write("注意：生产方式运行在 SQLite 上，仅适合单机小规模；全国或省级部署请用 PostgreSQL。")
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        os.environ["JIANCE_BIND"] = addr
        sys.stdout.flush()
        gunicorn = [sys.executable, "-m", "gunicorn", "-c", "python:jiance.gunicorn_conf", "jiance.wsgi:application"]
        os.execv(sys.executable, gunicorn)  # noqa: S606 - a fixed argv, no shell: this process becomes gunicorn
