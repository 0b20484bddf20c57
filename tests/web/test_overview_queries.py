"""The overview and list pages cost a fixed number of queries, however much data lies below them
(issue 9): each page is rendered as each role on a small area, the area grows (more counties,
more schools, rosters, students, drawn students, rooms, reports), and the query count must not
move. Timings are measured by `bench/pages.py`, not here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jiance import clock
from jiance.accounts.models import Role
from jiance.aftertest.models import TestedReport
from jiance.crypto import blind_index
from jiance.cycles.models import Cycle
from jiance.reporting.models import FrameRecord, FrameStatus, FrameSubmission
from jiance.rosters.models import (
    Roster,
    RosterStatus,
    SampledStudent,
    Student,
    StudentDraw,
    Teacher,
)
from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool, SchoolDraw
from jiance.testday.models import TestRoom
from jiance.units.models import Level, Unit
from tests.factories import World, make_unit, make_user
from tests.hashers import fast_hasher  # noqa: F401  (autouse: MD5 here, over the folder's Argon2)
from tests.rosters.builders import ENTRY_TIME, make_cycle

pytestmark = pytest.mark.django_db

STATES = (RosterStatus.APPROVED, RosterStatus.COUNTY_APPROVED, RosterStatus.DRAFT, RosterStatus.SUBMITTED,
          RosterStatus.RETURNED, RosterStatus.SCHOOL_APPROVED)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with clock.frozen(ENTRY_TIME):
        yield


class Area:
    """A province with cities that grow: each new county brings schools with the whole chain."""

    def __init__(self, world: World, cycle: Cycle) -> None:
        self.world, self.cycle = world, cycle
        self.draws: dict[int, SchoolDraw] = {}
        self.student_draws: dict[int, StudentDraw] = {}
        self.counties = 0

    def draw_of(self, city: Unit, county: Unit) -> SchoolDraw:
        """The county's own school draw (a published sample is locked, and a unit has one draw per
        cycle: each county's is published on its own), and the city's student draw."""
        if city.pk not in self.student_draws:
            self.student_draws[city.pk] = StudentDraw.objects.create(
                cycle=self.cycle, owner=city, seed=1, created_at=clock.now())
        draw = SchoolDraw.objects.create(cycle=self.cycle, owner=county, seed=1, frame_hash="0" * 64, plan={},
                                         counties=[], created_at=clock.now())
        self.draws.setdefault(city.pk, draw)
        return draw

    def add_county(self, city: Unit, schools: int) -> Unit:
        self.counties += 1
        n = self.counties
        county = make_unit(f"{city.code[:4]}{60 + n:02d}", f"测试县{n}", Level.COUNTY, city, county_kind="县")
        now = clock.now()
        sub = FrameSubmission.objects.create(cycle=self.cycle, county=county, status=FrameStatus.APPROVED,
                                             locked=True, created_at=now, updated_at=now)
        draw = self.draw_of(city, county)
        for i in range(schools):
            school = make_unit(f"{county.code}{i + 1:04d}", f"测试县{n}第{i + 1}小学", Level.SCHOOL, county,
                               school_type="小学", nature="公办", area="城区", affiliation="县属")
            FrameRecord.objects.create(submission=sub, school=school, school_type="小学", nature="公办", area="城区",
                                       affiliation="县属", primary_students=40, primary_classes=1, updated_at=now)
            SampledSchool.objects.create(draw=draw, county=county, stage="primary", school=school, role="sample",
                                         selection_probability=0.5, base_weight=2.0, planned_students=30,
                                         school_type="小学", area="城区", status=RowStatus.IN_SAMPLE)
            if i == schools - 1:
                continue  # one school per county has not started its roster
            state = STATES[i % len(STATES)]
            roster = Roster.objects.create(cycle=self.cycle, school=school, stage="primary", grade=4, status=state,
                                           locked=state == RosterStatus.APPROVED, created_at=now, updated_at=now)
            Teacher.objects.create(roster=roster, name="教师", sex="女", roles=["chinese"], questionnaire_role="语文",
                                   updated_at=now)
            for k in range(3):
                student = Student.objects.create(
                    roster=roster, cycle=self.cycle, name=f"学生{k}", sex="男", birth_date=dt.date(2012, 1, 1),
                    national_id="", id_index=blind_index(f"{roster.pk}-{k}"), class_name="1班", student_no=str(k),
                    row=k + 2)
                if state == RosterStatus.APPROVED:
                    SampledStudent.objects.create(
                        draw=self.student_draws[city.pk], student=student, roster=roster, school=school,
                        school_students=3, sampled_students=3, selection_probability=1, within_school_weight=1,
                        final_weight=2.0)
            if state == RosterStatus.APPROVED:
                TestRoom.objects.create(cycle=self.cycle, school=school, stage="primary", number=1, kind="paper",
                                        students=3, rows=1, columns=3, pattern="s", created_at=now)
                TestedReport.objects.create(cycle=self.cycle, school=school, roster=roster, stage="primary",
                                            created_at=now, updated_at=now)
        SchoolDraw.objects.filter(pk=draw.pk).update(status=DrawStatus.PUBLISHED)
        return county


def _pages(world: World) -> list[tuple[str, str]]:
    return [
        ("province", "/rosters/overview/"), ("city", "/rosters/overview/"), ("county", "/rosters/overview/"),
        ("centre", "/rosters/overview/"), ("province", f"/rosters/overview/?area={world.city.code}&status=approved"),
        ("province", "/reporting/frame/overview/"), ("city", "/reporting/frame/overview/"),
        ("centre", "/reporting/frame/overview/"),
        ("city", "/sampling/draws/"), ("province", "/sampling/draws/"),
        ("city", "/rosters/draw/"), ("province", "/rosters/draw/"),
        ("province", "/testday/"), ("city", "/testday/"), ("county", "/testday/"),
        ("province", "/aftertest/"), ("city", "/aftertest/"), ("county", "/aftertest/"),
    ]


def _counts(clients: dict[str, Client], pages: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    out = {}
    for who, url in pages:
        clients[who].get(url)  # the session, caches
        with CaptureQueriesContext(connection) as q:
            response = clients[who].get(url)
        assert response.status_code == 200, (who, url, response.status_code)
        out[(who, url)] = len(q.captured_queries)
    return out


def test_overview_query_counts_do_not_grow_with_the_data(world: World) -> None:
    cycle = make_cycle()
    area = Area(world, cycle)
    other_city = make_unit("360200", "景德镇市", Level.CITY, world.province)
    first = area.add_county(world.city, schools=2)
    area.add_county(other_city, schools=2)
    users = {"centre": (Role.CENTRE_ADMIN, world.centre), "province": (Role.PROVINCE_ADMIN, world.province),
             "city": (Role.CITY_ADMIN, world.city), "county": (Role.COUNTY_ADMIN, first)}
    clients = {}
    for who, (role, unit) in users.items():
        clients[who] = Client()
        clients[who].force_login(make_user(f"q_{who}", role, unit))
    pages = _pages(world)
    small = _counts(clients, pages)

    # three times the counties, four times the schools per county, every chain step below them
    for city in (world.city, other_city, world.city):
        area.add_county(city, schools=8)
        area.add_county(city, schools=8)
    Roster.objects.filter(school__parent=first).update(status=RosterStatus.APPROVED)
    large = _counts(clients, pages)
    assert Roster.objects.count() > 3 * Roster.objects.filter(school__parent=first).count()
    grown = {k: (small[k], large[k]) for k in pages if small[k] != large[k]}
    assert not grown, f"query count grew with the data (before, after): {grown}"


def test_drill_down_areas_and_page_links(world: World) -> None:
    cycle = make_cycle()
    area = Area(world, cycle)
    other_city = make_unit("360200", "景德镇市", Level.CITY, world.province)
    big = area.add_county(world.city, schools=30)
    area.add_county(world.city, schools=30)
    area.add_county(other_city, schools=3)
    other_province = make_unit("440000", "广东省", Level.PROVINCE, world.centre)
    province = Client()
    province.force_login(make_user("p", Role.PROVINCE_ADMIN, world.province))
    city = Client()
    city.force_login(make_user("c", Role.CITY_ADMIN, world.city))

    # the province sees its cities added up, not every school: 63 places, the first 50 listed
    r = province.get("/rosters/overview/")
    parts = {u.code: total for u, _c, total, _f in r.context["parts"]}
    assert parts == {world.city.code: 60, other_city.code: 3}
    assert r.context["places"] == 63 and len(r.context["rows"]) == 50
    # one level down: the city's counties; the trail leads back to the province
    r = province.get(f"/rosters/overview/?area={world.city.code}&status=not_started")
    second = Unit.objects.get(name="测试县2")
    assert [(u.code, total) for u, _c, total, _f in r.context["parts"]] == [
        (world.county_a.code, 0), (world.county_b.code, 0), (big.code, 30), (second.code, 30)]
    # the filter: the one school of each county that has not started
    assert [row.school.parent_id for row in r.context["rows"]] == [big.pk, second.pk]
    assert all(row.roster is None for row in r.context["rows"])
    assert f'area={world.province.code}' in r.content.decode()
    # page links keep the area and the filter
    r = province.get(f"/rosters/overview/?area={world.city.code}")
    body = r.content.decode()
    assert f"area={world.city.code}&amp;page=2" in body
    assert province.get(f"/rosters/overview/?area={world.city.code}&page=2").context["rows"]
    # outside the person's units, or a school: not found
    assert province.get(f"/rosters/overview/?area={other_province.code}").status_code == 404
    assert city.get(f"/rosters/overview/?area={world.province.code}").status_code == 404
    assert city.get(f"/rosters/overview/?area={other_city.code}").status_code == 404
    school = Unit.objects.filter(parent=big).first()
    assert school is not None
    assert province.get(f"/rosters/overview/?area={school.code}").status_code == 404
    # the same drill-down on the other overviews
    for url in ("/reporting/frame/overview/", "/testday/", "/aftertest/"):
        assert province.get(f"{url}?area={world.city.code}").status_code == 200, url
        assert city.get(f"{url}?area={other_city.code}").status_code == 404, url
    frame = province.get("/reporting/frame/overview/").context
    assert [(p.unit.code, p.counties, p.schools) for p in frame["parts"]] == [
        (world.city.code, 4, 64), (other_city.code, 1, 3)]
