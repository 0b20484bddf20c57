"""`jiance worker`: run background jobs (see docs/deployment.md, "Background jobs").

With the database backend (the default) it recovers the jobs of dead workers, then runs
django-tasks-db's worker loop (`db_worker`). With the Redis backend (`JIANCE_TASKS_BACKEND=redis://…`)
it runs RQ's worker with django-tasks-rq's job class. Stop it with SIGTERM/Ctrl+C: the job in hand
is finished first (a second signal stops at once; the job is then recovered as for a crash).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from jiance.jobs.services import jobs_recover


class Command(BaseCommand):
    help = "运行后台任务（导出、抽样等）；默认使用数据库队列，配置 JIANCE_TASKS_BACKEND 后使用 Redis"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sole", action="store_true",
                            help="唯一的工作进程（演示）：启动时把所有“进行中”的任务视为中断")
        parser.add_argument("--batch", action="store_true", help="处理完队列中的任务后退出")
        parser.add_argument("--max-tasks", type=int, default=None, help="处理这么多个任务后退出")
        parser.add_argument("--interval", type=float, default=1.0, help="队列为空时的轮询间隔（秒）")

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASKS["default"]["BACKEND"]
        if "django_tasks_rq" in backend:
            call_command("rqworker", "default", job_class="django_tasks_rq.Job",
                         burst=options["batch"], max_jobs=options["max_tasks"])
            return
        counts = jobs_recover(stale_after=dt.timedelta(0) if options["sole"] else None)
        if any(counts.values()):
            self.stdout.write(f"中断的任务：重新排队 {counts['requeued']} 个，标为失败 {counts['failed']} 个")
        call_command("db_worker", queue_name="*", interval=options["interval"], batch=options["batch"],
                     max_tasks=options["max_tasks"], reload=False, startup_delay=False,
                     verbosity=options["verbosity"])
