"""The pages: the room page shows students only after release, the offline queue's answers
(200 after commit, 409 with the reason), the city's cancellation, the timekeeper's schedule and
the server time it synchronises to, discipline recorded and confirmed through the pages."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from jiance import clock
from jiance.proctoring.models import CaseStatus, DisciplineCase, RunStatus, SessionRun
from tests.factories import World, make_user
from tests.proctoring.builders import Site, at

pytestmark = pytest.mark.django_db


def login(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def room_url(s: Site, name: str = "proctoring:room", session: str = "s1-chinese") -> str:
    return reverse(name, args=[s.room.pk, session])


def test_the_room_page_lists_students_only_after_release(s: Site) -> None:
    c = login(s.proctor)
    name = s.seats[0].student.name
    with clock.frozen(at(25, 7, 29)):
        page = c.get(room_url(s)).content.decode()
        assert name not in page and 'id="no-students"' in page
    with clock.frozen(at(25, 7, 31)):
        page = c.get(room_url(s)).content.decode()
        assert name in page and 'data-queue-refresh' in page and "data-queue-status" in page


def test_queued_posts_are_acknowledged_or_refused_with_the_reason(s: Site) -> None:
    c = login(s.proctor)
    cid = str(uuid.uuid4())
    with clock.frozen(at(25, 9, 0, )):
        ok = c.post(room_url(s, "proctoring:control"), {"action": "start", "version": "0", "client_id": cid,
                                                         "client_at": at(25, 8, 59).isoformat()},
                    HTTP_X_JIANCE_QUEUE="1")
        again = c.post(room_url(s, "proctoring:control"), {"action": "start", "version": "0", "client_id": cid,
                                                            "client_at": at(25, 8, 59).isoformat()},
                       HTTP_X_JIANCE_QUEUE="1")
        stale = c.post(room_url(s, "proctoring:control"), {"action": "end", "version": "0"}, HTTP_X_JIANCE_QUEUE="1")
        plain = c.post(room_url(s, "proctoring:checkin"), {"status": "present", "code": "nobody"})
    assert ok.status_code == 200 and again.status_code == 200
    assert stale.status_code == 409 and "proctor" in stale.content.decode()
    assert plain.status_code == 302
    run = SessionRun.objects.get()
    assert run.status == RunStatus.IN_PROGRESS and run.started_at == at(25, 8, 59) and run.events.count() == 1


def test_the_city_cancels_a_long_pause_from_its_overview(world: World, s: Site) -> None:
    proctor, city = login(s.proctor), login(s.city)
    with clock.frozen(at(25, 9)):
        proctor.post(room_url(s, "proctoring:control"), {"action": "start"})
        proctor.post(room_url(s, "proctoring:control"), {"action": "pause", "reason": "停电"})
    run = SessionRun.objects.get()
    with clock.frozen(at(25, 10, 2)):
        page = city.get(reverse("proctoring:home")).content.decode()
        assert "停电" in page and reverse("proctoring:cancel", args=[run.pk]) in page
        city.post(reverse("proctoring:cancel", args=[run.pk]), {"reason": "停电超过1小时", "version": run.version})
        assert login(s.proctor).get(room_url(s)).content.decode().count("不再进行补测") == 1
    assert SessionRun.objects.get().status == RunStatus.CANCELLED
    foreign = make_user("other-city", "city_admin", world.county_b)  # a county is not a city: 403
    assert login(foreign).post(reverse("proctoring:cancel", args=[run.pk]), {"reason": "x"}).status_code in (403, 404)


def test_the_timekeeper_sees_the_days_signals_and_the_server_time(world: World, s: Site) -> None:
    keeper = login(make_user("keeper", "timekeeper", world.school_a1))
    with clock.frozen(at(25, 10, 11)):
        page = keeper.get(reverse("proctoring:timekeeper", args=[world.school_a1.code])).content.decode()
        now = json.loads(keeper.get(reverse("proctoring:time")).content)["now"]
    assert now == int(at(25, 10, 11).timestamp() * 1000)
    assert "北京时间" in page and "<script>" not in page.replace('<script src=', '')
    data = page.split('id="tk-data" type="application/json">', 1)[1].split("</script>", 1)[0]
    signals = json.loads(data)["signals"]
    assert [(x["at"], x["kind"]) for x in signals][:4] == [("09:00", "start"), ("10:10", "warning"),
                                                         ("10:20", "end"), ("10:50", "start")]
    assert keeper.get(reverse("proctoring:home")).url == reverse("proctoring:timekeeper", args=[world.school_a1.code])


def test_local_time_regions_shift_the_timekeepers_clock(world: World, s: Site) -> None:
    s.cycle.config["local_time_regions"] = [{"code": "36", "name": "江西（演示）", "behind_beijing_minutes": 120}]
    s.cycle.save()
    keeper = login(make_user("keeper", "timekeeper", world.school_a1))
    with clock.frozen(at(25, 10, 11)):
        page = keeper.get(reverse("proctoring:timekeeper", args=[world.school_a1.code])).content.decode()
    assert "江西（演示）地方时间" in page and '"behind": 120' in page


def test_a_case_is_recorded_on_the_page_and_confirmed_by_the_inspector(s: Site) -> None:
    with clock.frozen(at(25, 9, 40)):
        r = login(s.proctor).post(reverse("proctoring:case_new", args=[s.room.school.code]), {
            "kind": "student", "offence": "student-1-2", "room": s.room.pk, "session": "s1-chinese", "seat": 2,
            "description": "互打手势"})
        assert r.status_code == 302
        case = DisciplineCase.objects.get()
        county_page = login(s.inspector).get(reverse("proctoring:home")).content.decode()
        assert s.seats[1].student.name in county_page and "互打手势" in county_page
        login(s.inspector).post(reverse("proctoring:decide", args=[case.pk]),
                                {"decision": "confirm", "version": case.version})
    assert DisciplineCase.objects.get().status == CaseStatus.CONFIRMED
