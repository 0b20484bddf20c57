"""The live progress pages per level with an injected source next to the test-day one: figures
per school, rolled up per area, the schools that need attention first, scoping, the day."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from jiance.accounts.models import Role
from jiance.cycles.models import Cycle
from jiance.units.models import Unit
from tests.factories import World, make_user
from tests.testday.builders import sample_school

pytestmark = pytest.mark.django_db


def login(role: str, unit: Unit, name: str = "") -> Client:
    client = Client()
    client.force_login(make_user(name or f"u-{role}-{unit.code}", role, unit))
    return client


def school_codes(html: str, table: str = "live-schools") -> list[str]:
    part = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr data-school="(\d+)"', part)


def cells(html: str, school: str) -> dict[str, str]:
    row = html.split('id="live-schools"', 1)[1].split(f'data-school="{school}"', 1)[1].split("</tr>", 1)[0]
    return dict(re.findall(r'data-key="(\w+)">(\d+)<', row))


def test_city_page_rolls_up_counties_and_lists_each_school(world: World, cycle: Cycle,
                                                           fake_source: dict[str, dict[str, int]]) -> None:
    fake_source.update({world.school_a1.code: {"fake_open": 2}, world.school_b1.code: {"fake_late": 1, "fake_done": 3},
                        world.school_a2.code: {"fake_done": 5}})
    sample_school(cycle, world.school_a1, 5)
    r = login(Role.CITY_ADMIN, world.city).get("/live/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "测试日实时进度" in body and world.city.name in body
    assert school_codes(body) == [world.school_a1.code, world.school_a2.code, world.school_b1.code,
                                  world.school_b2.code]
    # the other apps' real sources add their own columns; these are testday's and the fake's
    own = {k: v for k, v in cells(body, world.school_a1.code).items() if k.startswith(("testday_", "fake_"))}
    assert own == {
        "testday_students": "5", "testday_rooms": "0", "testday_absent": "0", "testday_unplanned": "1",
        "fake_open": "2", "fake_late": "0", "fake_done": "0"}
    assert cells(body, world.school_b1.code)["fake_done"] == "3"
    # the counties added up: a = a1 + a2, b = b1 + b2
    parts = {p.code: (p.schools, p.attention, dict(zip(r.context["summary"].keys, p.values, strict=True)))
             for p in r.context["summary"].parts}
    assert parts[world.county_a.code][:2] == (2, 1)
    assert parts[world.county_a.code][2]["fake_done"] == 5 and parts[world.county_a.code][2]["fake_open"] == 2
    assert parts[world.county_b.code][:2] == (2, 1)
    assert parts[world.county_b.code][2]["fake_late"] == 1
    assert f'area={world.county_a.code}' in body
    # the totals of the area
    totals = {c.key: v for c, v in r.context["totals"]}
    assert totals["fake_done"] == 8 and totals["testday_students"] == 5
    assert r.context["summary"].schools == 4 and r.context["summary"].attention_schools == 2


def test_attention_follows_the_weights(world: World, cycle: Cycle, fake_source: dict[str, dict[str, int]]) -> None:
    """Highest weight first (test day's unplanned rooms 50 > late boxes 40 > open incidents 10),
    then the weighted sum, then the path; a school with nothing to watch is not listed."""
    fake_source.update({
        world.school_a1.code: {"fake_open": 5},
        world.school_a2.code: {"fake_late": 1},
        world.school_b1.code: {"fake_open": 1, "fake_done": 9},
        world.school_b2.code: {"fake_done": 4},
    })
    sample_school(cycle, world.school_b1, 3)  # students but no rooms: weight 50
    r = login(Role.PROVINCE_ADMIN, world.province).get("/live/")
    body = r.content.decode()
    assert school_codes(body, "live-attention") == [world.school_b1.code, world.school_a2.code, world.school_a1.code]
    attention = body.split('id="live-attention"', 1)[1].split("</table>", 1)[0]
    first = attention.split(f'data-school="{world.school_b1.code}"', 1)[1].split("</tr>", 1)[0]
    assert first.index("未编排监测室") < first.index("未处理事件")  # heavier reason first
    # more of the same weight comes first
    fake_source[world.school_a2.code] = {"fake_open": 1}
    from jiance.apps_registry import progress_changed

    progress_changed()
    body = login(Role.PROVINCE_ADMIN, world.province, "p2").get("/live/").content.decode()
    assert school_codes(body, "live-attention") == [world.school_b1.code, world.school_a1.code, world.school_a2.code]


def test_each_level_sees_its_own_units(world: World, cycle: Cycle, fake_source: dict[str, dict[str, int]]) -> None:
    fake_source.update({world.school_a1.code: {"fake_open": 1}, world.school_b1.code: {"fake_open": 7}})
    # a school sees itself only, and no drill-down into its county
    school = login(Role.PROCTOR, world.school_a1)
    r = school.get("/live/")
    assert r.status_code == 200
    body = r.content.decode()
    # its own figures are the totals (no table of one school); nobody else's
    assert r.context["summary"].schools == 1
    assert {c.key: v for c, v in r.context["totals"]}["fake_open"] == 1
    assert 'data-key="fake_open"><strong>1</strong>' in body
    assert world.school_b1.name not in body and 'id="live-areas"' not in body and 'id="live-schools"' not in body
    assert school.get(f"/live/?area={world.county_a.code}").status_code == 404
    assert school.get(f"/live/figures/?area={world.county_b.code}").status_code == 404
    # a county sees its schools only
    county = login(Role.COUNTY_LIAISON, world.county_a)
    body = county.get("/live/").content.decode()
    assert school_codes(body) == [world.school_a1.code, world.school_a2.code]
    assert world.school_b1.name not in body
    assert county.get(f"/live/?area={world.county_b.code}").status_code == 404
    assert county.get(f"/live/?area={world.city.code}").status_code == 404
    # the city drills down into a county; the trail leads back
    city = login(Role.CITY_INFO_OFFICER, world.city)
    r = city.get(f"/live/?area={world.county_b.code}")
    assert school_codes(r.content.decode()) == [world.school_b1.code, world.school_b2.code]
    assert f"area={world.city.code}" in r.content.decode()
    # the centre and the province see their parts
    centre = login(Role.CENTRE_ADMIN, world.centre).get("/live/")
    assert [p.code for p in centre.context["summary"].parts] == [world.province.code]
    assert centre.context["summary"].parts[0].values[-3] == 8  # fake_open over the whole province
    # a role that does not watch test day is refused
    assert login(Role.TECHNICIAN, world.school_a1).get("/live/").status_code == 403
    assert login(Role.SUPERVISOR, world.county_a).get("/live/figures/").status_code == 403


def test_day_choice_and_sessions(world: World, cycle: Cycle, fake_source: dict[str, dict[str, int]]) -> None:
    cycle.config["test_days"] = ["2022-05-25", "2022-05-26"]
    cycle.save()
    city = login(Role.CITY_ADMIN, world.city)
    r = city.get("/live/")
    assert str(r.context["day"]) == "2022-05-25"
    states = {s.code: s.state for s in r.context["sessions"]}
    assert states == {"s1-chinese": "running", "s2-q1": "upcoming"}
    from tests.live import fake_progress

    assert str(fake_progress.CALLS[-1]["day"]) == "2022-05-25"
    r = city.get("/live/?day=2022-05-26")
    assert str(r.context["day"]) == "2022-05-26" and r.context["day_ok"]
    assert [s.code for s in r.context["sessions"]] == ["s3-arts", "t-online", "s4-english"]
    assert str(fake_progress.CALLS[-1]["day"]) == "2022-05-26"
    assert 'value="2022-05-26" selected' in r.content.decode()
    # not a test day, or no date: the default day with a note, never an error page
    for bad in ("2022-06-01", "tomorrow"):
        r = city.get(f"/live/?day={bad}")
        assert r.status_code == 200 and str(r.context["day"]) == "2022-05-25"
        assert "不是本周期的测试日" in r.content.decode()


def test_page_works_without_sources_or_sample(world: World, cycle: Cycle, monkeypatch: pytest.MonkeyPatch) -> None:
    from jiance import apps_registry

    monkeypatch.setattr(apps_registry, "progress_sources", lambda: [])
    body = login(Role.COUNTY_ADMIN, world.county_a).get("/live/").content.decode()
    assert "还没有应用提供实时数据" in body
    monkeypatch.undo()
    from tests.rosters.builders import make_cycle

    Cycle.objects.filter(pk=cycle.pk).update(status="closed")
    make_cycle("national-2023")  # active, no published sample yet
    body = login(Role.COUNTY_ADMIN, world.county_b).get("/live/").content.decode()
    assert "还没有已发布的样本校" in body


def test_pages_of_fifty(world: World, cycle: Cycle, fake_source: dict[str, dict[str, int]]) -> None:
    from jiance import clock
    from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool, SchoolDraw
    from tests.factories import make_unit

    draw = SchoolDraw.objects.create(cycle=cycle, owner=world.county_a, seed=1, frame_hash="0" * 64, plan={},
                                     counties=[], created_at=clock.now())
    for i in range(60):
        school = make_unit(f"36012190{i:02d}", f"南昌县第{i}小学", "school", world.county_a)
        SampledSchool.objects.create(draw=draw, county=world.county_a, stage="primary", school=school, role="sample",
                                     selection_probability=0.5, base_weight=2.0, planned_students=30,
                                     status=RowStatus.IN_SAMPLE)
    SchoolDraw.objects.filter(pk=draw.pk).update(status=DrawStatus.PUBLISHED)
    fake_source["3601219059"] = {"fake_late": 2}
    county = login(Role.COUNTY_ADMIN, world.county_a)
    r = county.get("/live/")
    assert len(school_codes(r.content.decode())) == 50 and r.context["page"].paginator.num_pages == 2
    # the attention list spans every page; page 2 keeps the poll on page 2
    assert school_codes(r.content.decode(), "live-attention") == ["3601219059"]
    r = county.get("/live/?page=2")
    body = r.content.decode()
    assert len(school_codes(body)) == 12 and "3601219059" in school_codes(body)
    assert 'hx-get="/live/figures/?page=2"' in body
