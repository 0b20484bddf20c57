"""`jiance serve --test-day [N] HH:MM`: the moment is the active cycle's N-th (default first) test day at that time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management.base import CommandError
from django.utils import timezone

from jiance.cycles.models import Cycle, CycleStatus
from jiance.web.management.commands.serve import first_test_day_at


def make_cycle(test_days: list[str] | None = None) -> Cycle:
    return Cycle.objects.create(code="c-2022", year=2022, name="2022", status=CycleStatus.ACTIVE,
                                config={"test_days": test_days or ["2022-05-26", "2022-05-25"]})


@pytest.mark.django_db
def test_the_moment_is_the_first_test_day_at_the_given_time() -> None:
    cycle = make_cycle()
    at = first_test_day_at("10:10")
    assert at == timezone.make_aware(dt.datetime.combine(min(cycle.test_days), dt.time(10, 10)))


@pytest.mark.django_db
def test_a_bad_time_or_no_active_cycle_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="没有进行中的监测周期"):
        first_test_day_at("10:10")
    make_cycle()
    with pytest.raises(CommandError, match="HH:MM"):
        first_test_day_at("ten")


@pytest.mark.django_db
def test_the_test_day_number_picks_the_day_the_demo_stands_on() -> None:
    from jiance.web.management.commands.serve import test_day_at

    make_cycle()
    assert test_day_at(["2", "10:30"]) == timezone.make_aware(dt.datetime(2022, 5, 26, 10, 30))
    assert test_day_at(["10:30"]) == timezone.make_aware(dt.datetime(2022, 5, 25, 10, 30))
    with pytest.raises(CommandError, match="只有 2 个测试日"):
        test_day_at(["3", "10:30"])
    with pytest.raises(CommandError, match="测试日须为"):
        test_day_at(["x", "10:30"])
