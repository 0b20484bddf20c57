"""The check of a recording's sound on generated audio encoded as a browser would (WebM/Opus,
MP4/AAC): a tone passes; silence, clipping, a too-short file fail with their reason; a file that
does not decode is refused; thresholds from the cycle and the task lay over the defaults; the
task's fields are checked as part of a cbt bank."""

from __future__ import annotations

import numpy as np
import pytest

from jiance_core.cbt.items import BankError, check_bank, read_response
from jiance_core.recordings import audio, checks
from jiance_core.recordings.tasks import is_task, task_of

RATE = 48000
LIMITS = checks.Thresholds()


def judged(samples: np.ndarray, **kw: object) -> checks.Result:
    d = audio.decode(audio.encode(samples, RATE, **kw))  # type: ignore[arg-type]
    return checks.check_samples(d.samples, d.rate, limits=LIMITS, max_seconds=30)


def test_a_tone_passes_with_its_duration() -> None:
    r = judged(audio.tone(6))
    assert r.passed and abs(r.duration - 6) < 0.1 and r.silence < 0.05 and r.clipped == 0


def test_aac_in_mp4_decodes_too() -> None:
    d = audio.decode(audio.encode(audio.tone(4), RATE, container="mp4", codec="aac"))
    assert d.codec == "aac" and abs(len(d.samples) / d.rate - 4) < 0.1


def test_silence_fails() -> None:
    r = judged(np.zeros(RATE * 6, np.float32))
    assert not r.passed and r.silence == 1.0 and "无声" in r.problems[0]


def test_mostly_silent_fails_and_half_silent_passes() -> None:
    mostly = np.concatenate([audio.tone(0.5), np.zeros(RATE * 6, np.float32)])
    half = np.concatenate([audio.tone(3), np.zeros(RATE * 3, np.float32)])
    assert not judged(mostly).passed
    assert judged(half).passed


def test_clipping_fails() -> None:
    r = judged(audio.tone(6, amplitude=4.0))
    assert not r.passed and r.clipped > 0.1 and any("削波" in p for p in r.problems)


def test_too_short_and_too_long_fail() -> None:
    short = judged(audio.tone(1.5))
    assert not short.passed and "太短" in short.problems[0]
    samples = audio.tone(40)
    d = audio.decode(audio.encode(samples, RATE))
    long = checks.check_samples(d.samples, d.rate, limits=LIMITS, max_seconds=30)
    assert not long.passed and "太长" in long.problems[0]


def test_undecodable_refused() -> None:
    with pytest.raises(audio.AudioError):
        audio.decode(b"\x1aE\xdf\xa3" + b"garbage" * 100)
    with pytest.raises(audio.AudioError):
        audio.decode(b"")


def test_thresholds_task_over_cycle_over_defaults() -> None:
    limits = checks.Thresholds().over({"minSeconds": 10, "maxSilence": 0.5}).over({"minSeconds": 2})
    assert limits.min_seconds == 2 and limits.max_silence == 0.5 and limits.max_clipped == 0.01
    r = checks.check_samples(audio.tone(3), RATE, limits=checks.Thresholds().over({"minSeconds": 5}), max_seconds=30)
    assert not r.passed


def test_task_state() -> None:
    assert checks.task_state([], marked=False) == checks.NOT_STARTED
    assert checks.task_state([], marked=True) == checks.RECORDED
    assert checks.task_state([{"state": "failed"}], marked=True) == checks.RECORDED
    assert checks.task_state([{"state": "failed"}, {"state": "checked"}], marked=False) == checks.CHECKED


def _bank(interaction: dict) -> dict:
    return {"format": "jiance-cbt/1", "subject": "english", "example": True,
            "items": [{"identifier": "R1", "prompt": "Read aloud.", "interaction": interaction}],
            "forms": [{"number": 1, "items": ["R1"]}]}


def test_recording_task_in_a_bank() -> None:
    bank = check_bank(_bank({"type": "recordingInteraction", "kind": "singing", "prepSeconds": 30,
                             "maxSeconds": 60, "attempts": 2, "checks": {"minSeconds": 10}}))
    task = task_of(bank.items["R1"])
    assert is_task(bank.items["R1"]) and task.kind_label == "演唱" and task.attempts == 2 and task.checks == {
        "minSeconds": 10.0}
    with pytest.raises(BankError) as exc:
        check_bank(_bank({"type": "recordingInteraction", "kind": "dance", "maxSeconds": 1000, "attempts": 0,
                          "checks": {"loud": 1}}))
    text = "\n".join(exc.value.problems)
    for field in ("interaction.kind", "interaction.maxSeconds", "interaction.attempts", "interaction.checks"):
        assert f"题目 R1：字段 {field}" in text
    with pytest.raises(ValueError, match="录音页"):
        read_response(bank.items["R1"], "x")
