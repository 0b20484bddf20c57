"""The reopening form's POST, shared by the pages of each chain: each app's urls bind it to its own
reopen service (`reopen_view(service, level)`), so the window rule stays below the apps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiance.accounts.scoping import Scope, get_scope
from jiance.cycles.selectors import current_cycle
from jiance.windows.forms import ReopenForm
from jiance.windows.services import WORKS, WindowView, window_state


def window_context(scope: Scope, cycle: Any, kind: str, unit: Any) -> dict[str, Any]:
    """What a page shows of `unit`'s window: its state, and whether this person may reopen it."""
    view: WindowView = window_state(cycle=cycle, kind=kind, unit=unit)
    may_reopen = view.enforced and scope.holds(WORKS[kind].reopeners, unit)
    return {"window": view, "window_reopen_form": ReopenForm() if may_reopen else None}


def reopen_view(service: Callable[..., Any], unit_arg: str) -> Callable[..., HttpResponse]:
    """POST until + reason → `service(scope=, cycle=, <unit_arg>=unit, until=, reason=, actor=)`,
    then back to the page (`next`)."""

    @login_required
    @require_POST
    def view(request: HttpRequest, code: str) -> HttpResponse:
        scope = get_scope(request)
        unit = scope.get_unit(code=code)
        back = request.POST.get("next") or "/"
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = "/"
        form = ReopenForm(request.POST)
        if not form.is_valid():
            for errs in form.errors.values():
                for e in errs:
                    messages.error(request, str(e))
            return redirect(back)
        try:
            service(scope=scope, cycle=current_cycle(scope=scope), **{unit_arg: unit},
                    until=form.cleaned_data["until"], reason=form.cleaned_data["reason"], actor=request.user)
        except ValueError as exc:  # WindowClosed, a chain's ReviewRefused
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已重新开放至 %(until)s。") % {"until": form.cleaned_data["until"]})
        return redirect(back)

    return view
