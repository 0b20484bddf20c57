"""Each review chain set up the same way for the engine's shared tests: a record waiting for a
reviewer, two people who may decide it, the school/county that resubmits, and the page that shows it.

`CASES` names the chains; `build(name, world)` returns a `Case` (run it under `case_clock(name)`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from jiance import clock
from jiance.accounts.models import Role
from jiance.accounts.scoping import Scope
from jiance.review import ReviewRefused
from jiance.review.models import Reviewable
from tests.factories import World, make_user

CASES = ("frame", "roster", "tested")


@dataclass
class Case:
    name: str
    obj: Reviewable  # submitted, waiting for `reviewer`
    reviewer: Any
    colleague: Any  # another person allowed to decide
    page: str  # the page with the review form
    approve_url: str
    return_url: str
    approve_data: dict[str, str]
    return_data: dict[str, str]
    approve: Callable[..., Reviewable]  # (user, obj, version=None) -> the decided record
    return_: Callable[..., Reviewable]  # (user, obj, comment, version=None)
    resubmit: Callable[[Reviewable], Reviewable]  # the reporter submits again (after a return)
    error: type[ReviewRefused]

    def fresh(self) -> Reviewable:
        return type(self.obj).objects.get(pk=self.obj.pk)  # type: ignore[attr-defined,no-any-return]

    def events(self) -> int:
        return self.fresh().events.count()  # type: ignore[attr-defined,no-any-return]


def _frame(world: World) -> Case:
    from jiance.reporting import services
    from jiance.reporting.models import FrameError, FrameSubmission
    from tests.reporting.conftest import good_rows_a, make_cycle, make_people, xlsx

    cycle = make_cycle()
    people = make_people(world)
    county = people.county_a
    services.frame_import(scope=Scope(county), cycle=cycle, county=world.county_a, content=xlsx(good_rows_a()),
                          actor=county)
    sub = services.frame_submit(scope=Scope(county), submission=FrameSubmission.objects.get(county=world.county_a),
                                actor=county)
    review_url = reverse("reporting:review", args=[world.county_a.code])
    return Case(
        name="frame", obj=sub, reviewer=people.city, colleague=people.city_info,
        page=reverse("reporting:county", args=[world.county_a.code]),
        approve_url=review_url, return_url=review_url,
        approve_data={"action": "approve"}, return_data={"action": "return", "comment": "数据不全"},
        approve=lambda u, o, version=None: services.frame_approve(scope=Scope(u), submission=o, actor=u,
                                                                  **_v(version)),
        return_=lambda u, o, comment, version=None: services.frame_return(
            scope=Scope(u), submission=o, actor=u, comment=comment, **_v(version)),
        resubmit=lambda o: services.frame_submit(scope=Scope(county), submission=o, actor=county),
        error=FrameError,
    )


def _roster(world: World) -> Case:
    from jiance.rosters import services
    from jiance.rosters.models import RosterError
    from tests.rosters.builders import approve_frames, make_cycle, make_people, publish_draw
    from tests.rosters.test_services import a1_students, do_import, open_roster, submit_with_teacher

    cycle = make_cycle()
    approve_frames(cycle, world)
    publish_draw(cycle, world)
    people = make_people(world)
    roster = open_roster(people, world, cycle)
    do_import(people, roster, a1_students())
    roster = submit_with_teacher(people, roster)
    officer = people.officer_a1
    return Case(
        name="roster", obj=roster, reviewer=people.principal_a1,
        # a second principal of the school: two people who may take the principal's step
        colleague=make_user("a1_xz2", Role.PRINCIPAL, world.school_a1, full_name="莲塘一小副校长"),
        page=reverse("rosters:roster", args=[roster.pk]),
        approve_url=reverse("rosters:approve", args=[roster.pk]),
        return_url=reverse("rosters:return", args=[roster.pk]),
        approve_data={}, return_data={"comment": "学号有误"},
        approve=lambda u, o, version=None: services.roster_approve(scope=Scope(u), roster=o, actor=u,
                                                                   **_v(version)),
        return_=lambda u, o, comment, version=None: services.roster_return(
            scope=Scope(u), roster=o, actor=u, comment=comment, **_v(version)),
        resubmit=lambda o: services.roster_submit(scope=Scope(officer), roster=o, actor=officer),
        error=RosterError,
    )


def _tested(world: World) -> Case:
    from jiance.aftertest import services
    from jiance.aftertest.models import AftertestError
    from tests.aftertest.builders import aftertest_cycle, draw
    from tests.testday.builders import sample_school

    cycle = aftertest_cycle()
    draw(cycle, world, [{"code": world.school_a1.code}])
    students = sample_school(cycle, world.school_a1, 4)
    officer = make_user("a1_xx", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    report = services.tested_report_open(scope=Scope(officer), roster=students[0].roster, actor=officer)
    report = services.tested_report_submit(scope=Scope(officer), report=report, actor=officer)
    review_url = reverse("aftertest:review", kwargs={"code": world.school_a1.code, "stage": report.stage})
    return Case(
        name="tested", obj=report,
        reviewer=make_user("nc_county", Role.COUNTY_INFO_OFFICER, world.county_a, full_name="南昌县信息员"),
        colleague=make_user("nc_county_admin", Role.COUNTY_ADMIN, world.county_a),
        page=reverse("aftertest:report", kwargs={"code": world.school_a1.code, "stage": report.stage}),
        approve_url=review_url, return_url=review_url,
        approve_data={"decision": "approve"}, return_data={"decision": "return", "comment": "缺考原因不全"},
        approve=lambda u, o, version=None: services.tested_report_approve(scope=Scope(u), report=o, actor=u,
                                                                          **_v(version)),
        return_=lambda u, o, comment, version=None: services.tested_report_return(
            scope=Scope(u), report=o, actor=u, comment=comment, **_v(version)),
        resubmit=lambda o: services.tested_report_submit(scope=Scope(officer), report=o, actor=officer),
        error=AftertestError,
    )


def _v(version: int | None) -> dict[str, int]:
    """Pass a version only when there is one (so the same helpers also run against older code)."""
    return {} if version is None else {"version": version}


BUILDERS: dict[str, Callable[[World], Case]] = {"frame": _frame, "roster": _roster, "tested": _tested}


def _when(name: str) -> dt.datetime:
    if name == "frame":
        from tests.reporting.conftest import FROZEN

        return FROZEN
    if name == "roster":
        from tests.rosters.builders import ENTRY_TIME

        return ENTRY_TIME
    from tests.aftertest.builders import IN_WINDOW

    return IN_WINDOW


@contextmanager
def case_clock(name: str) -> Iterator[None]:
    """The time each chain's own tests run at (inside its reporting window)."""
    with clock.frozen(_when(name)):
        yield


def build(name: str, world: World) -> Case:
    return BUILDERS[name](world)
