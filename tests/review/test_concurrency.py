"""Two reviewers deciding one record at the same moment leave exactly one decision, in every chain
(PostgreSQL only: see tests/concurrency.py). The edit-versus-decision races stay with each app."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

from jiance.review import engine
from jiance.review.models import Reviewable
from tests.concurrency import POSTGRES_RACE, holding_lock, one_winner, race
from tests.factories import World
from tests.review.chains import CASES, build, case_clock

pytestmark = POSTGRES_RACE

slow_lock = holding_lock(engine.lock)


@pytest.mark.parametrize("second", ["return", "approve"])
@pytest.mark.parametrize("chain", CASES)
def test_two_reviewers_make_one_decision(world: World, chain: str, second: str) -> None:
    with case_clock(chain):
        case = build(chain, world)
        page = case.obj  # both opened the same page

        def approve() -> Any:
            return case.approve(case.reviewer, page, version=page.version)

        def other() -> Any:
            if second == "return":
                return case.return_(case.colleague, page, "数据不全", version=page.version)
            return case.approve(case.colleague, page, version=page.version)

        with mock.patch.object(engine, "lock", side_effect=slow_lock):
            results = race(approve, other)

    win, loss = one_winner(results, Reviewable)
    assert isinstance(loss, case.error) and "页面已过期" in str(loss), loss
    final: Any = case.fresh()
    assert final.status == win.status != page.status
    assert final.version == page.version + 1
    assert final.locked == (final.status == final.chain.final)
    decisions = final.events.filter(from_status=page.status)
    assert decisions.count() == 1 and decisions.get().to_status == final.status
