"""Thin views of test day in the rooms: permission → form → service → render.

Phone pages (the room's check-in and session control) post forms marked `data-queue`: the offline
queue (`static/jiance/queue.js`) sends them with their original time; `_acted` answers the queue
with `queued_reply` (200 after commit, 409 with the reason), a plain form with a message and a
redirect. Students are read only through `released_sample` (`selectors.room_sheet`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from jiance import clock
from jiance.accounts import roles
from jiance.accounts.scoping import get_scope
from jiance.cycles.models import Cycle
from jiance.cycles.selectors import current_cycle
from jiance.http import WASM_CSP
from jiance.offline import OfflineStampError, client_stamp, is_queued, queued_reply
from jiance.proctoring import selectors, services
from jiance.proctoring.forms import CancelForm, CheckInForm, ControlForm
from jiance.proctoring.models import ProctoringError, RunStatus
from jiance.proctoring.timekeeping import local_offset, school_signals
from jiance.testday.selectors import school_for, sessions_for
from jiance.units.models import Unit
from jiance_core.timekeeping import PAUSE_LIMIT

PAGE_SIZE = 50


def _acted(request: HttpRequest, back: str, act: Callable[[Any], object], done: str) -> HttpResponse:
    """Run a state change posted by a page or by the offline queue; answer each its own way."""
    try:
        stamp = client_stamp(request)
    except OfflineStampError as exc:
        if is_queued(request):
            return queued_reply(str(exc), refused=True)
        messages.error(request, str(exc))
        return redirect(back)
    try:
        act(stamp)
    except ProctoringError as exc:
        if stamp.queued:
            return queued_reply(str(exc), refused=True)
        messages.error(request, str(exc))
    else:
        if stamp.queued:
            return queued_reply(done)
        messages.success(request, done)
    return redirect(back)


def _form_error(request: HttpRequest, back: str, form: Any) -> HttpResponse:
    text = "；".join(str(e) for errs in form.errors.values() for e in errs)
    if is_queued(request):
        return queued_reply(text, refused=True)
    messages.error(request, text)
    return redirect(back)


def board_day(cycle: Cycle) -> dt.date:
    """The test day a school's board shows: today on a test day, else the next one (the last)."""
    today = clock.today()
    days = sorted(cycle.test_days)
    if not days or today in days:
        return today
    return next((d for d in days if d > today), days[-1])


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    school = roles.my_school(scope, (*roles.CHECKIN_STAFF, *roles.TIMEKEEPING))
    if school is not None and not scope.holds_at_level(roles.ROOM_WATCHERS, "county") \
            and not scope.holds(roles.CITY_AND_ABOVE):
        if scope.holds((roles.Role.TIMEKEEPER,), school) and not scope.holds(roles.CHECKIN_STAFF, school):
            return redirect("proctoring:timekeeper", code=school.code)
        return redirect("proctoring:school", code=school.code)
    if not scope.holds(roles.ROOM_WATCHERS):
        raise PermissionDenied
    cycle = current_cycle(scope=scope)
    now = clock.now()
    runs = selectors.with_session_names(cycle, list(selectors.watched_runs(scope=scope, cycle=cycle)[:200]))
    for r in runs:
        r.paused_minutes = int((now - r.paused_since).total_seconds() // 60) if r.paused_since else 0
        r.may_cancel = r.paused_since is not None and now - r.paused_since > PAUSE_LIMIT
    cases = Paginator(selectors.cases_for(scope=scope, cycle=cycle), PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.with_session_names(cycle, list(cases))
    return render(request, "proctoring/overview.html", {
        "cycle": cycle, "runs": runs, "now": now, "limit": PAUSE_LIMIT, "cases": cases,
        "named": selectors.visible_students(scope=scope, cycle=cycle,
                                            student_ids=[c.student_id for c in cases if c.student_id]),
        "can_cancel": scope.holds(roles.SESSION_CANCELLERS), "can_decide": scope.holds(roles.INSPECTORS),
        "cancel_form": CancelForm(),
    })


def _school(request: HttpRequest, code: str, allowed: tuple[str, ...]) -> Unit:
    scope = get_scope(request)
    school = school_for(scope=scope, code=code)
    scope.require(allowed, school)
    return school


@login_required
@require_GET
def school_page(request: HttpRequest, code: str) -> HttpResponse:
    school = _school(request, code, (*roles.CHECKIN_STAFF, *roles.TIMEKEEPING, *roles.ROOM_WATCHERS))
    scope = get_scope(request)
    cycle = current_cycle(scope=scope)
    day = board_day(cycle)
    cases = selectors.with_session_names(cycle, list(selectors.cases_for(scope=scope, cycle=cycle, school=school)[:100]))
    return render(request, "proctoring/school.html", {
        "school": school, "cycle": cycle, "day": day,
        "cells": selectors.school_board(scope=scope, cycle=cycle, school=school, day=day),
        "cases": cases, "named": selectors.visible_students(
            scope=scope, cycle=cycle, student_ids=[c.student_id for c in cases if c.student_id]),
        "can_record": scope.holds(roles.DISCIPLINE_RECORDERS, school),
        "can_decide": scope.holds(roles.INSPECTORS, school),
    })


def _room(request: HttpRequest, test_room_id: int, session: str) -> tuple[Any, Any]:
    scope = get_scope(request)
    room = selectors.room_get(scope=scope, pk=test_room_id)
    scope.require((*roles.CHECKIN_STAFF, *roles.ROOM_WATCHERS), room.school)
    try:
        line = services.session_line(room, session)
    except ProctoringError as exc:
        raise Http404(str(exc)) from exc
    return room, line


@login_required
@require_GET
@never_cache
@csp_update(WASM_CSP)  # type: ignore[arg-type]
def room_page(request: HttpRequest, test_room_id: int, session: str) -> HttpResponse:
    room, line = _room(request, test_room_id, session)
    scope = get_scope(request)
    run = selectors.run_of(room, session)
    rows = selectors.room_sheet(scope=scope, room=room, session=session, run=run)
    status = run.status if run else RunStatus.NOT_STARTED
    return render(request, "proctoring/room.html", {
        "room": room, "line": line, "run": run, "status": status, "rows": rows,
        "counts": selectors.sheet_counts(rows), "version": run.version if run else 0,
        "can_control": scope.holds(roles.ROOM_STAFF, room.school),
        "can_check": scope.holds(roles.CHECKIN_STAFF, room.school) and status not in (RunStatus.ENDED,
                                                                                       RunStatus.CANCELLED),
        "in_session": status in (RunStatus.IN_PROGRESS, RunStatus.PAUSED),
        "sessions": [s for s in sessions_for(room.cycle, room.stage) if s.day == line.day],
    })


def _room_posted(request: HttpRequest, test_room_id: int, session: str, form_class: Any, done: str,
                 act: Callable[[Any, dict[str, Any], Any], object]) -> HttpResponse:
    """A room page's post (from the page or the offline queue): the room, the form, then
    `act(room, cleaned_data, stamp)` through `_acted`; back to the room page."""
    room, _line = _room(request, test_room_id, session)
    back = reverse("proctoring:room", args=[room.pk, session])
    form = form_class(request.POST)
    if not form.is_valid():
        return _form_error(request, back, form)
    return _acted(request, back, lambda stamp: act(room, form.cleaned_data, stamp), done)


@login_required
@require_POST
def room_control(request: HttpRequest, test_room_id: int, session: str) -> HttpResponse:
    return _room_posted(request, test_room_id, session, ControlForm, _("已记录。"), lambda room, d, stamp: services.run_act(
        scope=get_scope(request), room=room, session=session, action=d["action"], actor=request.user,
        version=d["version"], reason=d["reason"], client_id=stamp.client_id, at=stamp.at))


@login_required
@require_POST
def room_checkin(request: HttpRequest, test_room_id: int, session: str) -> HttpResponse:
    return _room_posted(request, test_room_id, session, CheckInForm, _("已检录。"), lambda room, d, stamp: services.checkin_mark(
        scope=get_scope(request), room=room, session=session, actor=request.user, status=d["status"],
        how=d["how"] or ("code" if d["code"] else "tap"), seat_number=d["seat"], code=d["code"],
        reason=d["reason"], version=d["version"], client_id=stamp.client_id, at=stamp.at))


@login_required
@require_POST
def run_cancel(request: HttpRequest, run_id: int) -> HttpResponse:
    scope = get_scope(request)
    run = selectors.run_get(scope=scope, pk=run_id)
    back = reverse("proctoring:home")
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _form_error(request, back, form)
    d = form.cleaned_data
    return _acted(request, back, lambda stamp: services.run_cancel(
        scope=scope, run=run, actor=request.user, version=d["version"], reason=d["reason"],
        client_id=stamp.client_id), _("已取消该校本场测试（不再补测），本监测室学生均已标记。"))


@login_required
@require_GET
def timekeeper(request: HttpRequest, code: str) -> HttpResponse:
    school = _school(request, code, (*roles.TIMEKEEPING, *roles.ROOM_WATCHERS))
    cycle = current_cycle(scope=get_scope(request))
    day = board_day(cycle)
    behind, region = local_offset(cycle, school)
    signals = school_signals(scope=get_scope(request), cycle=cycle, school=school, day=day)
    return render(request, "proctoring/timekeeper.html", {
        "school": school, "cycle": cycle, "day": day, "region": region, "signals": signals,
        "clock": {"signals": [s.as_json() for s in signals], "behind": behind, "day": day.isoformat(),
                  "time_url": reverse("proctoring:time")},
    })


@login_required
@require_GET
@never_cache
def server_time(request: HttpRequest) -> HttpResponse:
    """The server's clock (the platform's `now`) in milliseconds since the epoch: the timekeeper's
    page measures its offset from it (round trip halved)."""
    return JsonResponse({"now": int(clock.now().timestamp() * 1000)})
