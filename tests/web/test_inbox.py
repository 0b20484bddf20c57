"""The inbox: what waits for each role (to check, to review, returned, to decide, to confirm),
newest first, scoped to the person's units, with its count in the top bar of every page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jiance.accounts.models import Role
from jiance.accounts.scoping import Scope
from jiance.aftertest.models import ReportStatus, TestedReport
from jiance.apps_registry import inbox_items
from jiance.cycles.models import Cycle
from jiance.reporting.models import FrameStatus, FrameSubmission
from jiance.rosters.models import Roster, RosterStatus
from jiance.sampling.models import ReplacementRequest, SampledSchool
from tests.factories import World, make_user
from tests.rosters.builders import approve_frames, make_cycle, publish_draw

T0 = timezone.make_aware(dt.datetime(2022, 4, 20, 10, 0))


def at(hours: int) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def roster(cycle: Cycle, school: Any, stage: str, status: str, hours: int) -> Roster:
    return Roster.objects.create(cycle=cycle, school=school, stage=stage, grade=4 if stage == "primary" else 8,
                                 status=status, created_at=at(0), updated_at=at(hours))


@pytest.fixture
def cycle(world: World) -> Cycle:
    c = make_cycle()
    approve_frames(c, world)
    publish_draw(c, world)
    return c


@pytest.fixture
def people(world: World) -> dict[str, Any]:
    return {
        "principal_a1": make_user("xz_a1", Role.PRINCIPAL, world.school_a1),
        "officer_a1": make_user("xx_a1", Role.SCHOOL_INFO_OFFICER, world.school_a1),
        "officer_b1": make_user("xx_b1", Role.SCHOOL_INFO_OFFICER, world.school_b1),
        "county_a": make_user("xian_a", Role.COUNTY_INFO_OFFICER, world.county_a),
        "county_b": make_user("xian_b", Role.COUNTY_ADMIN, world.county_b),
        "city": make_user("shi", Role.CITY_INFO_OFFICER, world.city),
        "custodian_a1": make_user("bm_a1", Role.CUSTODIAN, world.school_a1),
        "province": make_user("sheng", Role.PROVINCE_ADMIN, world.province),
    }


def items(user: Any, cycle: Cycle) -> list[tuple[str, str, str, str]]:
    return [(i.app, i.kind, i.unit, i.url) for i in inbox_items(scope=Scope(user), cycle=cycle)]


def test_each_role_sees_what_waits_at_its_step(world: World, cycle: Cycle, people: dict[str, Any]) -> None:
    # every sample school confirmed, so the counties have nothing of sampling waiting
    SampledSchool.objects.filter(draw__cycle=cycle).update(confirmed_at=T0)
    a1_primary = roster(cycle, world.school_a1, "primary", RosterStatus.SUBMITTED, 5)  # principal a1
    a2_junior = roster(cycle, world.school_a2, "junior", RosterStatus.SCHOOL_APPROVED, 3)  # county a
    b1_primary = roster(cycle, world.school_b1, "primary", RosterStatus.COUNTY_APPROVED, 4)  # city
    b2_primary = roster(cycle, world.school_b2, "primary", RosterStatus.RETURNED, 6)  # school b2's officer
    roster(cycle, world.school_a1, "junior", RosterStatus.DRAFT, 7)  # waits for nobody
    roster(cycle, world.school_b1, "junior", RosterStatus.APPROVED, 8)  # done

    assert items(people["principal_a1"], cycle) == [
        ("rosters", "check", world.school_a1.name, reverse("rosters:roster", args=(a1_primary.pk,)))]
    # the school officer does not check its own roster; nothing was returned to school a1
    assert items(people["officer_a1"], cycle) == []
    assert items(people["county_a"], cycle) == [
        ("rosters", "review", world.school_a2.name, reverse("rosters:roster", args=(a2_junior.pk,)))]
    # county b: school b1's roster is past its step (at the city), b2's was returned to the school
    assert items(people["county_b"], cycle) == []
    assert items(people["city"], cycle) == [
        ("rosters", "review", world.school_b1.name, reverse("rosters:roster", args=(b1_primary.pk,)))]
    officer_b2 = make_user("xx_b2", Role.SCHOOL_INFO_OFFICER, world.school_b2)
    assert items(officer_b2, cycle) == [
        ("rosters", "returned", world.school_b2.name, reverse("rosters:roster", args=(b2_primary.pk,)))]
    # roles that decide nothing on paper see nothing; nor does the province (the city decides)
    assert items(people["custodian_a1"], cycle) == []
    assert items(people["province"], cycle) == []


def test_a_sibling_never_sees_the_others_items(world: World, cycle: Cycle, people: dict[str, Any]) -> None:
    SampledSchool.objects.filter(draw__cycle=cycle).update(confirmed_at=T0)
    roster(cycle, world.school_b1, "primary", RosterStatus.SUBMITTED, 1)
    roster(cycle, world.school_b1, "junior", RosterStatus.RETURNED, 1)
    roster(cycle, world.school_b2, "primary", RosterStatus.SCHOOL_APPROVED, 1)
    FrameSubmission.objects.filter(cycle=cycle, county=world.county_b).update(status=FrameStatus.RETURNED)
    principal_b1 = make_user("xz_b1", Role.PRINCIPAL, world.school_b1)
    assert items(principal_b1, cycle) != []
    assert items(people["officer_b1"], cycle) != []
    assert items(people["county_b"], cycle) != []
    # school a1 and county a: their siblings' items are not theirs
    assert items(people["principal_a1"], cycle) == []
    assert items(people["officer_a1"], cycle) == []
    assert items(people["county_a"], cycle) == []


def test_frames_returned_to_the_county_and_submitted_to_the_city(
    world: World, cycle: Cycle, people: dict[str, Any]
) -> None:
    SampledSchool.objects.filter(draw__cycle=cycle).update(confirmed_at=T0)
    FrameSubmission.objects.filter(cycle=cycle, county=world.county_a).update(status=FrameStatus.RETURNED,
                                                                              updated_at=at(1))
    FrameSubmission.objects.filter(cycle=cycle, county=world.county_b).update(status=FrameStatus.SUBMITTED,
                                                                              updated_at=at(2))
    url_a = reverse("reporting:county", args=(world.county_a.code,))
    url_b = reverse("reporting:county", args=(world.county_b.code,))
    assert items(people["county_a"], cycle) == [("reporting", "returned", world.county_a.name, url_a)]
    assert items(people["county_b"], cycle) == []  # submitted: it waits for the city now
    assert items(people["city"], cycle) == [("reporting", "review", world.county_b.name, url_b)]


def test_sampling_replacements_to_decide_and_schools_to_confirm(
    world: World, cycle: Cycle, people: dict[str, Any]
) -> None:
    row = SampledSchool.objects.get(draw__cycle=cycle, school=world.school_b1)
    SampledSchool.objects.filter(draw__cycle=cycle, county=world.county_b).update(confirmed_at=T0)
    ReplacementRequest.objects.create(sampled_school=row, reason_kind="closed", reason="撤并", requested_at=at(9))
    county_a_items = items(people["county_a"], cycle)  # a1 and a2 are not confirmed yet
    assert county_a_items == [("sampling", "confirm", world.county_a.name,
                               reverse("sampling:county", args=(world.county_a.code,)))]
    assert "2 所样本校待确认" in inbox_items(scope=Scope(people["county_a"]), cycle=cycle)[0].title
    assert items(people["county_b"], cycle) == []
    assert items(people["city"], cycle) == [
        ("sampling", "decide", world.county_b.name, reverse("sampling:draw", args=(row.draw_id,)) + "#requests")]


def test_tested_reports_at_the_county_and_returned_to_the_school(
    world: World, cycle: Cycle, people: dict[str, Any]
) -> None:
    SampledSchool.objects.filter(draw__cycle=cycle).update(confirmed_at=T0)
    r1 = roster(cycle, world.school_a1, "primary", RosterStatus.APPROVED, 1)
    r2 = roster(cycle, world.school_a2, "junior", RosterStatus.APPROVED, 1)
    TestedReport.objects.create(cycle=cycle, school=world.school_a1, roster=r1, stage="primary",
                                status=ReportStatus.RETURNED, created_at=at(0), updated_at=at(3))
    TestedReport.objects.create(cycle=cycle, school=world.school_a2, roster=r2, stage="junior",
                                status=ReportStatus.SUBMITTED, created_at=at(0), updated_at=at(4))
    assert items(people["officer_a1"], cycle) == [
        ("aftertest", "returned", world.school_a1.name, reverse("aftertest:report", args=(world.school_a1.code,
                                                                                          "primary")))]
    assert items(people["county_a"], cycle) == [
        ("aftertest", "review", world.school_a2.name, reverse("aftertest:report", args=(world.school_a2.code,
                                                                                       "junior")))]
    assert items(people["county_b"], cycle) == []


def test_newest_first_across_apps(world: World, cycle: Cycle, people: dict[str, Any]) -> None:
    SampledSchool.objects.filter(draw__cycle=cycle).update(confirmed_at=T0)
    roster(cycle, world.school_a2, "junior", RosterStatus.SCHOOL_APPROVED, 2)
    roster(cycle, world.school_a1, "primary", RosterStatus.SCHOOL_APPROVED, 12)
    FrameSubmission.objects.filter(cycle=cycle, county=world.county_a).update(status=FrameStatus.RETURNED,
                                                                              updated_at=at(7))
    got = inbox_items(scope=Scope(people["county_a"]), cycle=cycle)
    assert [i.since for i in got] == sorted((i.since for i in got), reverse=True)
    assert [i.app for i in got][:3] == ["rosters", "reporting", "rosters"]
    assert inbox_items(scope=Scope(people["county_a"]), cycle=None) == []


def test_the_inbox_reads_in_a_fixed_number_of_queries(world: World, cycle: Cycle, people: dict[str, Any]) -> None:
    """No query per item: ten waiting rosters cost what one does."""
    def count() -> int:
        scope = Scope(people["city"])
        _ = scope.grants  # read once per request anyway
        with CaptureQueriesContext(connection) as ctx:
            inbox_items(scope=scope, cycle=cycle)
        return len(ctx.captured_queries)

    roster(cycle, world.school_a1, "primary", RosterStatus.COUNTY_APPROVED, 1)
    one = count()
    for i, school in enumerate((world.school_a2, world.school_b1, world.school_b2)):
        for stage in ("junior", "primary") if school != world.school_a2 else ("junior",):
            roster(cycle, school, stage, RosterStatus.COUNTY_APPROVED, 2 + i)
    assert len(inbox_items(scope=Scope(people["city"]), cycle=cycle)) == 6
    assert count() == one


def test_the_top_bar_counts_on_every_page_and_home_lists_them(
    client: Any, world: World, cycle: Cycle, people: dict[str, Any]
) -> None:
    SampledSchool.objects.filter(draw__cycle=cycle).update(confirmed_at=T0)
    roster(cycle, world.school_a1, "primary", RosterStatus.SUBMITTED, 1)
    client.force_login(people["principal_a1"])
    home = client.get("/").content.decode()
    assert 'data-inbox-count="1"' in home
    assert reverse("rosters:roster", args=(Roster.objects.get().pk,)) in home
    other = client.get(reverse("units:detail", args=(world.school_a1.code,))).content.decode()
    assert 'data-inbox-count="1"' in other
    client.logout()
    client.force_login(people["officer_a1"])
    home = client.get("/").content.decode()
    assert 'data-inbox-count="0"' in home
    assert "目前没有等待您处理的事项。" in home
