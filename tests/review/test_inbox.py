"""The inbox of a review chain is read from its specification: who waits at each status."""

from __future__ import annotations

from jiance.accounts import roles
from jiance.aftertest.models import TESTED_CHAIN, ReportStatus
from jiance.reporting.models import FRAME_CHAIN, FrameStatus
from jiance.review.inbox import waiting
from jiance.rosters.models import ROSTER_CHAIN, RosterStatus


def test_each_chain_waits_at_its_review_steps_and_when_returned() -> None:
    assert waiting(ROSTER_CHAIN) == [
        (RosterStatus.SUBMITTED, roles.PRINCIPAL, "review"),
        (RosterStatus.SCHOOL_APPROVED, roles.COUNTY_OFFICE, "review"),
        (RosterStatus.COUNTY_APPROVED, roles.CITY_OFFICE, "review"),
        (RosterStatus.RETURNED, roles.SCHOOL_OFFICER, "returned"),
    ]
    # the approved frame may be unlocked by the city, but it waits for nobody: it is done
    assert waiting(FRAME_CHAIN) == [
        (FrameStatus.SUBMITTED, roles.CITY_OFFICE, "review"),
        (FrameStatus.RETURNED, roles.COUNTY_OFFICE, "returned"),
    ]
    assert waiting(TESTED_CHAIN) == [
        (ReportStatus.SUBMITTED, roles.COUNTY_OFFICE, "review"),
        (ReportStatus.RETURNED, roles.SCHOOL_OFFICE, "returned"),
    ]
