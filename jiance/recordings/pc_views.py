"""The student's recording page on the PC of their seat: `/recordings/pc/<room>/<seat>/`, opened
from the test page (`cbt/pc_test.html` links it when the booklet holds recording tasks). The
student is the one signed in with the slip at that PC (`jiance.cbt.pc_views.SESSION_KEY`); a stale
PC gets cbt's refusal. The page checks the headset first, then records each task in the browser
(`static/recordings/record.js`), keeps every recording in IndexedDB until the server acknowledged
it, and sends it with an idempotent PUT named by its SHA-256."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiance.cbt.models import CbtError, Delivery
from jiance.cbt.pc_views import SESSION_KEY, settle_now
from jiance.cbt.services.student import delivery_at
from jiance.files import StorageError
from jiance.recordings.models import STATE_LABELS, Recording, RecordingError, RecordingMark
from jiance.recordings.services.upload import MAX_BYTES, recording_mark, recording_receive, tasks_of
from jiance_core.cbt import delivery as cbt_core
from jiance_core.recordings import checks

logger = logging.getLogger(__name__)

SHA256_LENGTH = 64


def _held(request: HttpRequest, test_room_id: int, seat: int) -> Delivery | None:
    held = request.session.get(SESSION_KEY)
    if not held:
        return None
    return delivery_at(pk=int(held["delivery"]), token=str(held["token"]), room_id=test_room_id, seat_number=seat)


def _status(delivery: Delivery) -> list[dict[str, Any]]:
    recs: dict[str, list[Recording]] = {}
    for r in Recording.objects.filter(delivery=delivery).order_by("attempt"):
        recs.setdefault(r.task, []).append(r)
    marks = set(RecordingMark.objects.filter(delivery=delivery).values_list("task", flat=True))
    out = []
    for t in tasks_of(delivery):
        done = recs.get(t.identifier, [])
        state = checks.task_state([{"state": r.state} for r in done], marked=t.identifier in marks)
        out.append({"task": t.identifier, "state": state, "label": str(STATE_LABELS[state]),
                    "attempts": t.attempts, "used": len(done), "recordings": [r.summary() for r in done]})
    return out


@never_cache
@require_GET
def record(request: HttpRequest, test_room_id: int, seat: int) -> HttpResponse:
    try:
        delivery = _held(request, test_room_id, seat)
    except CbtError as exc:
        return render(request, "cbt/pc_refused.html", {"reason": str(exc), "seat": seat}, status=409)
    if delivery is None:
        return redirect("cbt:pc", test_room_id=test_room_id, seat=seat)
    settle_now(delivery)
    tasks = tasks_of(delivery)
    status = {s["task"]: s for s in _status(delivery)}
    return render(request, "recordings/pc_record.html", {
        "delivery": delivery, "room_id": test_room_id, "seat": seat,
        "tasks": [(n, t, status[t.identifier]) for n, t in enumerate(tasks, start=1)],
        "writable": delivery.status == cbt_core.IN_PROGRESS, "rec_text": _texts(),
    })


def _texts() -> dict[str, str]:
    """What record.js says (translated here, so the script holds no text of its own)."""
    return {"prep": _("准备时间"), "rec": _("正在录音"), "sending": _("录音已保存在本机，正在上传…"),
            "kept": _("网络不通，录音保存在本机，联网后自动上传"), "again": _("请重新录音"),
            "none_left": _("录音次数已用完"), "no_mic": _("找不到麦克风，请举手请监测员检查耳机"),
            "testing": _("正在试录 3 秒，请说话…"), "listen": _("请听回放，能听到自己的声音就点“耳机正常”"),
            "used": _("已录 {u} 次 / 共 {a} 次"), "ok": _("耳机正常")}


def _refused(reason: str, status: int = 409) -> JsonResponse:
    return JsonResponse({"refused": reason}, status=status)


@never_cache
@require_GET
def status(request: HttpRequest, test_room_id: int, seat: int) -> HttpResponse:
    try:
        delivery = _held(request, test_room_id, seat)
    except CbtError as exc:
        return _refused(str(exc))
    if delivery is None:
        return _refused("请用登录条重新登录")
    return JsonResponse({"status": delivery.status, "tasks": _status(delivery)})


@require_POST
def mark(request: HttpRequest, test_room_id: int, seat: int, task: str) -> HttpResponse:
    """The browser made a recording of `task` and holds it until the upload is acknowledged."""
    sha = request.POST.get("sha256", "")
    try:
        delivery = _held(request, test_room_id, seat)
        if delivery is None or len(sha) != SHA256_LENGTH:
            return _refused("请用登录条重新登录")
        recording_mark(delivery=delivery, token=request.session[SESSION_KEY]["token"], task=task, sha256=sha)
    except (CbtError, RecordingError) as exc:
        return _refused(str(exc))
    return JsonResponse({"ok": True})


@require_http_methods(["PUT"])
def upload(request: HttpRequest, test_room_id: int, seat: int, task: str, sha256: str) -> HttpResponse:
    """PUT the recording's bytes under its SHA-256: 201 for a new recording, 200 for the same bytes
    again, after the commit, with the check's result; 409/413/422 with the reason; 507 (storage
    full) or 503 when the file cannot be kept: nothing recorded, the browser keeps it and sends again."""
    try:
        delivery = _held(request, test_room_id, seat)
        if delivery is None:
            return _refused("请用登录条重新登录，录音仍保存在本机")
        if len(sha256) != SHA256_LENGTH:
            return _refused("录音校验值无效", 422)
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BYTES:
            return _refused(f"录音文件超过 {MAX_BYTES // (1024 * 1024)} MB，请重新录音", 413)
        received = recording_receive(delivery=delivery, token=request.session[SESSION_KEY]["token"], task=task,
                                     sha256=sha256, content_type=request.content_type or "",
                                     data=request.body)
    except CbtError as exc:
        return _refused(str(exc))
    except RecordingError as exc:
        return _refused(str(exc), 422)
    except StorageError as exc:  # nothing was recorded (rolled back): the browser keeps it and sends again
        logger.error("recording upload refused: %s", exc)
        if exc.full:
            return _refused(_("服务器存储空间已满，录音没有上传，仍保存在本机，稍后会自动重新上传；请通知技术员。"), 507)
        return _refused(_("文件存储暂时无法写入，录音没有上传，仍保存在本机，稍后会自动重新上传；请通知技术员。"), 503)
    r = received.recording
    return JsonResponse({**r.summary(), "repeated": received.repeated, "attempts_left": received.attempts_left},
                        status=200 if received.repeated else 201)
