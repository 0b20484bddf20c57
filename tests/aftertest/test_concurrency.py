"""Two county reviewers deciding one tested-student report at the same moment leave one decision
(PostgreSQL only: see tests/concurrency.py)."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

from jiance.accounts.models import Role
from jiance.accounts.scoping import Scope
from jiance.aftertest import services
from jiance.aftertest.models import AftertestError, ReportStatus, TestedReport, TestedReportEvent
from tests.aftertest.builders import aftertest_cycle, draw
from tests.concurrency import POSTGRES_RACE, holding_lock, one_winner, race
from tests.factories import make_user
from tests.testday.builders import sample_school

pytestmark = POSTGRES_RACE

slow_locked = holding_lock(services._locked)


@pytest.mark.parametrize("second", ["return", "approve"])
def test_two_county_reviewers_make_one_decision(world: Any, second: str) -> None:
    cycle = aftertest_cycle()
    draw(cycle, world, [{"code": world.school_a1.code}])
    students = sample_school(cycle, world.school_a1, 4)
    officer = make_user("a1_xx", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    reviewer = make_user("nc_county", Role.COUNTY_INFO_OFFICER, world.county_a)
    colleague = make_user("nc_county_admin", Role.COUNTY_ADMIN, world.county_a)
    report = services.tested_report_open(scope=Scope(officer), roster=students[0].roster, actor=officer)
    report = services.tested_report_submit(scope=Scope(officer), report=report, actor=officer)

    def approve() -> Any:
        return services.tested_report_approve(scope=Scope(reviewer), report=report, actor=reviewer)

    def other() -> Any:
        if second == "return":
            return services.tested_report_return(scope=Scope(colleague), report=report, actor=colleague,
                                                 comment="缺考原因不全")
        return services.tested_report_approve(scope=Scope(colleague), report=report, actor=colleague)

    with mock.patch.object(services, "_locked", side_effect=slow_locked):
        results = race(approve, other)

    win, loss = one_winner(results, TestedReport)
    assert isinstance(loss, AftertestError) and "当前状态为" in str(loss)
    final = TestedReport.objects.get(pk=report.pk)
    assert final.status == win.status != ReportStatus.SUBMITTED
    assert final.locked == (final.status == ReportStatus.APPROVED)
    decisions = TestedReportEvent.objects.filter(report=report, from_status=ReportStatus.SUBMITTED)
    assert decisions.count() == 1 and decisions.get().to_status == final.status
