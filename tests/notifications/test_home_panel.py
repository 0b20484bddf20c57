"""The home page's deadline panel: the tasks of the units whose office the person holds, due within
3 days or overdue, not done; most urgent first."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from jiance import clock
from jiance.accounts.models import Role
from jiance.cycles.models import Cycle, CycleStatus, Milestone, MilestoneCompletion
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 4, 10)


def test_the_panel_lists_3_days_1_day_today_and_overdue(world: World) -> None:
    cycle = Cycle.objects.create(code="t-2024", year=2024, name="周期", config={"test_days": []},
                                 status=CycleStatus.ACTIVE)
    for number, days in ((1, -3), (2, 0), (3, 1), (4, 3), (5, 4), (6, 2)):
        Milestone.objects.create(cycle=cycle, level="county", number=number, phase="before", task=f"县级任务{number}",
                                 deadline=TODAY + dt.timedelta(days=days))
    MilestoneCompletion.objects.create(milestone=Milestone.objects.get(number=6), unit=world.county_a,
                                       done_at=dt.datetime(2024, 4, 9, tzinfo=dt.UTC))
    c = Client()
    c.force_login(make_user("ca", Role.COUNTY_ADMIN, world.county_a))
    with clock.frozen(dt.datetime(2024, 4, 10, 9, 0)):
        html = c.get(reverse("home")).content.decode()
    panel = html.split('id="deadlines"', 1)[1].split("</section>", 1)[0]
    order = [int(n) for n in re.findall(r'data-deadline="360121-(\d+)"', panel)]
    assert order == [1, 2, 3, 4]  # overdue first, then by deadline; 5 is 4 days off, 6 is done
    for text in ("逾期 3 天", "今天截止", "明天截止", "3 天后截止"):
        assert text in panel
    # a liaison runs no office: no panel
    liaison = Client()
    liaison.force_login(make_user("la", Role.COUNTY_LIAISON, world.county_a))
    with clock.frozen(dt.datetime(2024, 4, 10, 9, 0)):
        assert 'id="deadlines"' not in liaison.get(reverse("home")).content.decode()
