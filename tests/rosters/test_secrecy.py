"""The secrecy rule: before the release time on test day no page, export, count or message tells
a school or county user anything about the sampled students; the city and centre see them."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.rosters.models import Roster, SampledStudent, StudentDraw, release_at
from jiance.rosters.selectors import sampled_students_for, sampled_students_visible
from jiance.rosters.services import students_draw
from tests.factories import World, client_for
from tests.rosters.builders import AFTER_RELEASE, BEFORE_RELEASE, RELEASE, People
from tests.rosters.test_services import approve_all

pytestmark = pytest.mark.django_db
CSRF = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')



def routes(roster: Roster) -> list[str]:
    r = {"roster_id": roster.pk}
    return [
        reverse("rosters:home"), reverse("rosters:overview"), reverse("rosters:draw"),
        reverse("rosters:school", kwargs={"code": roster.school.code}),
        reverse("rosters:roster", kwargs=r), reverse("rosters:roster", kwargs=r) + "?full=1",
        reverse("rosters:template", kwargs=r), reverse("rosters:rejected", kwargs=r),
        reverse("rosters:export", kwargs=r), reverse("rosters:sampled", kwargs=r),
        reverse("rosters:sampled_export", kwargs=r),
    ]


def snapshot(client: Client, url: str) -> tuple[int, Any]:
    response = client.get(url)
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type:
        wb = load_workbook(io.BytesIO(response.content))
        return response.status_code, [list(r) for ws in wb for r in ws.iter_rows(values_only=True)]
    body = response.content.decode("utf-8", "replace") if response.content else ""
    return response.status_code, (CSRF.sub(r"\1-", body), response.get("Location", ""))


@pytest.fixture
def drawn(world: World, cycle: Cycle, people: People) -> Roster:
    approve_all(world, cycle, people)
    students_draw(cycle=cycle, actor=people.city, seed=2022)
    return Roster.objects.get(school=world.school_a1)


def test_release_time_is_test_day_start_in_the_cycle_timezone(cycle: Cycle) -> None:
    assert release_at(cycle) == RELEASE
    cycle.config = {**cycle.config, "timezone": "Asia/Urumqi"}
    assert (release_at(cycle) - RELEASE).total_seconds() == 2 * 3600


def test_visibility_rule(world: World, cycle: Cycle, people: People, drawn: Roster) -> None:
    school = world.school_a1
    for user in (people.officer_a1, people.principal_a1, people.county_a):
        assert not sampled_students_visible(Scope(user), school, cycle, BEFORE_RELEASE)
        assert sampled_students_visible(Scope(user), school, cycle, AFTER_RELEASE)
        assert not sampled_students_for(scope=Scope(user), roster=drawn, now=BEFORE_RELEASE).exists()
    for user in (people.city, people.centre):
        assert sampled_students_visible(Scope(user), school, cycle, BEFORE_RELEASE)
        assert sampled_students_for(scope=Scope(user), roster=drawn, now=BEFORE_RELEASE).count() == 30
    # another branch never, even after release
    assert not sampled_students_visible(Scope(people.officer_b1), school, cycle, AFTER_RELEASE)
    assert not sampled_students_visible(Scope(people.county_b), school, cycle, AFTER_RELEASE)


@pytest.mark.parametrize("who", ["officer_a1", "principal_a1", "county_a"])
def test_before_release_every_route_answers_as_if_no_draw(
    world: World, cycle: Cycle, people: People, drawn: Roster, who: str
) -> None:
    user = getattr(people, who)
    client = client_for(user)
    with clock.frozen(BEFORE_RELEASE):
        with_draw = {url: snapshot(client, url) for url in routes(drawn)}
        SampledStudent.objects.all().delete()
        StudentDraw.objects.all().delete()
        without = {url: snapshot(client, url) for url in routes(drawn)}
    assert with_draw == without
    assert with_draw[reverse("rosters:sampled", kwargs={"roster_id": drawn.pk})][0] == 200


def test_after_release_the_school_sees_its_sample(world: World, cycle: Cycle, people: People, drawn: Roster) -> None:
    client = client_for(people.officer_a1)
    names = list(SampledStudent.objects.filter(roster=drawn).values_list("student__name", flat=True))
    url = reverse("rosters:sampled", kwargs={"roster_id": drawn.pk})
    with clock.frozen(BEFORE_RELEASE):
        body = client.get(url).content.decode()
        assert "尚未发布" in body
    with clock.frozen(AFTER_RELEASE):
        body = client.get(url).content.decode()
        assert all(n in body for n in names)
        status, rows = snapshot(client, reverse("rosters:sampled_export", kwargs={"roster_id": drawn.pk}))
        assert status == 200 and len(rows) == 31
        # IDs are masked in the sampled list
        full_ids = SampledStudent.objects.filter(roster=drawn).values_list("student__id_index", flat=True)
        assert full_ids and not any(r[5] and len(str(r[5]).replace("*", "")) > 4 + 6 for r in rows[1:])


def test_city_sees_the_sample_before_release(world: World, cycle: Cycle, people: People, drawn: Roster) -> None:
    client = client_for(people.city)
    with clock.frozen(BEFORE_RELEASE):
        body = client.get(reverse("rosters:sampled", kwargs={"roster_id": drawn.pk})).content.decode()
    assert body.count("<tr>") == 31


def test_released_sample_is_the_rule_as_a_query(world: World, cycle: Cycle, people: People, drawn: Roster) -> None:
    """`released_sample` gives exactly the sampled students `sampled_students_visible` allows, for
    every person and moment: the one read every page, partial, export and printout goes through."""
    from jiance.rosters.selectors import released_sample

    everyone = list(SampledStudent.objects.filter(roster__cycle=cycle).select_related("school"))
    assert everyone
    for user in (people.officer_a1, people.principal_a1, people.officer_b1, people.officer_a2, people.county_a,
                 people.county_b, people.city, people.centre):
        for now in (BEFORE_RELEASE, AFTER_RELEASE):
            scope = Scope(user)
            got = set(released_sample(scope=scope, cycle=cycle, now=now).values_list("pk", flat=True))
            expected = {s.pk for s in everyone if sampled_students_visible(scope, s.school, cycle, now)}
            assert got == expected, (user.username, now)
    assert not released_sample(scope=Scope(people.officer_a1), cycle=cycle, now=BEFORE_RELEASE).exists()
    assert released_sample(scope=Scope(people.city), cycle=cycle, now=BEFORE_RELEASE).count() == len(everyone)
    with clock.frozen(AFTER_RELEASE):  # the clock's now by default
        assert released_sample(scope=Scope(people.officer_a1), cycle=cycle).filter(school=world.school_a1).exists()
