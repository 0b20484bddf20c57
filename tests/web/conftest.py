from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.utils import timezone

from jiance import clock
from jiance.cycles.models import (
    Cycle,
    CycleParticipant,
    CycleStatus,
    Milestone,
    MilestoneCompletion,
)
from tests.factories import World
from tests.hashers import fast_argon2  # noqa: F401  (autouse: Argon2 at test cost in this folder)

TODAY = dt.date(2022, 5, 10)


@pytest.fixture
def frozen_today() -> Iterator[dt.date]:
    with clock.frozen(dt.datetime(TODAY.year, TODAY.month, TODAY.day, 10, 0)):
        yield TODAY


@dataclass
class Progress:
    """An active cycle with tasks in every state around TODAY (2022-05-10), test day 05-25."""

    cycle: Cycle
    county_overdue: Milestone  # deadline 05-01; county_a owes it, county_b did it
    county_due: Milestone  # deadline 05-15
    county_upcoming: Milestone  # 05-20..05-22
    county_done: Milestone  # deadline 04-20; both counties did it
    school_overdue: Milestone  # deadline 05-05; school_a1 did it, the others owe it
    school_due: Milestone  # deadline 05-20
    school_test_day: Milestone  # 05-25..05-26, during the test: never owed before it


def _m(cycle: Cycle, level: str, number: int, task: str, deadline: dt.date | None,
       start: dt.date | None = None, phase: str = "before") -> Milestone:
    return Milestone.objects.create(cycle=cycle, level=level, number=number, task=task,
                                    deadline=deadline, start=start, phase=phase)


def _done(m: Milestone, unit: object) -> None:
    at = timezone.make_aware(dt.datetime.combine(m.deadline or TODAY, dt.time(9)))
    MilestoneCompletion.objects.create(milestone=m, unit=unit, done_at=at)


@pytest.fixture
def progress(world: World, frozen_today: dt.date) -> Progress:
    cycle = Cycle.objects.create(code="t-2022", year=2022, name="测试周期 2022",
                                 status=CycleStatus.ACTIVE, config={"test_days": ["2022-05-25", "2022-05-26"]})
    p = Progress(
        cycle=cycle,
        county_overdue=_m(cycle, "county", 1, "县级任务甲（逾期）", dt.date(2022, 5, 1)),
        county_due=_m(cycle, "county", 2, "县级任务乙（到期）", dt.date(2022, 5, 15)),
        county_upcoming=_m(cycle, "county", 3, "县级任务丙（未开始）", dt.date(2022, 5, 22), dt.date(2022, 5, 20)),
        county_done=_m(cycle, "county", 4, "县级任务丁（已完成）", dt.date(2022, 4, 20)),
        school_overdue=_m(cycle, "school", 1, "学校任务甲（逾期）", dt.date(2022, 5, 5)),
        school_due=_m(cycle, "school", 2, "学校任务乙（到期）", dt.date(2022, 5, 20)),
        school_test_day=_m(cycle, "school", 3, "学校任务丙（测试日）", dt.date(2022, 5, 26),
                           dt.date(2022, 5, 25), phase="during"),
    )
    _done(p.county_done, world.county_a)
    _done(p.county_done, world.county_b)
    _done(p.county_overdue, world.county_b)
    _done(p.school_overdue, world.school_a1)
    return p


@pytest.fixture
def sample_only_a1(progress: Progress, world: World) -> Progress:
    """Only school_a1 of county A takes part (a sample school); school_a2 does not."""
    CycleParticipant.objects.create(cycle=progress.cycle, unit=world.school_a1, coordinator=world.county_a)
    return progress
