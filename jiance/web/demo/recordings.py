"""Test-day demo, the spoken-English task of the computer room (phase "testday", 10:30).

The example English bank has one recording task (EX-E-R01, 朗读, 2 attempts). By 10:30 a few
students of the demo school's computer room have reached it: one recording passed the checks,
one was silent (headset unplugged) and failed with an attempt left, one student's recording was
failed and then passed at the second attempt, one has recorded and the PC has not yet sent the
file (已录音). The sounds are generated (tones and silence, WebM/Opus as Chromium's MediaRecorder
makes them) and go through the real upload service: kept in the file storage (jiance.files) and checked.
The monitoring page (`/recordings/…`, 录音监控) shows them to the school, the county and the city;
the county office (ncx.info) can play them."""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np

from jiance import clock
from jiance.cbt.models import Delivery
from jiance.recordings.services.upload import recording_mark, recording_receive, tasks_of
from jiance_core.cbt import delivery as cbt_core
from jiance_core.recordings import audio

TASK = "EX-E-R01"


def _send(d: Delivery, data: bytes, when: dt.datetime) -> None:
    d.refresh_from_db()
    with clock.frozen(when):
        recording_receive(delivery=d, token=d.token, task=TASK, sha256=hashlib.sha256(data).hexdigest(),
                          content_type="audio/webm;codecs=opus", data=data)


def build_recordings(*, working: list[Delivery], at: dt.datetime) -> dict[str, int]:
    """Recordings of the first working deliveries whose form holds the task (see the module)."""
    for d in working:
        d.refresh_from_db()
    with_task = [d for d in working
                 if d.status == cbt_core.IN_PROGRESS and any(t.identifier == TASK for t in tasks_of(d))]
    if len(with_task) < 4:
        return {}
    spoken = audio.encode(audio.tone(8, freq=220, amplitude=0.3))
    silent = audio.encode(np.zeros(48000 * 8, np.float32))
    passed, failed, retried, marked = with_task[:4]
    _send(passed, spoken, at)
    _send(failed, silent, at + dt.timedelta(seconds=20))
    _send(retried, silent, at + dt.timedelta(seconds=40))
    _send(retried, audio.encode(audio.tone(9, freq=262, amplitude=0.25)), at + dt.timedelta(minutes=1, seconds=20))
    marked.refresh_from_db()
    with clock.frozen(at + dt.timedelta(minutes=1, seconds=40)):
        recording_mark(delivery=marked, token=marked.token, task=TASK, sha256=hashlib.sha256(b"pending").hexdigest())
    return {"checked": 2, "failed": 2, "marked": 1}
