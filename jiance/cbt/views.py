"""Staff pages of computer-based tests: the item banks (import, export, example), a school's
computer rooms, and the proctor console per room and session (htmx; the seat map re-read every
few seconds). Thin: permission → form → service → render."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jiance.accounts import roles
from jiance.accounts.scoping import Scope, get_scope
from jiance.cbt import selectors
from jiance.cbt.forms import ActForm, BankForm
from jiance.cbt.models import CbtError, ItemBank
from jiance.cbt.services import bank as bank_services
from jiance.cbt.services import console as svc
from jiance.cbt.services.student import slips_issue
from jiance.cycles.selectors import current_cycle
from jiance.http import download
from jiance.printouts.slips import LoginSlip, login_slips_pdf
from jiance.testday.models import TestRoom
from jiance.testday.selectors import rooms_of, school_for
from jiance_core.cbt.items import BankError

SITTING_LABELS = {"prepare": _lazy("准备考试"), "start": _lazy("开始考试"), "end": _lazy("结束考试")}
ACTION_LABELS = {"authorise": _lazy("授权"), "pause": _lazy("暂停"), "resume": _lazy("继续"), "extend": _lazy("延长时间"),
                 "terminate": _lazy("终止"), "move": _lazy("换到备用机")}
EXAMPLE = Path(__file__).parent / "examples" / "math-example.json"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    school = roles.my_school(scope, roles.ROOM_STAFF)
    if school is not None:
        return redirect("cbt:school", code=school.code)
    return redirect("cbt:bank")


@login_required
@never_cache
def bank(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    scope.require(roles.CBT_ITEM_KEEPERS)
    cycle = current_cycle(scope=scope)
    form = BankForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            row = bank_services.bank_import(cycle=cycle, content=upload.read(), filename=upload.name,
                                            actor=request.user)
        except BankError as exc:
            problems = exc.problems
        except CbtError as exc:
            problems = [str(exc)]
        else:
            messages.success(request, _("已导入学科“%(s)s”：%(i)s 题，%(f)s 套题本")
                             % {"s": row.subject, "i": len(row.items), "f": len(row.forms)})
            return redirect("cbt:bank")
    return render(request, "cbt/bank.html", {"cycle": cycle, "banks": selectors.banks_of(cycle), "form": form,
                                             "problems": problems})


@login_required
def example(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    scope.require(roles.CBT_ITEM_KEEPERS)
    return download(EXAMPLE.read_bytes(), "cbt-example-math.json")


@login_required
def export(request: HttpRequest, subject: str) -> HttpResponse:
    scope = get_scope(request)
    scope.require(roles.CBT_ITEM_KEEPERS)
    cycle = current_cycle(scope=scope)
    row = ItemBank.objects.filter(cycle=cycle, subject=subject).first()
    if row is None:
        raise Http404
    from jiance.audit.models import Action
    from jiance.audit.services import audit_record

    audit_record(action=Action.EXPORT, obj=row, actor=request.user, detail=f"网络测试题目导出：{cycle.name} {subject}")
    return download(bank_services.bank_zip(row), f"cbt-{cycle.code}-{subject}.zip")


@login_required
def export_responses(request: HttpRequest, subject: str, fmt: str) -> HttpResponse:
    """The subject's responses, scored, pseudonymous, for the centre (`jiance.cbt.exports`)."""
    scope = get_scope(request)
    scope.require(roles.CBT_ITEM_KEEPERS)
    cycle = current_cycle(scope=scope)
    row = ItemBank.objects.filter(cycle=cycle, subject=subject).first()
    if row is None or fmt not in ("csv", "xlsx"):
        raise Http404
    from jiance.audit.models import Action
    from jiance.audit.services import audit_record
    from jiance.cbt import exports

    table = exports.responses_table(bank=row, scope=scope)
    audit_record(action=Action.EXPORT, obj=row, actor=request.user,
                 after={"format": fmt, "rows": len(table.rows), "identified": False},
                 detail=f"网络测试作答导出（化名、已评分）：{cycle.name} {subject}，{fmt.upper()}，{len(table.rows)} 行")
    content = exports.table_csv(table) if fmt == "csv" else exports.table_xlsx(table)
    return download(content, f"cbt-{cycle.code}-{subject}-responses.{fmt}")


@login_required
@never_cache
def school(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    unit = school_for(scope=scope, code=code)
    scope.require(roles.ROOM_STAFF, unit)
    cycle = current_cycle(scope=scope)
    rooms = [r for r in rooms_of(scope=scope, cycle=cycle, school=unit) if r.kind == "computer"]
    rows = [(r, [(s, selectors.sitting_of(r, s.code)) for s in selectors.sessions_of(r)]) for r in rooms]
    return render(request, "cbt/school.html", {"school": unit, "rows": rows})


def _console_context(request: HttpRequest, test_room_id: int, session: str) -> dict:
    scope = get_scope(request)
    room = selectors.room_get(scope=scope, pk=test_room_id)
    scope.require(roles.ROOM_STAFF, room.school)
    try:
        line = svc.session_of(room, session)
    except CbtError as exc:
        raise Http404(str(exc)) from exc
    sitting = selectors.sitting_of(room, session)
    cells = selectors.seat_map(scope=scope, room=room, sitting=sitting)
    return {"room": room, "line": line, "sitting": sitting, "cells": cells,
            "status": sitting.status if sitting else "idle", "version": sitting.version if sitting else 0,
            "columns": max([c.seat.column for c in cells] or [room.columns]),
            "spares": [c for c in cells if c.seat.student_id is None and c.moved_here is None],
            "can_control": scope.holds(roles.CBT_SESSION_CONTROL, room.school),
            "sessions": selectors.sessions_of(room), "run": selectors.run_of(room, session)}


@login_required
@never_cache
def console(request: HttpRequest, test_room_id: int, session: str) -> HttpResponse:
    context = _console_context(request, test_room_id, session)
    if request.headers.get("HX-Request") == "true":
        return render(request, "cbt/_seatmap.html", context)
    return render(request, "cbt/console.html", context)


@login_required
def slips_pdf(request: HttpRequest, test_room_id: int, session: str) -> HttpResponse:
    """The room's login slips to print (ten to an A4 sheet, `jiance.printouts.slips`): each seated
    student visible now (the released sample) with the PC, login and code, and the PC's address.
    No-store and audited: they open a student's test."""
    context = _console_context(request, test_room_id, session)
    room = context["room"]
    slips = [LoginSlip(c.student.name, _("学生"), _("%(room)s · %(seat)s 号机") % {"room": room.name,
                                                                              "seat": f"{c.seat.seat:02d}"},
                       c.login, c.code, request.build_absolute_uri(reverse("cbt:pc", args=[room.pk, c.seat.seat])),
                       heading=_("计算机测试登录条"))
             for c in context["cells"] if c.student is not None and c.login]
    pdf = login_slips_pdf([(f"{room.stage_label}{room.name}（{room.computer_room_name}）", slips)],
                          title=_("计算机测试学生登录条"), cycle=room.cycle.name, school=room.school.name)
    from jiance.audit.models import Action
    from jiance.audit.services import audit_record

    audit_record(action=Action.EXPORT, obj=room, unit=room.school, actor=request.user,
                 after={"rows": len(slips), "session": session},
                 detail=f"下载计算机测试登录条（PDF）：{room.school.name} {room.name}，{len(slips)} 张")
    return download(pdf, f"{room.school.code}-cbt-room{room.number}-slips.pdf")


def _done(request: HttpRequest, test_room_id: int, session: str, message: str = "",
          error: str = "") -> HttpResponse:
    if request.headers.get("HX-Request") == "true":
        response = render(request, "cbt/_seatmap.html", {**_console_context(request, test_room_id, session),
                                                          "error": error, "done": message})
        if error:
            response.status_code = 409
        return response
    if error:
        messages.error(request, error)
    elif message:
        messages.success(request, message)
    return redirect("cbt:console", test_room_id=test_room_id, session=session)


def _room_acted(request: HttpRequest, test_room_id: int, session: str,
                act: Callable[[Scope, TestRoom, dict[str, Any]], str]) -> HttpResponse:
    """A console action on the whole room: the room inside the scope, the posted ActForm, then
    `act` (returns what was done, raises CbtError); answered by `_done`."""
    scope = get_scope(request)
    room = selectors.room_get(scope=scope, pk=test_room_id)
    form = ActForm(request.POST)
    if not form.is_valid():
        return _done(request, test_room_id, session, error=_("请求不完整，请刷新页面"))
    try:
        message = act(scope, room, form.cleaned_data)
    except CbtError as exc:
        return _done(request, test_room_id, session, error=str(exc))
    return _done(request, test_room_id, session, message=message)


@login_required
@require_POST
def sitting_action(request: HttpRequest, test_room_id: int, session: str) -> HttpResponse:
    def act(scope: Scope, room: TestRoom, d: dict[str, Any]) -> str:
        if request.POST.get("issue") == "slips":
            scope.require(roles.ROOM_STAFF, room.school)
            return _("已生成 %(n)s 张登录条") % {"n": slips_issue(room=room)}
        svc.sitting_act(scope=scope, room=room, session=session, action=d["action"], actor=request.user,
                        version=d["version"])
        return _("%(action)s：已完成") % {"action": SITTING_LABELS.get(d["action"], "")}

    return _room_acted(request, test_room_id, session, act)


@login_required
@require_POST
def room_action(request: HttpRequest, test_room_id: int, session: str) -> HttpResponse:
    def act(scope: Scope, room: TestRoom, d: dict[str, Any]) -> str:
        n = svc.room_act(scope=scope, room=room, session=session, action=d["action"], actor=request.user,
                         version=d["version"], reason=d["reason"] or "")
        return _("已处理 %(n)s 名学生") % {"n": n}

    return _room_acted(request, test_room_id, session, act)


@login_required
@require_POST
def seat_action(request: HttpRequest, test_room_id: int, session: str, seat: int) -> HttpResponse:
    scope = get_scope(request)
    room = selectors.room_get(scope=scope, pk=test_room_id)
    scope.require(roles.ROOM_STAFF, room.school)
    sitting = selectors.sitting_of(room, session)
    delivery = sitting.deliveries.filter(plan_seat__seat=seat).first() if sitting else None
    if delivery is None:
        return _done(request, test_room_id, session, error=_("%(seat)s 号座位的学生尚未登录") % {"seat": f"{seat:02d}"})
    form = ActForm(request.POST)
    if not form.is_valid():
        return _done(request, test_room_id, session, error="；".join(
            str(e) for errs in form.errors.values() for e in errs))
    data = form.cleaned_data
    try:
        svc.delivery_act(scope=scope, delivery=delivery, action=data["action"], actor=request.user,
                             version=data["version"], reason=data["reason"] or "", minutes=data["minutes"],
                             to_seat=data["to_seat"])
    except CbtError as exc:
        return _done(request, test_room_id, session, error=str(exc))
    return _done(request, test_room_id, session, message=_("%(seat)s 号座位：%(action)s") % {
        "seat": f"{seat:02d}", "action": ACTION_LABELS.get(data["action"], "")})
