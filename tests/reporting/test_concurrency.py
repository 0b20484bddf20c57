"""Two reviewers acting on one submission at the same moment leave one consistent state
(PostgreSQL only: see tests/concurrency.py)."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

from jiance.reporting import services
from jiance.reporting.models import FrameError, FrameReviewEvent, FrameStatus, FrameSubmission
from tests.concurrency import POSTGRES_RACE, holding_lock, one_winner, race
from tests.reporting.conftest import good_rows_a, scope_of, xlsx

pytestmark = POSTGRES_RACE


def submitted(people: Any, world: Any, cycle: Any) -> FrameSubmission:
    services.frame_import(scope=scope_of(people.county_a), cycle=cycle, county=world.county_a,
                          content=xlsx(good_rows_a()), actor=people.county_a)
    sub = FrameSubmission.objects.get(county=world.county_a)
    return services.frame_submit(scope=scope_of(people.county_a), submission=sub, actor=people.county_a)


slow_locked = holding_lock(services._locked)


@pytest.mark.parametrize("second", ["return", "approve"])
def test_one_decision_wins(people, world, cycle, second: str) -> None:
    sub = submitted(people, world, cycle)
    a, b = people.city, people.city_info

    def approve() -> Any:
        return services.frame_approve(scope=scope_of(a), submission=sub, actor=a)

    def other() -> Any:
        fn = services.frame_return if second == "return" else services.frame_approve
        return fn(scope=scope_of(b), submission=sub, actor=b, comment="数据不全")

    with mock.patch.object(services, "_locked", side_effect=slow_locked):
        results = race(approve, other)

    win, loss = one_winner(results, FrameSubmission)
    assert isinstance(loss, FrameError)
    assert "当前状态为" in str(loss)
    final = FrameSubmission.objects.get(pk=sub.pk)
    assert final.status == win.status
    assert final.locked == (final.status == FrameStatus.APPROVED)
    assert final.version == sub.version + 1
    decisions = FrameReviewEvent.objects.filter(submission=sub, action__in=["approve", "return"])
    assert decisions.count() == 1
    assert decisions.get().to_status == final.status


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

    with mock.patch.object(services, "_locked", side_effect=slow_locked):
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
