"""Session control: not started → in progress → ended, pause/continue, the 1-hour rule and the
city's cancellation (never re-run), versions and the offline queue's idempotency."""

from __future__ import annotations

import uuid

import pytest

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.errors import RoleRequired
from jiance.proctoring.models import CheckIn, Presence, ProctoringError, RunEvent, RunStatus
from jiance.proctoring.services import run_act, run_cancel
from tests.proctoring.builders import Site, at

pytestmark = pytest.mark.django_db


def act(s: Site, action: str, *, version: int | None = None, reason: str = "", **kw: object) -> object:
    return run_act(scope=Scope(s.proctor), room=s.room, session="s1-chinese", action=action, actor=s.proctor,
                   version=version, reason=reason, **kw)  # type: ignore[arg-type]


def test_a_run_goes_through_its_states_and_records_the_pause(s: Site) -> None:
    with clock.frozen(at(25, 9)):
        run = act(s, "start", version=0)
    with clock.frozen(at(25, 9, 30)):
        with pytest.raises(ProctoringError, match="原因"):
            act(s, "pause")
        act(s, "pause", reason="停电")
    with clock.frozen(at(25, 9, 50)):
        act(s, "resume")
    with clock.frozen(at(25, 10, 20)):
        run = act(s, "end")
        with pytest.raises(ProctoringError, match="已结束"):
            act(s, "start")
    assert run.status == RunStatus.ENDED and run.paused_seconds == 20 * 60
    events = list(RunEvent.objects.filter(run=run).values_list("action", "reason"))
    assert events == [("start", ""), ("pause", "停电"), ("resume", ""), ("end", "")]


def test_a_run_starts_only_on_its_day(s: Site) -> None:
    with clock.frozen(at(24, 9)), pytest.raises(ProctoringError, match="2022-05-25"):
        act(s, "start")


def test_a_stale_page_is_refused_naming_who_and_when(s: Site) -> None:
    with clock.frozen(at(25, 9)):
        act(s, "start", version=0)
        with pytest.raises(ProctoringError, match=r"proctor.*进行中"):
            act(s, "end", version=0)


def test_the_same_queued_action_twice_is_recorded_once(s: Site) -> None:
    cid = uuid.uuid4()
    with clock.frozen(at(25, 9, 5)):
        act(s, "start", client_id=cid, at=at(25, 9, 1))
        run = act(s, "start", client_id=cid, at=at(25, 9, 1))  # the reply was lost: sent again
    assert run.status == RunStatus.IN_PROGRESS and run.started_at == at(25, 9, 1)  # the phone's time
    assert RunEvent.objects.filter(run=run).count() == 1


def test_cancel_only_after_a_pause_of_more_than_an_hour_and_never_rerun(s: Site) -> None:
    with clock.frozen(at(25, 9)):
        run = act(s, "start")
        act(s, "pause", reason="断网")
    with clock.frozen(at(25, 10)), pytest.raises(ProctoringError, match="未超过 1 小时"):
        run_cancel(scope=Scope(s.city), run=run, actor=s.city, version=None, reason="断网超过1小时")
    with clock.frozen(at(25, 10, 1)):
        with pytest.raises(RoleRequired):
            run_cancel(scope=Scope(s.proctor), run=run, actor=s.proctor, version=None, reason="x")
        with pytest.raises(ProctoringError, match="原因"):
            run_cancel(scope=Scope(s.city), run=run, actor=s.city, version=None, reason=" ")
        run = run_cancel(scope=Scope(s.city), run=run, actor=s.city, version=None, reason="断网超过1小时")
    assert run.status == RunStatus.CANCELLED and run.cancel_reason == "断网超过1小时"
    marks = CheckIn.objects.filter(run=run)
    assert marks.count() == len(s.seats) and set(marks.values_list("status", flat=True)) == {Presence.CANCELLED}
    with clock.frozen(at(25, 10, 30)):
        for action in ("resume", "start", "end"):
            with pytest.raises(ProctoringError, match="不再进行补测"):
                act(s, action)
