"""The live pages' figures of computer tests (started, paused, completed per school, refreshed
after commit), and reads that never write: the console and the PC page show a delivery whose
time ran out as handed in without storing anything."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from jiance import clock
from jiance.apps_registry import PROGRESS_STAMP_KEY, progress_sources
from jiance.cbt.models import DeliveryEvent
from jiance.cbt.progress import school_progress
from tests.cbt.builders import SESSION, Lab, at
from tests.cbt.test_services import act, login, started, tech

pytestmark = pytest.mark.django_db


def test_cbt_declares_its_progress_source() -> None:
    source = next(s for s in progress_sources() if s.app == "cbt")
    assert source.keys == ("cbt_started", "cbt_paused", "cbt_completed", "cbt_terminated")
    assert source.attention["cbt_paused"] > source.attention["cbt_terminated"]


def test_school_progress_counts_states_of_the_day(s: Lab, world: Any, django_capture_on_commit_callbacks: Any) -> None:
    day = at(9).date()
    assert school_progress(cycle=s.cycle, school_ids=[world.school_a1.pk], day=day) == {}
    d1 = started(s, 1)
    d2 = login(s, 2, at(9, 1))
    act(s, d2, "authorise", at(9, 1, 30))
    d3 = login(s, 3, at(9, 2))
    act(s, d3, "authorise", at(9, 2, 30))
    cache.delete(PROGRESS_STAMP_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        act(s, d1, "pause", at(9, 10), reason="鼠标失灵")
    assert cache.get(PROGRESS_STAMP_KEY) == 1  # the live pages recompute
    act(s, d3, "terminate", at(9, 11), reason="身体不适，离开监测室")
    row = school_progress(cycle=s.cycle, school_ids=[world.school_a1.pk], day=day)[world.school_a1.pk]
    # d2 was authorised after the start: not working until the student clicks start
    assert row == {"cbt_started": 0, "cbt_paused": 1, "cbt_completed": 0, "cbt_terminated": 1}
    act(s, d1, "resume", at(9, 12))
    tech(s, "end", at(10, 30))
    row = school_progress(cycle=s.cycle, school_ids=[world.school_a1.pk], day=day)[world.school_a1.pk]
    assert row == {"cbt_started": 0, "cbt_paused": 0, "cbt_completed": 1, "cbt_terminated": 2}
    assert school_progress(cycle=s.cycle, school_ids=[world.school_a1.pk], day=at(9, day=26).date()) == {}


def test_reads_of_a_delivery_past_its_time_write_nothing(s: Lab) -> None:
    d = started(s, 1)
    staff = Client()
    staff.force_login(s.proctor)
    pc = Client()
    slip = s.slips[1]
    with clock.frozen(at(9, 30)):
        pc.post(reverse("cbt:pc", kwargs={"test_room_id": s.room.pk, "seat": 1}),
                {"login": slip.login, "code": slip.code})
    events = DeliveryEvent.objects.count()
    with clock.frozen(at(10, 25)):  # 80 minutes from 09:00 ran out at 10:20
        body = staff.get(reverse("cbt:console", kwargs={"test_room_id": s.room.pk, "session": SESSION})
                         ).content.decode()
        assert "已交卷" in body and "00:00" in body
        state = pc.get(reverse("cbt:pc_state", kwargs={"test_room_id": s.room.pk, "seat": 1})).json()
        assert state["status"] == "completed" and state["remaining"] == 0
        assert "已交卷" in pc.get(reverse("cbt:pc", kwargs={"test_room_id": s.room.pk, "seat": 1})).content.decode()
    d.refresh_from_db()
    assert d.status == "in_progress" and DeliveryEvent.objects.count() == events  # nothing written by a GET
    tech(s, "end", at(10, 30))  # the next action settles it at the moment the time ran out
    d.refresh_from_db()
    assert d.status == "completed" and d.ended_at == at(10, 20)
