"""The delivery of a test to one student, as proctoring systems such as TAO run it:

    awaiting → authorised → in progress ⇄ paused → completed | terminated (with a reason)

The clock is the server's. A delivery keeps the seconds it has run (`elapsed`) and, while it runs,
the moment it started running (`running_since`); pausing folds the running time into `elapsed`
and stops the clock. Nothing the client sends moves the clock, so the remaining time survives a
pause, a crash of the student's PC and a move to a spare PC: it is always
`limit + extra - elapsed - (now - running_since)`. A delivery in progress whose time is up is
completed at the moment its time ran out (`settle`).

Pure functions on a small record; the Django model carries the same fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

AWAITING = "awaiting"
AUTHORISED = "authorised"
IN_PROGRESS = "in_progress"
PAUSED = "paused"
COMPLETED = "completed"
TERMINATED = "terminated"
FINAL = (COMPLETED, TERMINATED)
LIVE = (AWAITING, AUTHORISED, IN_PROGRESS, PAUSED)

LABELS = {AWAITING: "等待授权", AUTHORISED: "已授权", IN_PROGRESS: "作答中", PAUSED: "已暂停",
          COMPLETED: "已交卷", TERMINATED: "已终止"}
ACTION_LABELS = {"authorise": "授权", "start": "开始作答", "pause": "暂停", "resume": "继续", "complete": "交卷",
                 "terminate": "终止", "extend": "延长时间", "move": "换机"}

# action -> (states it may be taken from, state it leads to; None: unchanged)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "authorise": ((AWAITING,), AUTHORISED),
    "start": ((AUTHORISED,), IN_PROGRESS),
    "pause": ((IN_PROGRESS,), PAUSED),
    "resume": ((PAUSED,), IN_PROGRESS),
    "complete": ((IN_PROGRESS, PAUSED), COMPLETED),
    "terminate": (LIVE, TERMINATED),
    "extend": (LIVE, None),
    "move": (LIVE, None),
}
NEEDS_REASON = ("terminate", "extend", "move")
MAX_EXTRA = dt.timedelta(minutes=60)


class DeliveryError(ValueError):
    """A refused transition, in Chinese. `template` (the msgid for the Django layer to translate)
    with `params` (a state code as `status`, an action code as `action`) makes the same text."""

    def __init__(self, template: str, **params: str) -> None:
        self.template, self.params = template, params
        names = {"status": LABELS, "action": ACTION_LABELS}
        super().__init__(template % {k: names.get(k, {}).get(v, v) for k, v in params.items()})


@dataclass(frozen=True)
class Timer:
    status: str
    limit_seconds: int
    extra_seconds: int = 0
    elapsed_seconds: int = 0
    running_since: dt.datetime | None = None

    def used(self, now: dt.datetime) -> int:
        running = int((now - self.running_since).total_seconds()) if self.running_since else 0
        return self.elapsed_seconds + max(0, running)

    def remaining(self, now: dt.datetime) -> int:
        return max(0, self.limit_seconds + self.extra_seconds - self.used(now))

    def expires_at(self) -> dt.datetime | None:
        """When a running delivery's time runs out (None when stopped)."""
        if self.running_since is None:
            return None
        left = self.limit_seconds + self.extra_seconds - self.elapsed_seconds
        return self.running_since + dt.timedelta(seconds=max(0, left))


def _stopped(t: Timer, at: dt.datetime) -> Timer:
    total = min(t.used(at), t.limit_seconds + t.extra_seconds)
    return replace(t, elapsed_seconds=total, running_since=None)


def settle(t: Timer, now: dt.datetime) -> tuple[Timer, dt.datetime | None]:
    """A delivery in progress whose time has run out is completed at the moment it ran out;
    returns the timer and that moment (None when nothing changed)."""
    end = t.expires_at()
    if t.status == IN_PROGRESS and end is not None and end <= now:
        return replace(_stopped(t, end), status=COMPLETED), end
    return t, None


def apply(t: Timer, action: str, now: dt.datetime, *, extra: dt.timedelta | None = None,
          reason: str = "") -> Timer:
    """The timer after `action` at `now`, or `DeliveryError`."""
    if action not in TRANSITIONS:
        raise DeliveryError("未知的操作")
    t, _ended = settle(t, now)
    sources, target = TRANSITIONS[action]
    if t.status not in sources:
        raise DeliveryError("该学生现为“%(status)s”，不能“%(action)s”", status=t.status, action=action)
    if action in NEEDS_REASON and not reason.strip():
        raise DeliveryError("“%(action)s”必须填写原因", action=action)
    if action == "extend":
        if extra is None or extra <= dt.timedelta(0) or dt.timedelta(seconds=t.extra_seconds) + extra > MAX_EXTRA:
            raise DeliveryError("延长时间须为正数，累计不超过 60 分钟")
        return replace(t, extra_seconds=t.extra_seconds + int(extra.total_seconds()))
    if action == "move":
        # the old PC stops counting at once; the student continues on the spare where the server says
        return replace(_stopped(t, now), status=PAUSED) if t.status == IN_PROGRESS else t
    if action in ("pause", "complete", "terminate"):
        t = _stopped(t, now) if t.running_since else t
    if action in ("start", "resume"):
        if t.remaining(now) <= 0:
            raise DeliveryError("作答时间已用完")
        t = replace(t, running_since=now)
    assert target is not None
    return replace(t, status=target)
