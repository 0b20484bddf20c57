"""The county submits while a colleague edits: one consistent state (PostgreSQL only: see
tests/concurrency.py). Two reviewers deciding at once: tests/review/test_concurrency.py."""

from __future__ import annotations

from typing import Any
from unittest import mock

from jiance.reporting import services
from jiance.reporting.models import FrameStatus, FrameSubmission
from jiance.review import engine
from tests.concurrency import POSTGRES_RACE, holding_lock, race
from tests.reporting.conftest import good_rows_a, scope_of, xlsx

pytestmark = POSTGRES_RACE


def submitted(people: Any, world: Any, cycle: Any) -> FrameSubmission:
    services.frame_import(scope=scope_of(people.county_a), cycle=cycle, county=world.county_a,
                          content=xlsx(good_rows_a()), actor=people.county_a)
    sub = FrameSubmission.objects.get(county=world.county_a)
    return services.frame_submit(scope=scope_of(people.county_a), submission=sub, actor=people.county_a)


slow_lock = holding_lock(engine.lock)  # every row lock of the chain, the edits' too


def test_submit_races_with_edit(people, world, cycle) -> None:
    """The county submits while a colleague saves a row: the row lands before, or is refused."""
    services.frame_import(scope=scope_of(people.county_a), cycle=cycle, county=world.county_a,
                          content=xlsx(good_rows_a()), actor=people.county_a)
    sub = FrameSubmission.objects.get(county=world.county_a)
    data = {"school_type": "小学", "nature": "公办", "area": "镇区", "affiliation": "县属",
            "primary_students": 99, "primary_classes": 3, "junior_students": 0, "junior_classes": 0, "note": ""}

    def submit() -> Any:
        return services.frame_submit(scope=scope_of(people.county_a), submission=sub, actor=people.county_a)

    def edit() -> Any:
        return services.frame_record_save(scope=scope_of(people.county_a_admin), cycle=cycle,
                                          county=world.county_a, school=world.school_a1, data=data,
                                          actor=people.county_a_admin)

    with mock.patch.object(engine, "lock", side_effect=slow_lock):
        results = race(submit, edit)
    assert isinstance(results[0], FrameSubmission), results
    final = FrameSubmission.objects.get(pk=sub.pk)
    assert final.status == FrameStatus.SUBMITTED
    if isinstance(results[1], Exception):  # the edit came second: refused, data as submitted
        assert "等待市级审核" in str(results[1])
        assert world.school_a1.pk not in {
            r.school_id for r in final.records.filter(primary_students=99)
        }
    else:  # the edit came first and was part of what was submitted
        assert final.records.get(school=world.school_a1).primary_students == 99
