"""Test day's live-progress source: rooms, sampled students and absences per school for the
stages that sit a session on the day; a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiance.cycles.models import Cycle
from jiance.testday import progress
from jiance.testday.models import Seat
from jiance.testday.services import rooms_plan
from tests.factories import World
from tests.testday.builders import sample_school

pytestmark = pytest.mark.django_db
DAY = dt.date(2022, 5, 25)


def test_school_progress_counts(world: World, cycle: Cycle) -> None:
    sample_school(cycle, world.school_a1, 50)
    sample_school(cycle, world.school_b1, 10, start=100)
    sample_school(cycle, world.school_a2, 8, stage="junior", start=200)
    rooms_plan(school=world.school_a1, cycle=cycle)
    absent = list(Seat.objects.filter(room__school=world.school_a1, student__isnull=False).order_by("pk")[:3])
    Seat.objects.filter(pk__in=[s.pk for s in absent]).update(absent=True)
    ids = [world.school_a1.pk, world.school_a2.pk, world.school_b1.pk, world.school_b2.pk]
    got = progress.school_progress(cycle=cycle, school_ids=ids, day=DAY)
    assert got[world.school_a1.pk] == {"testday_students": 50, "testday_rooms": 2, "testday_absent": 3}
    assert got[world.school_b1.pk] == {"testday_students": 10, "testday_unplanned": 1}
    assert got[world.school_a2.pk] == {"testday_students": 8, "testday_unplanned": 1}
    assert world.school_b2.pk not in got  # nothing to show
    # only the schools asked for
    assert set(progress.school_progress(cycle=cycle, school_ids=[world.school_b1.pk], day=DAY)) == {world.school_b1.pk}
    # a day without student sessions for a stage: that stage does not count
    cycle.config["sessions"] = [{"code": "x", "day": DAY.isoformat(), "name": "初中", "stages": ["junior"],
                                 "start": "09:00", "end": "10:00"}]
    assert set(progress.school_progress(cycle=cycle, school_ids=ids, day=DAY)) == {world.school_a2.pk}
    assert progress.school_progress(cycle=cycle, school_ids=ids, day=DAY + dt.timedelta(days=3)) == {}


def test_school_progress_queries_do_not_grow(world: World, cycle: Cycle) -> None:
    schools = [world.school_a1, world.school_b1]
    sample_school(cycle, world.school_a1, 5)
    with CaptureQueriesContext(connection) as small:
        progress.school_progress(cycle=cycle, school_ids=[s.pk for s in schools[:1]], day=DAY)
    sample_school(cycle, world.school_b1, 5, start=100)
    sample_school(cycle, world.school_b2, 5, start=200)
    rooms_plan(school=world.school_b1, cycle=cycle)
    with CaptureQueriesContext(connection) as large:
        progress.school_progress(cycle=cycle, school_ids=[world.school_a1.pk, world.school_b1.pk,
                                                          world.school_b2.pk], day=DAY)
    assert len(small.captured_queries) == len(large.captured_queries) == 3


def test_services_report_the_change(world: World, cycle: Cycle, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from jiance.apps_registry import progress_stamp

    sample_school(cycle, world.school_a1, 5)
    before = progress_stamp()
    with django_capture_on_commit_callbacks(execute=True):
        rooms_plan(school=world.school_a1, cycle=cycle)
    assert progress_stamp() == before + 1
