"""Compound `done_when`: every condition must hold; `subunits_done:<n>` follows the sub-units; a
withdrawn condition reopens the task (and the level above's)."""

from __future__ import annotations

import pytest

from jiance.cycles.models import Cycle, CycleParticipant, Milestone, MilestoneCompletion
from jiance.cycles.services import (
    milestone_complete,
    milestone_reopen,
    milestones_observed,
    milestones_withdrawn,
)
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(world: World) -> Cycle:
    return Cycle.objects.create(code="t-2024", year=2024, name="周期", config={})


def task(cycle: Cycle, level: str, number: int, done_when: str = "") -> Milestone:
    return Milestone.objects.create(cycle=cycle, level=level, number=number, phase="before", task=f"任务{number}",
                                    done_when=done_when)


def done(m: Milestone, unit) -> bool:  # type: ignore[no-untyped-def]
    return MilestoneCompletion.objects.filter(milestone=m, unit=unit).exists()


def test_a_compound_task_completes_when_every_part_holds(world: World, cycle: Cycle) -> None:
    m = task(cycle, "county", 1, "frame_submitted document_approved:county_group_list")
    assert milestones_observed(cycle=cycle, unit=world.county_a, event="frame_submitted") == 0
    assert not done(m, world.county_a)
    # another document's approval is not this condition
    assert milestones_observed(cycle=cycle, unit=world.county_a, event="document_approved:county_rules") == 0
    assert milestones_observed(cycle=cycle, unit=world.county_a, event="document_approved:county_group_list") == 1
    assert done(m, world.county_a) and not done(m, world.county_b)
    # the frame returned: the task is open again, and completes again on resubmission
    assert milestones_withdrawn(cycle=cycle, unit=world.county_a, event="frame_submitted") == 1
    assert not done(m, world.county_a)
    assert milestones_observed(cycle=cycle, unit=world.county_a, event="frame_submitted") == 1
    assert done(m, world.county_a)


def test_an_event_is_not_a_prefix_match(world: World, cycle: Cycle) -> None:
    m = task(cycle, "county", 1, "frame_submitted_twice")
    assert milestones_observed(cycle=cycle, unit=world.county_a, event="frame_submitted") == 0
    assert not done(m, world.county_a)


def test_subunits_done_follows_the_last_school(world: World, cycle: Cycle) -> None:
    school_task = task(cycle, "school", 2, "roster_submitted")
    county_task = task(cycle, "county", 4, "subunits_done:2")
    city_task = task(cycle, "city", 3, "subunits_done:4")
    milestones_observed(cycle=cycle, unit=world.school_a1, event="roster_submitted")
    assert not done(county_task, world.county_a)
    milestones_observed(cycle=cycle, unit=world.school_a2, event="roster_submitted")
    assert done(county_task, world.county_a)
    assert not done(city_task, world.city)  # county B has not
    milestones_observed(cycle=cycle, unit=world.school_b1, event="roster_submitted")
    milestones_observed(cycle=cycle, unit=world.school_b2, event="roster_submitted")
    assert done(county_task, world.county_b) and done(city_task, world.city)
    # one school's roster returned: its county's task and the city's reopen; the other county keeps its own
    milestones_withdrawn(cycle=cycle, unit=world.school_a2, event="roster_submitted")
    assert not done(school_task, world.school_a2)
    assert not done(county_task, world.county_a) and not done(city_task, world.city)
    assert done(county_task, world.county_b)


def test_subunits_done_counts_only_the_schools_taking_part(world: World, cycle: Cycle) -> None:
    task(cycle, "school", 3)
    county_task = task(cycle, "county", 5, "subunits_done:3")
    CycleParticipant.objects.create(cycle=cycle, unit=world.school_a1)
    hand_task = Milestone.objects.get(cycle=cycle, level="school", number=3)
    # a task done by hand counts too
    milestone_complete(milestone=hand_task, unit=world.school_a1, note="已开展")
    assert done(county_task, world.county_a)  # school A2 does not take part
    milestone_reopen(milestone=hand_task, unit=world.school_a1)
    assert not done(county_task, world.county_a)


def test_which_statuses_hold_each_chains_evidence() -> None:
    """The review engine withdraws an event when a step leaves these statuses (a return, an unlock)."""
    from jiance.aftertest.models import TESTED_CHAIN
    from jiance.reporting.models import FRAME_CHAIN
    from jiance.rosters.models import ROSTER_CHAIN

    assert FRAME_CHAIN.holding("frame_submitted") == {"submitted", "approved"}
    assert FRAME_CHAIN.holding("frame_approved") == {"approved"}  # the city's unlock reopens it
    assert ROSTER_CHAIN.holding("roster_submitted") == {"submitted", "school_ok", "county_ok", "approved"}
    assert TESTED_CHAIN.holding("tested_submitted") == {"submitted", "approved"}
