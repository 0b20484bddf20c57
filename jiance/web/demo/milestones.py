"""The demo's tasks done by hand and its reminders: the demo county's completed tasks carry the
county office's marking (a note, who, when) as if marked on its task page; the city reminds the
counties that have not done the county task most overdue; the daily reminder job runs for the
demo day, so the home page's deadlines, the top bar's count and the notification list show."""

from __future__ import annotations

import contextlib
import datetime as dt

from jiance.accounts.models import User
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle, MilestoneCompletion
from jiance.milestones.models import MarkStatus, MilestoneMark
from jiance.notifications.services import ReminderRefused, laggards_remind, notifications_daily
from jiance.units.models import Level, Unit

NOTES = (
    "已按要求完成，相关材料存档备查。",
    "已召开专题会议部署，会议纪要已存档。",
    "已完成，参会人员签到表存档备查。",
)


def build_marks_and_reminders(*, cycle: Cycle, city: Unit, county: Unit, users: dict[str, User],
                              today: dt.date) -> int:
    """Returns how many notifications the demo's daily job created."""
    actor = users.get("ncx.admin")
    done = (MilestoneCompletion.objects.filter(milestone__cycle=cycle, unit=county, milestone__done_when="")
            .select_related("milestone").order_by("milestone__number"))
    MilestoneMark.objects.bulk_create(
        MilestoneMark(cycle=cycle, milestone=c.milestone, unit=county, status=MarkStatus.DONE, locked=True,
                      note=NOTES[i % len(NOTES)], marked_at=c.done_at, marked_by=actor, created_at=c.done_at,
                      updated_at=c.done_at, version=2)
        for i, c in enumerate(done)
    )
    MilestoneCompletion.objects.filter(pk__in=[c.pk for c in done], done_by__isnull=True).update(done_by=actor)
    city_admin = users.get("nanchang.admin")
    overdue = cycle.milestones.filter(level=Level.COUNTY, deadline__lt=today).order_by("-deadline").first()
    if city_admin is not None and overdue is not None:
        with contextlib.suppress(ReminderRefused):  # refused when every county has done it
            laggards_remind(scope=Scope(city_admin), unit=city, milestone=overdue, actor=city_admin)
    return notifications_daily(today=today).deadlines
