"""Thin views of the custody pages: permission → form → service → render.

- `unit`: a county's page (scan and record hand-overs, the schools' boxes, the ledger), a
  school's page (its boxes, sealing bags, its own ledger only) or a city's overview (boxes per
  county); the person sees only units in their scope (a foreign code answers 404).
- `record` / `correct` take the offline contract (`jiance.offline`): idempotent by client_id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiance import clock
from jiance.accounts.roles import (
    MATERIAL_APPROVERS,
    MATERIAL_KEEPERS,
    MATERIAL_OVERSIGHT,
    MATERIAL_SEALERS,
    my_county,
    my_school,
    unit_for,
    units_at,
)
from jiance.accounts.scoping import get_scope
from jiance.audit.services import audit_record
from jiance.custody import alerts, chain, pins, printing, selectors, services, state
from jiance.custody.forms import CorrectionForm, EntryForm, PinForm
from jiance.custody.models import CustodyError, Step
from jiance.cycles.selectors import current_cycle
from jiance.http import WASM_CSP, download
from jiance.offline import ClientStamp, OfflineStampError, client_stamp, is_queued, queued_reply
from jiance.units.models import Level, Unit

VIEW_ROLES = (*MATERIAL_OVERSIGHT, *MATERIAL_SEALERS)


def _unit(request: HttpRequest, code: str) -> Unit:
    return unit_for(get_scope(request), code, VIEW_ROLES)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    unit = my_school(scope, MATERIAL_SEALERS) or my_county(scope, VIEW_ROLES)
    if unit is None:
        above = [u for lvl in (Level.CITY, Level.PROVINCE, Level.CENTRE) for u in units_at(scope, lvl, VIEW_ROLES)[:1]]
        unit = above[0] if above else None
    if unit is None:
        raise PermissionDenied
    return redirect("custody:unit", code=unit.code)


def _page(request: HttpRequest, unit: Unit, form: EntryForm | None = None) -> dict[str, Any]:
    scope = get_scope(request)
    cycle = current_cycle(scope=scope)
    rules = state.rules_of(cycle)
    now = clock.now()
    schools = selectors.schools_of(scope=scope, cycle=cycle, area=unit)
    states = state.box_states(cycle=cycle, rules=rules, schools=schools) if rules else []
    if unit.level == Level.COUNTY and rules:
        alerts.overdue_alert(cycle=cycle, county=unit, now=now)
    can_keep = unit.level == Level.COUNTY and scope.holds(MATERIAL_KEEPERS, unit)
    can_seal = unit.level == Level.SCHOOL and scope.holds(MATERIAL_SEALERS, unit)
    steps: tuple[str, ...] = services.COUNTY_STEPS if can_keep else services.SCHOOL_STEPS if can_seal else ()
    if unit.level == Level.COUNTY and not scope.holds(MATERIAL_APPROVERS, unit):
        steps = tuple(s for s in steps if s != Step.APPROVAL)
    day = selectors.today(cycle)
    show_all = request.GET.get("all") == "1" or day is None
    # a box of an earlier day still not back stays in view (and in the counts) until it is returned
    todays = [s for s in states if s.box.day == day or (day is not None and s.box.day < day and s.overdue(now))]
    shown = states if show_all else todays
    return {
        "unit": unit, "cycle": cycle, "rules": rules, "now": now, "day": day,
        "states": [(s, s.status(now), state.STATUS_LABELS[s.status(now)]) for s in shown], "show_all": show_all,
        "counts": selectors.counts([s for s in states if s.box.day == day], now,
                                   earlier_overdue=len(todays) - sum(1 for s in states if s.box.day == day)),
        "by_county": selectors.by_county(shown, now, None if show_all else day) if unit.level in (Level.CITY, Level.PROVINCE, Level.CENTRE) else [],
        "entries": list(selectors.ledger(cycle=cycle, unit=unit)[:selectors.LEDGER_PAGE])
        if unit.level in (Level.COUNTY, Level.SCHOOL) else [],
        "voided": selectors.voided(cycle),
        "approvals": selectors.approvals(cycle=cycle, schools=schools),
        "steps": [(s, Step(s).label) for s in steps],
        "form": form or EntryForm(initial={"step": steps[0] if steps else ""}),
        "can_record": bool(steps), "correctable": set(steps),
        "schools": schools,
    }


@login_required
@csp_update(WASM_CSP)  # type: ignore[arg-type]
def unit(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit(request, code)
    return render(request, "custody/unit.html", _page(request, unit))


def _refuse(request: HttpRequest, unit: Unit, message: str, *, queued: bool, form: EntryForm | None = None) -> HttpResponse:
    if queued:
        return queued_reply(message, refused=True)
    messages.error(request, message)
    if form is not None:
        return render(request, "custody/unit.html", _page(request, unit, form), status=400)
    return redirect("custody:unit", code=unit.code)


def _acted(request: HttpRequest, unit: Unit, form: Any, invalid: Callable[[Any], str],
           act: Callable[[dict[str, Any], ClientStamp], str], *, keep_form: bool = False) -> HttpResponse:
    """An entry posted by the page or by the offline queue: the client's stamp, then the form, then
    `act` (the service; returns what was done, raises CustodyError); each answered its own way."""
    queued = is_queued(request)
    try:
        stamp = client_stamp(request)
    except OfflineStampError as exc:
        return _refuse(request, unit, str(exc), queued=queued)
    shown = form if keep_form else None
    if not form.is_valid():
        return _refuse(request, unit, invalid(form), queued=queued, form=shown)
    try:
        done = act(form.cleaned_data, stamp)
    except CustodyError as exc:
        return _refuse(request, unit, str(exc), queued=queued, form=shown)
    if stamp.queued:
        return queued_reply(done)
    messages.success(request, done)
    return redirect("custody:unit", code=unit.code)


@login_required
@require_POST
def record(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit(request, code)
    scope = get_scope(request)

    def act(d: dict[str, Any], stamp: ClientStamp) -> str:
        second = None
        if d["second_username"] or d["second_pin"]:
            second = pins.pin_confirm(username=d["second_username"], pin=d["second_pin"])
        school = None
        if d["school"]:
            school = Unit.objects.filter(code=d["school"].strip(), level=Level.SCHOOL).first()
        entry = services.entry_record(
            scope=scope, actor=request.user, cycle=current_cycle(scope=scope), unit=unit, step=d["step"],
            code=d["code"], school=school, boxes=d["boxes"], bags_counted=d["bags_counted"],
            travel_minutes=d["travel_minutes"], place=d["place"], second_person=second, seals=d["seals"],
            signers=d["signers"], tracking_no=d["tracking_no"], note=d["note"], client_id=stamp.client_id,
            at=stamp.at,
        )
        return (_("已登记第 %(n)s 条：%(step)s") % {"n": entry.sequence, "step": entry.get_step_display()}
                + f" {entry.bag_code or entry.box_code}").strip()

    def invalid(form: EntryForm) -> str:
        return _("填写有误：%(error)s") % {"error": next(iter(form.errors.values()))[0]}

    return _acted(request, unit, EntryForm(request.POST), invalid, act, keep_form=True)


@login_required
@require_POST
def correct(request: HttpRequest, code: str, entry_id: int) -> HttpResponse:
    unit = _unit(request, code)
    scope = get_scope(request)

    def act(d: dict[str, Any], stamp: ClientStamp) -> str:
        entry = services.entry_correct(scope=scope, actor=request.user, cycle=current_cycle(scope=scope), unit=unit,
                                       entry_id=entry_id, note=d["note"], client_id=stamp.client_id, at=stamp.at)
        return _("已登记第 %(n)s 条：更正第 %(old)s 条") % {
            "n": entry.sequence, "old": entry.corrects.sequence}  # type: ignore[union-attr]

    return _acted(request, unit, CorrectionForm(request.POST), lambda form: _("更正须写明原因。"), act)


@login_required
def verify(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit(request, code)
    if unit.level != Level.COUNTY:
        raise Http404
    cycle = current_cycle(scope=get_scope(request))
    result = chain.verify(cycle=cycle, county=unit)
    return render(request, "custody/verify.html", {"unit": unit, "cycle": cycle, "result": result})


@login_required
def labels(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit(request, code)
    if unit.level != Level.SCHOOL:
        raise Http404
    cycle = current_cycle(scope=get_scope(request))
    rules = state.rules_of(cycle)
    if rules is None:
        raise Http404
    rooms = state.rooms_by_school(cycle=cycle, school_ids=[unit.pk]).get(unit.pk, [])
    boxes = state.boxes_of(cycle=cycle, rules=rules, school=unit, rooms=rooms)
    content = printing.labels_pdf(cycle=cycle, rules=rules, school=unit, boxes=boxes)
    audit_record(action="custody.labels", obj=unit, unit=unit, detail="打印监测工具箱与卷袋标签")
    return download(content, f"{unit.code}-监测工具箱与卷袋标签.pdf")


@login_required
def report(request: HttpRequest, code: str, report: str, fmt: str) -> HttpResponse:
    kind = report
    unit = _unit(request, code)
    if kind not in printing.REPORTS or fmt not in ("pdf", "xlsx") or unit.level == Level.SCHOOL:
        raise Http404
    scope = get_scope(request)
    cycle = current_cycle(scope=scope)
    table = printing.report_table(kind=kind, cycle=cycle, area=unit, scope=scope)
    content = printing.table_pdf(table, cycle.name) if fmt == "pdf" else printing.table_xlsx(table, cycle.name)
    audit_record(action="custody.report", obj=unit, unit=unit, detail=f"导出{table.title}")
    return download(content, f"{unit.code}-{table.title}.{fmt}")


@login_required
def pin(request: HttpRequest) -> HttpResponse:
    form = PinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pins.pin_set(user=request.user, password=form.cleaned_data["password"], pin=form.cleaned_data["pin"])
        except CustodyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("保管确认码已设置。交接时由您本人在对方手机上输入。"))
            return redirect("custody:pin")
    has_pin = hasattr(request.user, "custody_pin")
    return render(request, "custody/pin.html", {"form": form, "has_pin": has_pin})
