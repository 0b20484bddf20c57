"""The principal approves while the officer edits: one consistent state (PostgreSQL only: see
tests/concurrency.py). Two reviewers deciding at once: tests/review/test_concurrency.py."""

from __future__ import annotations

from typing import Any
from unittest import mock

from jiance.review import engine
from jiance.rosters import services
from jiance.rosters.models import Roster, RosterError, RosterStatus, Teacher
from tests.concurrency import POSTGRES_RACE, holding_lock, race
from tests.rosters.conftest import scope_of
from tests.rosters.test_services import a1_students, do_import, open_roster

pytestmark = POSTGRES_RACE

slow_lock = holding_lock(engine.lock)  # every row lock of the chain, the edits' too


def submitted(people: Any, world: Any, cycle: Any) -> Roster:
    roster = open_roster(people, world, cycle)
    do_import(people, roster, a1_students())
    scope = scope_of(people.officer_a1)
    services.teacher_save(scope=scope, roster=roster, actor=people.officer_a1,
                          data={"name": "李老师", "sex": "男", "roles": ["chinese"]})
    return services.roster_submit(scope=scope, roster=roster, actor=people.officer_a1)


def test_the_principal_approves_while_the_officer_adds_a_teacher(people, world, cycle) -> None:
    """The teacher lands before the approval, or is refused: never after it, unseen."""
    roster = submitted(people, world, cycle)
    Roster.objects.filter(pk=roster.pk).update(status=RosterStatus.RETURNED)
    roster.refresh_from_db()

    def resubmit_and_approve() -> Any:
        r = services.roster_submit(scope=scope_of(people.officer_a1), roster=roster, actor=people.officer_a1)
        return services.roster_approve(scope=scope_of(people.principal_a1), roster=r, actor=people.principal_a1)

    def add_teacher() -> Any:
        return services.teacher_save(scope=scope_of(people.officer_a1), roster=roster, actor=people.officer_a1,
                                     data={"name": "王老师", "sex": "女", "roles": ["english"]})

    with mock.patch.object(engine, "lock", side_effect=slow_lock):
        results = race(resubmit_and_approve, add_teacher)
    assert isinstance(results[0], Roster) and results[0].status == RosterStatus.SCHOOL_APPROVED, results
    final = Roster.objects.get(pk=roster.pk)
    added = Teacher.objects.filter(roster=roster, name="王老师").exists()
    if isinstance(results[1], Exception):  # came after the submission: refused, nothing added
        assert isinstance(results[1], RosterError) and not added
    else:  # came first: it is part of what was submitted and approved
        assert added
    assert final.status == RosterStatus.SCHOOL_APPROVED
