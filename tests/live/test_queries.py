"""The live pages cost a fixed number of queries, however many schools lie below them (measured
with the cache emptied before each request, so the figures are computed every time)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jiance import clock
from jiance.accounts.models import Role
from jiance.cycles.models import Cycle
from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool, SchoolDraw
from jiance.units.models import Level, Unit
from tests.factories import World, make_unit, make_user
from tests.testday.builders import sample_school

pytestmark = pytest.mark.django_db


def add_county(cycle: Cycle, city: Unit, n: int, schools: int, figures: dict[str, dict[str, int]]) -> None:
    county = make_unit(f"{city.code[:4]}{60 + n:02d}", f"测试县{n}", Level.COUNTY, city, county_kind="县")
    draw = SchoolDraw.objects.create(cycle=cycle, owner=county, seed=1, frame_hash="0" * 64, plan={},
                                     counties=[], created_at=clock.now())
    for i in range(schools):
        school = make_unit(f"{county.code}{i + 1:04d}", f"测试县{n}第{i + 1}小学", Level.SCHOOL, county)
        SampledSchool.objects.create(draw=draw, county=county, stage="primary", school=school, role="sample",
                                     selection_probability=0.5, base_weight=2.0, planned_students=30,
                                     status=RowStatus.IN_SAMPLE)
        figures[school.code] = {"fake_open": i % 3, "fake_late": int(i == 0)}
        if i % 2:
            sample_school(cycle, school, 2, start=n * 1000 + i * 10)
    SchoolDraw.objects.filter(pk=draw.pk).update(status=DrawStatus.PUBLISHED)


def counts(clients: dict[str, Client], urls: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    out = {}
    for who, url in urls:
        clients[who].get(url)  # session, templates
        cache.clear()
        with CaptureQueriesContext(connection) as q:
            assert clients[who].get(url).status_code == 200, (who, url)
        out[(who, url)] = len(q.captured_queries)
    return out


def test_query_count_does_not_grow_with_the_schools(world: World, cycle: Cycle,
                                                    fake_source: dict[str, dict[str, int]]) -> None:
    users = {"centre": (Role.CENTRE_ADMIN, world.centre), "province": (Role.PROVINCE_ADMIN, world.province),
             "city": (Role.CITY_ADMIN, world.city), "county": (Role.COUNTY_ADMIN, world.county_a),
             "school": (Role.PRINCIPAL, world.school_a1)}
    clients = {}
    for who, (role, unit) in users.items():
        clients[who] = Client()
        clients[who].force_login(make_user(f"q_{who}", role, unit))
    urls = [(who, url) for who in users for url in ("/live/", "/live/figures/")]
    urls.append(("province", f"/live/figures/?area={world.city.code}&page=2"))
    small = counts(clients, urls)
    for n in range(1, 4):
        add_county(cycle, world.city, n, schools=30, figures=fake_source)
    large = counts(clients, urls)
    assert SampledSchool.objects.count() > 90
    grown = {k: (small[k], large[k]) for k in urls if small[k] != large[k]}
    assert not grown, f"query count grew with the schools (before, after): {grown}"
