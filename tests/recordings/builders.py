"""The cbt lab (a computer room on test day) with recording tasks added to the example bank, and
the sounds the tests send: generated with numpy and encoded to WebM/Opus with PyAV, as a browser's
MediaRecorder would."""

from __future__ import annotations

import functools
import hashlib
import json

import numpy as np

from jiance.cbt.models import Delivery
from jiance.cbt.services.bank import bank_import
from jiance_core.recordings import audio
from tests.cbt.builders import EXAMPLE, Lab, at
from tests.cbt.test_services import act, login, tech

SPEAKING = {"identifier": "R-SPK-01", "title": "朗读", "prompt": "【示例题目】Read the passage aloud: My school.",
            "interaction": {"type": "recordingInteraction", "kind": "speaking", "prepSeconds": 0,
                            "maxSeconds": 20, "attempts": 2}}
SINGING = {"identifier": "R-SING-01", "title": "演唱", "prompt": "【示例题目】演唱《歌唱祖国》第一段。",
           "interaction": {"type": "recordingInteraction", "kind": "singing", "prepSeconds": 2,
                           "maxSeconds": 30, "attempts": 1, "checks": {"minSeconds": 5}}}


def bank_with_tasks() -> bytes:
    data = json.loads(EXAMPLE.read_text())
    data["items"] += [SPEAKING, SINGING]
    for form in data["forms"]:
        form["items"] += [SPEAKING["identifier"], SINGING["identifier"]]
    return json.dumps(data, ensure_ascii=False).encode()


def with_tasks(s: Lab) -> Lab:
    bank_import(cycle=s.cycle, content=bank_with_tasks(), filename="math-rec.json", actor=None)
    return s


def started(s: Lab, seat: int = 1) -> Delivery:
    tech(s, "prepare", at(8, 50))
    d = login(s, seat, at(8, 52))
    act(s, d, "authorise", at(8, 53))
    tech(s, "start", at(9, 0))
    d.refresh_from_db()
    from jiance import clock
    from jiance.cbt.services.student import student_start

    with clock.frozen(at(9, 1)):
        student_start(delivery=d)
    d.refresh_from_db()
    return d


@functools.cache
def sound(name: str) -> bytes:
    """A tone, silence, a clipped tone, a too-short tone (WebM/Opus); an AAC tone in MP4."""
    rate = 48000
    if name == "tone":
        return audio.encode(audio.tone(6, rate=rate))
    if name == "tone2":
        return audio.encode(audio.tone(7, rate=rate, freq=330))
    if name == "silent":
        return audio.encode(np.zeros(rate * 6, np.float32))
    if name == "clipped":
        return audio.encode(audio.tone(6, rate=rate, amplitude=4.0))
    if name == "short":
        return audio.encode(audio.tone(1.5, rate=rate))
    if name == "mp4":
        return audio.encode(audio.tone(6, rate=rate), container="mp4", codec="aac")
    raise KeyError(name)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
