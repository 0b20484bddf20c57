"""The student's PC: `/cbt/pc/<room>/<seat>/` is opened on each PC by the technician when the
session is prepared. Before the slip sign-in the page tells nothing about the room (the same page
for any room and seat, existing or not); afterwards it serves only the signed-in delivery, and
only on the PC the server has it on now: a PC the student was moved away from is refused with the
PC to go to. Items are rendered on the server; responses are saved one at a time through the
offline queue of `static/cbt/deliver.js` (client id, sequence number; `jiance.offline`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiance import clock
from jiance.cbt.forms import LoginForm
from jiance.cbt.models import BankMedia, CbtError, Delivery, ItemBank
from jiance.cbt.services.student import (
    delivery_at,
    response_save,
    student_login,
    student_start,
    student_submit,
)
from jiance.offline import queued_reply
from jiance.saving import save_request, saved_reply
from jiance_core.cbt import delivery as core
from jiance_core.cbt.items import public_item

SESSION_KEY = "cbt_pc"


def _held(request: HttpRequest, test_room_id: int, seat: int) -> Delivery | None:
    """The delivery this browser holds at this PC; CbtError for a stale PC; None when not signed in."""
    held = request.session.get(SESSION_KEY)
    if not held:
        return None
    return delivery_at(pk=int(held["delivery"]), token=str(held["token"]), room_id=test_room_id, seat_number=seat)


def _state(delivery: Delivery) -> dict[str, Any]:
    now = clock.now()
    return {"status": delivery.status, "label": core.LABELS[delivery.status],
            "remaining": delivery.remaining(now), "sitting": delivery.sitting.status, "version": delivery.version}


@never_cache
@require_http_methods(["GET", "POST"])
def pc(request: HttpRequest, test_room_id: int, seat: int) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            delivery = student_login(room_id=test_room_id, seat_number=seat, login=form.cleaned_data["login"],
                                     code=form.cleaned_data["code"])
        except CbtError as exc:
            form.add_error(None, str(exc))
        else:
            request.session.cycle_key()
            request.session[SESSION_KEY] = {"delivery": delivery.pk, "token": delivery.token}
            return redirect("cbt:pc", test_room_id=test_room_id, seat=seat)
    try:
        held = _held(request, test_room_id, seat) if request.method == "GET" else None
    except CbtError as exc:
        request.session.pop(SESSION_KEY, None)
        return render(request, "cbt/pc_refused.html", {"reason": str(exc), "seat": seat}, status=409)
    if held is None:
        return render(request, "cbt/pc_login.html", {"form": form, "seat": seat})
    return _test_page(request, held, test_room_id, seat)


def _test_page(request: HttpRequest, delivery: Delivery, test_room_id: int, seat: int) -> HttpResponse:
    settle_now(delivery)
    bank = ItemBank.objects.get(cycle=delivery.sitting.cycle, subject=delivery.sitting.subject)
    answers = dict(delivery.responses.values_list("name", "value"))
    items = []
    for n, item in enumerate(bank.form_items(delivery.booklet), start=1):
        shown = public_item(item)
        value = answers.get(item["identifier"])
        shown["number"] = n
        shown["value"] = value
        shown["values"] = value if isinstance(value, list) else ([value] if value else [])
        items.append(shown)
    subjects = {str(s.get("code")): str(s.get("name")) for s in (delivery.sitting.cycle.config or {}).get("subjects") or []}
    return render(request, "cbt/pc_test.html", {
        "delivery": delivery, "items": items, "state": _state(delivery), "seat": seat, "room_id": test_room_id,
        "subject": subjects.get(delivery.sitting.subject, delivery.sitting.subject),
        "answered": sum(1 for v in answers.values() if v not in (None, "", [])),
        "writable": delivery.status == core.IN_PROGRESS, "items_values": answers,
    })


def settle_now(delivery: Delivery) -> None:
    """A delivery whose time ran out shows as completed (in memory: a GET never writes)."""
    delivery.settled_view(clock.now())


def _act(request: HttpRequest, test_room_id: int, seat: int, act: Any) -> HttpResponse:
    """Start or hand in; back to the PC page, which shows the sign-in form or a stale PC's
    refusal itself (no message is left behind for a browser that holds no delivery here)."""
    try:
        delivery = _held(request, test_room_id, seat)
    except CbtError:
        delivery = None
    if delivery is not None:
        try:
            act(delivery)
        except CbtError as exc:
            messages.error(request, str(exc))
    return redirect("cbt:pc", test_room_id=test_room_id, seat=seat)


@require_POST
def start(request: HttpRequest, test_room_id: int, seat: int) -> HttpResponse:
    return _act(request, test_room_id, seat, lambda d: student_start(delivery=d))


@require_POST
def submit(request: HttpRequest, test_room_id: int, seat: int) -> HttpResponse:
    return _act(request, test_room_id, seat, lambda d: student_submit(delivery=d))


@require_POST
def save(request: HttpRequest, test_room_id: int, seat: int) -> HttpResponse:
    """One response: 200 "已保存" after the commit, 409 with the reason (`jiance.offline`)."""
    posted = save_request(request)
    if isinstance(posted, HttpResponse):
        return posted
    try:
        delivery = _held(request, test_room_id, seat)
        if delivery is None:
            raise CbtError(_("请用登录条重新登录，答案未保存"))
        saved = response_save(delivery=delivery, token=request.session[SESSION_KEY]["token"],
                              name=posted.name, raw=posted.raw, seq=posted.seq,
                              client_id=posted.client_id, at=posted.at)
    except CbtError as exc:
        return queued_reply(str(exc), refused=True)
    return saved_reply(saved)


@never_cache
@require_GET
def state(request: HttpRequest, test_room_id: int, seat: int) -> HttpResponse:
    """The delivery's state and the time left, on the server's clock (the page re-reads it)."""
    try:
        delivery = _held(request, test_room_id, seat)
    except CbtError as exc:
        return JsonResponse({"refused": str(exc)}, status=409)
    if delivery is None:
        return JsonResponse({"refused": _("请用登录条重新登录")}, status=409)
    settle_now(delivery)
    return JsonResponse(_state(delivery))


@require_GET
def media(request: HttpRequest, test_room_id: int, seat: int, media: str) -> HttpResponse:
    """An image or sound of the signed-in student's bank (nobody else's)."""
    try:
        delivery = _held(request, test_room_id, seat)
    except CbtError:
        delivery = None
    row = None
    if delivery is not None:
        row = BankMedia.objects.filter(bank__cycle=delivery.sitting.cycle, bank__subject=delivery.sitting.subject,
                                       href=f"media/{media}").first()
    if row is None:
        return HttpResponse(status=404)
    response = HttpResponse(bytes(row.data), content_type=row.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    if row.content_type == "image/svg+xml":
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
