"""Two people acting on one roster at the same moment leave one consistent state
(PostgreSQL only: see tests/concurrency.py)."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

from jiance.accounts.models import Role
from jiance.rosters import services
from jiance.rosters.models import Roster, RosterError, RosterEvent, RosterStatus, Teacher
from tests.concurrency import POSTGRES_RACE, holding_lock, one_winner, race
from tests.factories import make_user
from tests.rosters.conftest import scope_of
from tests.rosters.test_services import a1_students, do_import, open_roster

pytestmark = POSTGRES_RACE

slow_locked = holding_lock(services.chain._locked)


def submitted(people: Any, world: Any, cycle: Any) -> Roster:
    roster = open_roster(people, world, cycle)
    do_import(people, roster, a1_students())
    scope = scope_of(people.officer_a1)
    services.teacher_save(scope=scope, roster=roster, actor=people.officer_a1,
                          data={"name": "李老师", "sex": "男", "roles": ["chinese"]})
    return services.roster_submit(scope=scope, roster=roster, actor=people.officer_a1)


@pytest.mark.parametrize("second", ["return", "approve"])
def test_two_county_reviewers_make_one_decision(people, world, cycle, second: str) -> None:
    roster = submitted(people, world, cycle)
    roster = services.roster_approve(scope=scope_of(people.principal_a1), roster=roster, actor=people.principal_a1)
    colleague = make_user("nc_county_admin", Role.COUNTY_ADMIN, world.county_a)

    def approve() -> Any:
        return services.roster_approve(scope=scope_of(people.county_a), roster=roster, actor=people.county_a)

    def other() -> Any:
        if second == "return":
            return services.roster_return(scope=scope_of(colleague), roster=roster, actor=colleague, comment="学号有误")
        return services.roster_approve(scope=scope_of(colleague), roster=roster, actor=colleague)

    with mock.patch.object(services.chain, "_locked", side_effect=slow_locked):
        results = race(approve, other)

    win, loss = one_winner(results, Roster)
    assert isinstance(loss, RosterError) and "请刷新页面" in str(loss)
    final = Roster.objects.get(pk=roster.pk)
    assert final.status == win.status != RosterStatus.SCHOOL_APPROVED
    assert final.version == roster.version + 1
    decisions = RosterEvent.objects.filter(roster=roster, from_status=RosterStatus.SCHOOL_APPROVED)
    assert decisions.count() == 1 and decisions.get().to_status == final.status


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

    with mock.patch.object(services.chain, "_locked", side_effect=slow_locked):
        results = race(resubmit_and_approve, add_teacher)
    assert isinstance(results[0], Roster) and results[0].status == RosterStatus.SCHOOL_APPROVED, results
    final = Roster.objects.get(pk=roster.pk)
    added = Teacher.objects.filter(roster=roster, name="王老师").exists()
    if isinstance(results[1], Exception):  # came after the submission: refused, nothing added
        assert isinstance(results[1], RosterError) and not added
    else:  # came first: it is part of what was submitted and approved
        assert added
    assert final.status == RosterStatus.SCHOOL_APPROVED
