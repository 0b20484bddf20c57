"""Receiving a student's recording: the content check (it must decode), the idempotent store
(the same bytes twice are one recording; the reply comes after the commit) and the sound check
(duration, silence, clipping) that asks for a re-recording while attempts remain."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from jiance import clock
from jiance.audit.services import audit_record
from jiance.cbt.models import Delivery, ItemBank
from jiance.recordings import storage
from jiance.recordings.models import Recording, RecordingError, RecordingMark, RecordingState
from jiance_core.cbt import delivery as cbt_core
from jiance_core.recordings import audio, checks
from jiance_core.recordings.tasks import Task, is_task, task_of

MAX_BYTES = 20 * 1024 * 1024
# A recording may be sent while the test runs or is paused, and after it ended (a reload after the
# end sends what the browser kept); never before the start or after a termination.
ACCEPTING = (cbt_core.IN_PROGRESS, cbt_core.PAUSED, cbt_core.COMPLETED)


def tasks_of(delivery: Delivery) -> list[Task]:
    """The recording tasks of the delivery's booklet, in booklet order."""
    bank = ItemBank.objects.filter(cycle=delivery.sitting.cycle, subject=delivery.sitting.subject).first()
    if bank is None:
        return []
    return [task_of(item) for item in bank.form_items(delivery.booklet) if is_task(item)]


def thresholds_for(cycle_config: dict[str, Any] | None, task: Task) -> checks.Thresholds:
    cycle_checks = ((cycle_config or {}).get("recordings") or {}).get("checks")
    return checks.Thresholds().over(cycle_checks).over(task.checks)


def _task(delivery: Delivery, name: str) -> Task:
    for task in tasks_of(delivery):
        if task.identifier == name:
            return task
    raise RecordingError(f"你的题本中没有录音题“{name}”，请刷新页面")


@dataclass(frozen=True)
class Received:
    recording: Recording
    repeated: bool
    attempts_left: int


def _locked(delivery: Delivery, token: str) -> Delivery:
    d = Delivery.objects.select_for_update(of=("self",)).select_related("sitting", "sitting__school",
                                                                         "sitting__cycle").get(pk=delivery.pk)
    if d.token != token:
        raise RecordingError("本机的作答已关闭（换机或重新登录），录音未保存")
    return d


@transaction.atomic
def recording_mark(*, delivery: Delivery, token: str, task: str, sha256: str) -> None:
    """The browser holds a recording of `task` not yet acknowledged (shown as "已录音")."""
    d = _locked(delivery, token)
    _task(d, task)
    if Recording.objects.filter(delivery=d, task=task, sha256=sha256).exists():
        return
    RecordingMark.objects.update_or_create(delivery=d, task=task,
                                           defaults={"sha256": sha256[:64], "marked_at": clock.now()})


def recording_receive(*, delivery: Delivery, token: str, task: str, sha256: str, content_type: str,
                      data: bytes) -> Received:
    """Check the bytes, store them once, check the sound. RecordingError for a refusal."""
    kind = audio.base_type(content_type)
    if kind not in storage.EXTENSIONS:
        raise RecordingError("录音格式不支持（只收 WebM/Opus、MP4/AAC、Ogg），请换用 Chrome 或 Edge 浏览器")
    if not data:
        raise RecordingError("录音为空，请重新录音")
    if len(data) > MAX_BYTES:
        raise RecordingError(f"录音文件超过 {MAX_BYTES // (1024 * 1024)} MB，请重新录音")
    if hashlib.sha256(data).hexdigest() != sha256.lower():
        raise RecordingError("录音在传输中受损（校验值不符），将自动重新上传")
    try:
        decoded = audio.decode(data)
    except audio.AudioError as exc:
        raise RecordingError(str(exc)) from exc
    received = _store(delivery=delivery, token=token, task=task, sha256=sha256.lower(), content_type=kind, data=data)
    if received.recording.state == RecordingState.UPLOADED:
        received = _judge(received, decoded)
    return received


@transaction.atomic
def _store(*, delivery: Delivery, token: str, task: str, sha256: str, content_type: str, data: bytes) -> Received:
    d = _locked(delivery, token)
    spec = _task(d, task)
    done = list(Recording.objects.filter(delivery=d, task=task).order_by("attempt"))
    same = next((r for r in done if r.sha256 == sha256), None)
    if same is not None:
        return Received(same, repeated=True, attempts_left=max(0, spec.attempts - len(done)))
    if d.status not in ACCEPTING:
        raise RecordingError(f"本场测试{d.get_status_display()}，录音未保存")
    if any(r.state == RecordingState.CHECKED for r in done):
        raise RecordingError("本题的录音已通过检查，不能再录")
    if len(done) >= spec.attempts:
        raise RecordingError(f"本题最多录 {spec.attempts} 次，次数已用完")
    attempt = len(done) + 1
    now = clock.now()
    relative = storage.relative_path(cycle=d.sitting.cycle.code, school=d.sitting.school.code, delivery=d.pk,
                                     task=task, attempt=attempt, sha256=sha256, content_type=content_type)
    storage.write(relative, data)  # files.StorageError (a full disk): nothing written yet, rolled back
    try:
        row = Recording.objects.create(delivery=d, task=task, attempt=attempt, sha256=sha256,
                                       content_type=content_type, size=len(data), path=relative, uploaded_at=now)
        RecordingMark.objects.filter(delivery=d, task=task).delete()
        audit_record(action="recording.upload", obj=row, unit=d.sitting.school, actor=None,
                     after={"task": task, "attempt": attempt, "sha256": sha256, "size": len(data)})
    except Exception:  # the transaction rolls back: the file must not stay without its row
        storage.remove(relative)
        raise
    return Received(row, repeated=False, attempts_left=spec.attempts - attempt)


@transaction.atomic
def _judge(received: Received, decoded: audio.Decoded) -> Received:
    row = Recording.objects.select_for_update().select_related("delivery__sitting__cycle").get(
        pk=received.recording.pk)
    if row.state != RecordingState.UPLOADED:
        return Received(row, received.repeated, received.attempts_left)
    spec = _task(row.delivery, row.task)
    limits = thresholds_for(row.delivery.sitting.cycle.config, spec)
    result = checks.check_samples(decoded.samples, decoded.rate, limits=limits, max_seconds=spec.max_seconds)
    row.state = RecordingState.CHECKED if result.passed else RecordingState.FAILED
    row.duration, row.silence, row.clipped, row.peak_db = result.duration, result.silence, result.clipped, result.peak_db
    row.problems, row.codec, row.checked_at = result.problems, decoded.codec[:20], clock.now()
    row.save(update_fields=["state", "duration", "silence", "clipped", "peak_db", "problems", "codec", "checked_at"])
    return Received(row, received.repeated, received.attempts_left)
