"""The delivery state machine on a frozen (injected) clock: every transition allowed and refused,
a pause stops the clock, extra time, time running out, a move stops the old PC's clock."""

from __future__ import annotations

import datetime as dt

import pytest

from jiance_core.cbt.delivery import (
    ACTION_LABELS,
    AUTHORISED,
    AWAITING,
    COMPLETED,
    IN_PROGRESS,
    PAUSED,
    TERMINATED,
    TRANSITIONS,
    DeliveryError,
    Timer,
    apply,
    settle,
)

T0 = dt.datetime(2022, 5, 25, 1, 0, tzinfo=dt.UTC)
LIMIT = 80 * 60


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def running() -> Timer:
    t = apply(Timer(AWAITING, LIMIT), "authorise", at(0))
    return apply(t, "start", at(0))


@pytest.mark.parametrize("status", [AWAITING, AUTHORISED, IN_PROGRESS, PAUSED, COMPLETED, TERMINATED])
@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_every_transition_allowed_or_refused(status: str, action: str) -> None:
    sources, target = TRANSITIONS[action]
    t = Timer(status, LIMIT, running_since=at(0) if status == IN_PROGRESS else None)
    kwargs = {"reason": "停电", "extra": dt.timedelta(minutes=5)}
    if status in sources:
        after = apply(t, action, at(10), **kwargs)  # type: ignore[arg-type]
        if target is not None:
            assert after.status == target
    else:
        with pytest.raises(DeliveryError, match=f"不能“{ACTION_LABELS[action]}”"):
            apply(t, action, at(10), **kwargs)  # type: ignore[arg-type]


def test_pause_stops_the_clock_and_keeps_the_remaining_time() -> None:
    t = running()
    assert t.remaining(at(30)) == LIMIT - 30 * 60
    t = apply(t, "pause", at(30), reason="停电")
    assert t.running_since is None and t.elapsed_seconds == 30 * 60
    assert t.remaining(at(30)) == t.remaining(at(75)) == 50 * 60  # 45 minutes of power cut cost nothing
    t = apply(t, "resume", at(75))
    assert t.remaining(at(85)) == 40 * 60


def test_extra_time_needs_a_reason_and_is_capped() -> None:
    t = running()
    with pytest.raises(DeliveryError, match="必须填写原因"):
        apply(t, "extend", at(10), extra=dt.timedelta(minutes=5))
    t = apply(t, "extend", at(10), extra=dt.timedelta(minutes=5), reason="计算机故障耽误")
    assert t.remaining(at(10)) == LIMIT + 300 - 600
    with pytest.raises(DeliveryError, match="累计不超过 60 分钟"):
        apply(t, "extend", at(11), extra=dt.timedelta(minutes=56), reason="x")


def test_terminate_needs_a_reason_and_stops_the_clock() -> None:
    t = running()
    with pytest.raises(DeliveryError, match="必须填写原因"):
        apply(t, "terminate", at(5))
    t = apply(t, "terminate", at(5), reason="违纪")
    assert t.status == TERMINATED and t.elapsed_seconds == 300 and t.running_since is None


def test_time_running_out_completes_at_that_moment() -> None:
    t = running()
    same, ended = settle(t, at(79))
    assert ended is None and same == t
    done, ended = settle(t, at(95))
    assert done.status == COMPLETED and ended == at(80) and done.elapsed_seconds == LIMIT
    with pytest.raises(DeliveryError):
        apply(t, "pause", at(95), reason="x")  # settled first: completed, cannot pause


def test_a_move_pauses_and_keeps_the_time() -> None:
    t = apply(running(), "move", at(20), reason="死机")
    assert t.status == PAUSED and t.remaining(at(40)) == 60 * 60
    t = apply(t, "resume", at(40))
    assert t.remaining(at(41)) == 59 * 60


def test_no_start_when_no_time_left() -> None:
    t = Timer(PAUSED, LIMIT, elapsed_seconds=LIMIT)
    with pytest.raises(DeliveryError, match="作答时间已用完"):
        apply(t, "resume", at(0))


def test_a_refusal_carries_its_template_and_codes_for_translation() -> None:
    from jiance_core.cbt.delivery import DeliveryError

    exc = DeliveryError("该学生现为“%(status)s”，不能“%(action)s”", status="paused", action="pause")
    assert str(exc) == "该学生现为“已暂停”，不能“暂停”"
    assert exc.template.startswith("该学生现为") and exc.params == {"status": "paused", "action": "pause"}
