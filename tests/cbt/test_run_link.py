"""The console's room pause is the room's session run (proctoring's `SessionRun`): paused and
resumed with it, so a pause of more than 1 hour is the city's to cancel; once cancelled, nobody
in the room resumes, and the console says so with a link to the run."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jiance import clock
from jiance.accounts.models import Role
from jiance.accounts.scoping import Scope
from jiance.cbt.models import CbtError, Delivery
from jiance.cbt.services.console import room_act
from jiance.proctoring.models import RunStatus, SessionRun
from jiance.proctoring.services import run_act, run_cancel
from tests.cbt.builders import SESSION, Lab, at
from tests.cbt.test_services import started
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db


def room(s: Lab, action: str, when: object, reason: str = "") -> int:
    with clock.frozen(when):  # type: ignore[arg-type]
        return room_act(scope=Scope(s.proctor), room=s.room, session=SESSION, action=action, actor=s.proctor,
                        version=None, reason=reason)


def test_room_pause_follows_the_run_and_the_city_cancels_after_an_hour(world: World, s: Lab) -> None:
    d = started(s)
    # without a run under way (the proctors did not start it), the console's pause stands alone
    room(s, "pause_all", at(9, 5), "断网")
    assert not SessionRun.objects.filter(status=RunStatus.PAUSED).exists()
    room(s, "resume_all", at(9, 6))
    with clock.frozen(at(9, 0, 30)):
        run_act(scope=Scope(s.proctor), room=s.room, session=SESSION, action="start", actor=s.proctor, version=None)
    assert room(s, "pause_all", at(9, 10), "教学楼停电") == 1
    run = SessionRun.objects.get(room=s.room, session=SESSION)
    assert run.status == RunStatus.PAUSED and run.pause_reason == "教学楼停电" and run.paused_since == at(9, 10)
    c = Client()
    c.force_login(s.proctor)
    url = reverse("cbt:console", kwargs={"test_room_id": s.room.pk, "session": SESSION})
    with clock.frozen(at(10, 15)):
        body = c.get(url).content.decode()
    assert 'data-run="paused"' in body and "暂停已超过 1 小时，市级可取消本场" in body
    assert reverse("proctoring:room", kwargs={"test_room_id": s.room.pk, "session": SESSION}) in body
    city = make_user("city", Role.CITY_ADMIN, world.city)
    with clock.frozen(at(10, 15)):
        run_cancel(scope=Scope(city), run=run, actor=city, version=None, reason="停电超过 1 小时，本场不再补测")
    with pytest.raises(CbtError, match="由市级取消"):
        room(s, "resume_all", at(10, 16))
    d.refresh_from_db()
    assert d.status == "paused" and d.remaining(at(10, 16)) == 80 * 60 - 10 * 60 + 60  # the 09:05 minute back
    with clock.frozen(at(10, 16)):
        body = c.get(url).content.decode()
    assert 'data-run="cancelled"' in body and "由市级取消，不再补测" in body


def test_room_resume_resumes_the_run(s: Lab) -> None:
    started(s)
    with clock.frozen(at(9, 0, 30)):
        run_act(scope=Scope(s.proctor), room=s.room, session=SESSION, action="start", actor=s.proctor, version=None)
    room(s, "pause_all", at(9, 10), "断网")
    room(s, "resume_all", at(9, 20))
    run = SessionRun.objects.get(room=s.room, session=SESSION)
    assert run.status == RunStatus.IN_PROGRESS and run.paused_seconds == 600
    assert Delivery.objects.get().status == "in_progress"
