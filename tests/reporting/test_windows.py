"""The frame's window: the county reports inside it, the city reviews any time and may reopen it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from jiance import clock
from jiance.audit.models import AuditEntry
from jiance.reporting import services
from jiance.reporting.models import FrameError, FrameStatus, FrameSubmission
from jiance.windows.models import WindowReopen
from tests.factories import client_for
from tests.reporting.conftest import good_rows_a, scope_of, xlsx

pytestmark = pytest.mark.django_db

WINDOW = {"kind": "school_frame", "name": "属地学校信息上报", "reported_by": "county", "reviewed_by": "city",
          "start": "2022-03-10", "end": "2022-03-25"}
ROW = {"school_type": "小学", "nature": "公办", "area": "镇区", "affiliation": "县属", "primary_students": 180,
       "primary_classes": 4, "junior_students": 0, "junior_classes": 0}


def at(day: int, month: int = 3) -> Any:
    return clock.frozen(timezone.make_aware(dt.datetime(2022, month, day, 10, 0)))


@pytest.fixture
def windowed(cycle):  # type: ignore[no-untyped-def]
    cycle.config = {**cycle.config, "windows": [WINDOW]}
    cycle.save()
    return cycle


def save(people, world, cycle) -> Any:  # type: ignore[no-untyped-def]
    return services.frame_record_save(scope=scope_of(people.county_a), cycle=cycle, county=world.county_a,
                                      school=world.school_a1, data=ROW, actor=people.county_a)


def test_before_inside_after(people, world, windowed) -> None:  # type: ignore[no-untyped-def]
    with at(9), pytest.raises(FrameError, match=r"尚未开放.*2022年03月10日"):
        save(people, world, windowed)
    with at(25):
        save(people, world, windowed)
    with at(26):
        with pytest.raises(FrameError, match="属地学校信息上报（2022年03月10日至2022年03月25日）已于 2022年03月25日 截止"):
            save(people, world, windowed)
        with pytest.raises(FrameError, match="截止"):
            services.frame_import(scope=scope_of(people.county_a), cycle=windowed, county=world.county_a,
                                  content=xlsx(good_rows_a()), actor=people.county_a)
        with pytest.raises(FrameError, match="截止"):
            services.frame_upload_store(scope=scope_of(people.county_a), cycle=windowed, county=world.county_a,
                                        filename="a.xlsx", content=xlsx(good_rows_a()), actor=people.county_a)
        with pytest.raises(FrameError, match="截止"):
            services.frame_submit(scope=scope_of(people.county_a), submission=FrameSubmission.objects.get(),
                                  actor=people.county_a)


def test_the_city_reviews_after_the_close(people, world, windowed) -> None:  # type: ignore[no-untyped-def]
    with at(24):
        services.frame_import(scope=scope_of(people.county_a), cycle=windowed, county=world.county_a,
                              content=xlsx(good_rows_a()), actor=people.county_a)
        sub = services.frame_submit(scope=scope_of(people.county_a), submission=FrameSubmission.objects.get(),
                                    actor=people.county_a)
    with at(28):
        sub = services.frame_return(scope=scope_of(people.city), submission=sub, actor=people.city, comment="核实")
        assert sub.status == FrameStatus.RETURNED
        with pytest.raises(FrameError, match="截止"):  # returned after the close: no fix without a reopening
            save(people, world, windowed)


def test_reopened_then_expired(people, world, windowed) -> None:  # type: ignore[no-untyped-def]
    with at(27):
        r = services.frame_window_reopen(scope=scope_of(people.city), cycle=windowed, county=world.county_a,
                                         until=dt.date(2022, 3, 29), reason="补报新建学校", actor=people.city)
        assert (r.start, r.end) == (dt.date(2022, 3, 27), dt.date(2022, 3, 29))
        save(people, world, windowed)
    with at(29):
        save(people, world, windowed)
    with at(30), pytest.raises(FrameError, match="截止"):
        save(people, world, windowed)
    entry = AuditEntry.objects.get(object_type="windows.windowreopen", object_id=str(r.pk))
    assert entry.unit_id == world.county_a.pk and "补报新建学校" in entry.detail and entry.actor_id == people.city.pk


def test_only_the_city_above_may_reopen_with_a_reason(people, world, windowed) -> None:  # type: ignore[no-untyped-def]
    kw = {"cycle": windowed, "until": dt.date(2022, 3, 29), "reason": "补报"}
    with at(27):
        with pytest.raises(PermissionDenied):  # the county cannot reopen its own window
            services.frame_window_reopen(scope=scope_of(people.county_a), county=world.county_a,
                                         actor=people.county_a, **kw)
        with pytest.raises(Http404):  # another city's county
            services.frame_window_reopen(scope=scope_of(people.other_city), county=world.county_a,
                                         actor=people.other_city, **kw)
        with pytest.raises(FrameError, match="原因"):
            services.frame_window_reopen(scope=scope_of(people.city), county=world.county_a, actor=people.city,
                                         **{**kw, "reason": "  "})
        with pytest.raises(FrameError, match="截止日期不能早于"):
            services.frame_window_reopen(scope=scope_of(people.city), county=world.county_a, actor=people.city,
                                         **{**kw, "until": dt.date(2022, 3, 26)})
        with pytest.raises(FrameError, match="县"):  # a frame is the county's, not a school's
            services.frame_window_reopen(scope=scope_of(people.city), county=world.school_a1, actor=people.city, **kw)
    assert not WindowReopen.objects.exists()



def test_views_refuse_an_edit_after_the_close_and_show_the_reopening(people, world, windowed) -> None:  # type: ignore[no-untyped-def]
    county, city = client_for(people.county_a), client_for(people.city)
    page = reverse("reporting:county", kwargs={"code": world.county_a.code})
    edit = reverse("reporting:school_edit", kwargs={"code": world.county_a.code, "school_code": world.school_a1.code})
    with at(26):
        text = county.get(page).content.decode()
        assert "已于 2022年03月25日 截止" in text and 'id="window-reopen"' not in text and edit not in text
        r = county.post(edit, {k: str(v) for k, v in ROW.items()}, follow=True)
        assert "已于 2022年03月25日 截止" in r.content.decode()
        assert not services.FrameRecord.objects.exists()
        assert 'id="window-reopen"' in city.get(page).content.decode()
        r = city.post(reverse("reporting:window_reopen", kwargs={"code": world.county_a.code}),
                      {"until": "2022-03-31", "reason": "补报新建学校", "next": page}, follow=True)
        assert "已重新开放至 2022-03-31" in r.content.decode()
        text = county.get(page).content.decode()
        assert "上报重新开放中" in text and "南昌市管理员" in text and "补报新建学校" in text and edit in text
        county.post(edit, {k: str(v) for k, v in ROW.items()})
        assert services.FrameRecord.objects.count() == 1
