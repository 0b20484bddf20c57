"""custody.progress: the live pages' per-school box counts of a day, in a constant number of queries."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.custody import progress
from jiance.custody.models import Step
from jiance.custody.services import entry_record
from tests.custody.builders import DAY1, DAY2, People, at, rooms
from tests.factories import World, make_unit


def issue(people: People, world: World, cycle: Any, step: str, code: str) -> None:
    entry_record(scope=Scope(people.county_keeper), actor=people.county_keeper, cycle=cycle, unit=world.county_a,
                 step=step, code=code, second_person=people.school_keeper)


def test_counts_per_school_for_the_day(world: World, people: People, cycle: Any) -> None:
    issue(people, world, cycle, Step.ISSUED, "3601210001-P1-D1")
    issue(people, world, cycle, Step.ISSUED, "3601210001-P2-D1")
    issue(people, world, cycle, Step.ISSUED, "3601210002-J1-D1")
    with clock.frozen(at(DAY1, "15:00")):
        issue(people, world, cycle, Step.RETURNED, "3601210002-J1-D1")
    ids = [world.school_a1.pk, world.school_a2.pk, world.school_b1.pk, world.school_b2.pk]
    with clock.frozen(at(DAY1, "18:30")):
        got = progress.school_progress(cycle=cycle, school_ids=ids, day=DAY1)
    assert got[world.school_a1.pk] == {"custody_expected": 2, "custody_out": 2, "custody_returned": 0,
                                       "custody_overdue": 2}
    assert got[world.school_a2.pk] == {"custody_expected": 1, "custody_out": 0, "custody_returned": 1,
                                       "custody_overdue": 0}
    assert got[world.school_b1.pk]["custody_expected"] == 1 and world.school_b2.pk not in got  # no rooms
    assert set(progress.ATTENTION) <= {k for k, _label in progress.COLUMNS}
    assert progress.school_progress(cycle=cycle, school_ids=ids, day=DAY2)[world.school_a1.pk]["custody_out"] == 0


def test_a_constant_number_of_queries(world: World, people: People, cycle: Any) -> None:
    ids = [world.school_a1.pk, world.school_a2.pk]
    with CaptureQueriesContext(connection) as few:
        progress.school_progress(cycle=cycle, school_ids=ids, day=DAY1)
    for i in range(12):
        school = make_unit(f"36012100{50 + i}", f"学校{i}", "school", world.county_a)
        rooms(cycle, school, 2)
        ids.append(school.pk)
    issue(people, world, cycle, Step.ISSUED, "3601210050-P1-D1")
    with CaptureQueriesContext(connection) as many:
        progress.school_progress(cycle=cycle, school_ids=ids, day=DAY1)
    assert len(many) == len(few) <= 6


def test_a_box_of_an_earlier_day_still_out_is_counted_overdue_on_the_next_day(world: World, people: People,
                                                                              cycle: Any) -> None:
    with clock.frozen(at(DAY1, "07:10")):
        issue(people, world, cycle, Step.ISSUED, "3601210001-P1-D1")
        issue(people, world, cycle, Step.ISSUED, "3601210001-P2-D1")
    with clock.frozen(at(DAY1, "16:50")):
        issue(people, world, cycle, Step.RETURNED, "3601210001-P2-D1")
    with clock.frozen(at(DAY2, "07:10")):
        issue(people, world, cycle, Step.ISSUED, "3601210001-P1-D2")
    ids = [world.school_a1.pk]
    with clock.frozen(at(DAY2, "10:30")):
        got = progress.school_progress(cycle=cycle, school_ids=ids, day=DAY2)[world.school_a1.pk]
    # day 2's boxes as they are, plus the one box of day 1 that never came back
    assert got == {"custody_expected": 2, "custody_out": 1, "custody_returned": 0, "custody_overdue": 1}
    with clock.frozen(at(DAY2, "10:30")):
        issue(people, world, cycle, Step.RETURNED, "3601210001-P1-D1")
        assert progress.school_progress(cycle=cycle, school_ids=ids, day=DAY2)[world.school_a1.pk][
            "custody_overdue"] == 0
