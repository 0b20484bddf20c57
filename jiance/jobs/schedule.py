"""Periodic jobs, scheduled by the platform (`jiance scheduler`), not by cron or systemd timers.

Each entry names an existing management command (each is idempotent: a second run the same day
sends or deletes nothing twice) and when it is due: every N minutes, or daily at a local time.
One tick (`scheduler_tick`, every `--interval` seconds) enqueues, for each entry, its latest due
run that was not enqueued yet: a `ScheduledRun` row per (name, due time) under a unique constraint
makes the enqueue happen once however many schedulers run. A run missed while no scheduler ran is
caught up only if it was due less than `catch_up` ago (a daily reminder is not sent at midnight
for a morning missed the day before). The tick also recovers the jobs of dead workers.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from io import StringIO

from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from jiance import clock
from jiance.jobs.models import ScheduledRun
from jiance.jobs.services import jobs_recover

logger = logging.getLogger("jiance.jobs")


@dataclass(frozen=True)
class Periodic:
    name: str  # the management command (`jiance <name>`)
    every: dt.timedelta | None = None
    daily_at: dt.time | None = None  # local time (settings.TIME_ZONE)
    catch_up: dt.timedelta = dt.timedelta(hours=3)

    def last_due(self, now: dt.datetime) -> dt.datetime:
        """The latest due time at or before `now`."""
        if self.every is not None:
            step = int(self.every.total_seconds())
            epoch = int(now.timestamp())
            return dt.datetime.fromtimestamp(epoch - epoch % step, tz=dt.UTC)
        assert self.daily_at is not None
        local = timezone.localtime(now)
        due = local.replace(hour=self.daily_at.hour, minute=self.daily_at.minute, second=0, microsecond=0)
        return due if due <= local else due - dt.timedelta(days=1)


SCHEDULE: tuple[Periodic, ...] = (
    # Deadline and inbox reminders (jiance.notifications), once a day.
    Periodic("remind", daily_at=dt.time(6, 30)),
    # Kept uploads and job results past their days (jiance.retention), once a day.
    Periodic("purge-uploads", daily_at=dt.time(6, 30)),
    # Boxes of test material not returned in time (jiance.custody): every 15 minutes.
    Periodic("custody-overdue", every=dt.timedelta(minutes=15), catch_up=dt.timedelta(minutes=15)),
)
NAMES = {p.name for p in SCHEDULE}


@task()
def run_periodic(name: str) -> str:
    """Run one scheduled command on a worker; only the names of SCHEDULE (never a command read
    from the queue as such)."""
    if name not in NAMES:
        raise ValueError(f"not a scheduled job: {name}")
    out = StringIO()
    call_command(name.replace("-", "_"), stdout=out)
    return out.getvalue()[-2000:]


def scheduler_tick(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every due run not enqueued yet; recover the jobs of dead workers. Returns what it enqueued."""
    now = now or clock.now()
    enqueued = []
    for entry in SCHEDULE:
        due = entry.last_due(now)
        if now - due > entry.catch_up:
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=entry.name, due_at=due, enqueued_at=now)
                result = run_periodic.enqueue(entry.name)
                run.task_id = str(result.id)[:64]
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # another scheduler (or an earlier tick) enqueued this run
        enqueued.append(entry.name)
        logger.info("scheduled %s (due %s)", entry.name, due.isoformat())
    jobs_recover()
    return enqueued
