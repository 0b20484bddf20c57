"""The figures part the page polls: ETag / 304 while nothing changed, new figures after a change
an app reports (or once the cached figures expire), and a query count that does not grow with the
number of schools."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jiance.accounts.models import Role
from jiance.apps_registry import progress_changed, progress_stamp
from jiance.cycles.models import Cycle
from tests.factories import World, make_user
from tests.live import fake_progress

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(world: World) -> Client:
    client = Client()
    client.force_login(make_user("city", Role.CITY_ADMIN, world.city))
    return client


def test_figures_answer_304_until_something_changes(world: World, cycle: Cycle, city: Client,
                                                    fake_source: dict[str, dict[str, int]]) -> None:
    fake_source[world.school_a1.code] = {"fake_open": 1}
    r = city.get("/live/figures/", headers={"HX-Request": "true"})
    assert r.status_code == 200
    etag = r["ETag"]
    assert etag.startswith('"') and "private" in r["Cache-Control"] and "no-cache" in r["Cache-Control"]
    body = r.content.decode()
    assert body.lstrip().startswith('<div id="live-figures"') and "<html" not in body
    # the browser revalidates: nothing changed, 304 without a body
    r = city.get("/live/figures/", headers={"If-None-Match": etag})
    assert r.status_code == 304 and r["ETag"] == etag and not r.content
    assert city.get("/live/figures/", headers={"If-None-Match": f'W/{etag}, "other"'}).status_code == 304
    # a change the source does not report waits for the cached figures to expire
    fake_source[world.school_a1.code] = {"fake_open": 2}
    assert city.get("/live/figures/", headers={"If-None-Match": etag}).status_code == 304
    # reported through the change stamp: new figures at the next poll
    before = progress_stamp()
    progress_changed()
    assert progress_stamp() == before + 1
    r = city.get("/live/figures/", headers={"If-None-Match": etag})
    assert r.status_code == 200 and r["ETag"] != etag
    new = r["ETag"]
    # a recomputation that finds the same figures keeps the ETag (cache expired: emptied here)
    cache.clear()
    assert city.get("/live/figures/", headers={"If-None-Match": new}).status_code == 304
    # the ETag belongs to the page shown: another page, day or language is another ETag
    assert city.get("/live/figures/?page=1&area=" + world.county_a.code,
                    headers={"If-None-Match": new}).status_code == 200


def test_unchanged_poll_costs_no_figure_queries(world: World, cycle: Cycle, city: Client,
                                                fake_source: dict[str, dict[str, int]]) -> None:
    etag = city.get("/live/figures/")["ETag"]
    calls = len(fake_progress.CALLS)
    with CaptureQueriesContext(connection) as q:
        assert city.get("/live/figures/", headers={"If-None-Match": etag}).status_code == 304
    assert len(fake_progress.CALLS) == calls  # served from the cache
    sql = " ".join(x["sql"] for x in q.captured_queries)
    assert "sampling_sampledschool" not in sql and "testday_testroom" not in sql
    # the person's roles, the cycle and the area were checked by the first request and are reused
    assert "accounts_roleassignment" not in sql and "cycles_cycle" not in sql and "units_unit" not in sql
    assert len(q.captured_queries) == 2  # the session and the user (middleware)


def test_a_role_taken_away_stops_the_polls(world: World, cycle: Cycle, city: Client,
                                           fake_source: dict[str, dict[str, int]]) -> None:
    from jiance.accounts.models import RoleAssignment

    assert city.get("/live/").status_code == 200
    RoleAssignment.objects.filter(user__username="city").delete()
    assert city.get("/live/").status_code == 403  # a page load checks at once
    # an open page's polls within JIANCE_LIVE_TTL reuse the check; after it they are refused
    assert city.get("/live/figures/").status_code == 200
    cache.clear()
    assert city.get("/live/figures/").status_code == 403


def test_stamp_survives_an_emptied_cache() -> None:
    cache.clear()
    assert progress_stamp() == 0
    progress_changed()
    progress_changed()
    assert progress_stamp() == 2


def test_a_poll_does_not_renew_the_idle_timeout(world: World, cycle: Cycle, city: Client) -> None:
    import datetime as dt

    from django.contrib.sessions.models import Session

    city.get("/live/")  # a person's request renews the session
    key = city.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=Session.objects.get(session_key=key).expire_date
                                                  - dt.timedelta(minutes=20))
    expiry = Session.objects.get(session_key=key).expire_date
    assert city.get("/live/figures/", headers={"HX-Request": "true"}).status_code == 200
    assert Session.objects.get(session_key=key).expire_date == expiry
    # once the session is over, the next poll sends the whole page to the login form
    Session.objects.filter(session_key=key).delete()
    r = city.get("/live/figures/", headers={"HX-Request": "true"})
    assert r.status_code == 204 and r["HX-Redirect"] == "/login/?next=/live/"
    r = city.get("/live/figures/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
