"""Receiving recordings (frozen clock): the same bytes twice are one recording; the sound check
passes a tone and fails silence, clipping and a too-short file with its reason; a failed check
leaves an attempt while attempts remain, none after; a recording that passed closes the task;
the file lies under the media root, never in the database; refusals (stale PC, wrong hash,
undecodable, foreign task, not started) store nothing."""

from __future__ import annotations

import pytest

from jiance import clock, files
from jiance.audit.models import AuditEntry
from jiance.cbt.models import Delivery
from jiance.recordings import storage
from jiance.recordings.models import Recording, RecordingError, RecordingMark
from jiance.recordings.services.upload import recording_mark, recording_receive
from tests.cbt.builders import Lab, at
from tests.cbt.test_services import login, tech
from tests.recordings.builders import sha, sound, started

pytestmark = pytest.mark.django_db


def send(d: Delivery, task: str, name: str, *, token: str | None = None, digest: str | None = None,
         content_type: str = "audio/webm;codecs=opus") -> object:
    data = sound(name)
    with clock.frozen(at(9, 5)):
        return recording_receive(delivery=d, token=token or d.token, task=task, sha256=digest or sha(data),
                                 content_type=content_type, data=data)


def test_same_bytes_twice_are_one_recording_and_a_tone_passes(s: Lab, media_root: object) -> None:
    d = started(s)
    first = send(d, "R-SPK-01", "tone")
    again = send(d, "R-SPK-01", "tone")
    assert not first.repeated and again.repeated and first.recording.pk == again.recording.pk  # type: ignore[attr-defined]
    row = Recording.objects.get()
    assert row.state == "checked" and row.attempt == 1 and abs((row.duration or 0) - 6) < 0.1 and row.codec == "opus"
    assert storage.read(row.path) == sound("tone") and (media_root / "recordings" / row.path).is_file()  # type: ignore[operator]
    assert AuditEntry.objects.filter(action="recording.upload").count() == 1
    with pytest.raises(RecordingError, match="通过检查"):
        send(d, "R-SPK-01", "tone2")  # a task that passed is closed


@pytest.mark.parametrize(("name", "reason"), [("silent", "无声"), ("clipped", "削波"), ("short", "太短")])
def test_failed_checks_ask_again_while_attempts_remain(s: Lab, name: str, reason: str) -> None:
    d = started(s)
    r = send(d, "R-SPK-01", name)
    assert r.recording.state == "failed" and reason in r.recording.problems[0] and r.attempts_left == 1  # type: ignore[attr-defined]
    r = send(d, "R-SPK-01", "tone")
    assert r.recording.state == "checked" and r.recording.attempt == 2 and r.attempts_left == 0  # type: ignore[attr-defined]


def test_attempts_run_out(s: Lab) -> None:
    d = started(s)
    r = send(d, "R-SING-01", "short")  # one attempt only; the task asks for 5 seconds at least
    assert r.recording.state == "failed" and r.attempts_left == 0  # type: ignore[attr-defined]
    with pytest.raises(RecordingError, match="最多录 1 次"):
        send(d, "R-SING-01", "tone")
    assert Recording.objects.count() == 1


def test_mp4_aac_accepted(s: Lab) -> None:
    d = started(s)
    r = send(d, "R-SPK-01", "mp4", content_type="audio/mp4")
    assert r.recording.state == "checked" and r.recording.path.endswith(".m4a")  # type: ignore[attr-defined]


def test_refusals_store_nothing(s: Lab) -> None:
    d = started(s)
    with pytest.raises(RecordingError, match="校验值不符"):
        send(d, "R-SPK-01", "tone", digest="0" * 64)
    with pytest.raises(RecordingError, match="已关闭"):
        send(d, "R-SPK-01", "tone", token="stale")
    with pytest.raises(RecordingError, match="没有录音题"):
        send(d, "EX-M-001", "tone")
    with pytest.raises(RecordingError, match="格式不支持"):
        send(d, "R-SPK-01", "tone", content_type="video/x-msvideo")
    with clock.frozen(at(9, 5)), pytest.raises(RecordingError, match="无法解码"):
        recording_receive(delivery=d, token=d.token, task="R-SPK-01", sha256=sha(b"x" * 500),
                          content_type="audio/webm", data=b"x" * 500)
    assert not Recording.objects.exists() and not files.names(storage.FOLDER)


def test_not_before_the_start(s: Lab) -> None:
    tech(s, "prepare", at(8, 50))
    d = login(s, 1, at(8, 52))
    with pytest.raises(RecordingError, match="等待授权"):
        send(d, "R-SPK-01", "tone")


def test_mark_says_recorded_until_the_upload(s: Lab) -> None:
    d = started(s)
    data = sound("tone")
    with clock.frozen(at(9, 4)):
        recording_mark(delivery=d, token=d.token, task="R-SPK-01", sha256=sha(data))
    assert RecordingMark.objects.filter(delivery=d, task="R-SPK-01").exists()
    send(d, "R-SPK-01", "tone")
    assert not RecordingMark.objects.exists()
