from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiance.accounts.models import Role
from jiance.accounts.scoping import Scope, get_scope
from jiance.cycles.forms import CycleCopyForm
from jiance.cycles.models import Cycle
from jiance.cycles.selectors import cycle_get, visible_cycles
from jiance.cycles.services import cycle_activate, cycle_copy
from jiance_core.cycles.loader import TemplateError

CYCLE_MANAGERS = (Role.CENTRE_ADMIN, Role.PROVINCE_ADMIN, Role.CITY_ADMIN)


def can_manage(scope: Scope, cycle: Cycle) -> bool:
    """National cycles are managed by the centre; a provincial or city cycle by its owner."""
    if cycle.owner is None:
        return scope.is_centre
    return scope.holds(CYCLE_MANAGERS, cycle.owner)


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    return render(request, "cycles/list.html", {"cycles": visible_cycles(scope=get_scope(request))})


@login_required
def cycle_detail(request: HttpRequest, cycle_code: str) -> HttpResponse:
    cycle = cycle_get(scope=get_scope(request), code=cycle_code)
    milestones = cycle.milestones.order_by("level", "number")
    return render(
        request,
        "cycles/detail.html",
        {
            "cycle": cycle, "milestones": milestones, "copy_form": CycleCopyForm(),
            "can_manage": can_manage(get_scope(request), cycle),
        },
    )


@login_required
@require_POST
def cycle_copy_view(request: HttpRequest, cycle_code: str) -> HttpResponse:
    cycle = cycle_get(scope=get_scope(request), code=cycle_code)
    if not can_manage(get_scope(request), cycle):
        raise PermissionDenied
    form = CycleCopyForm(request.POST)
    if form.is_valid():
        try:
            copy = cycle_copy(source=cycle, new_year=form.cleaned_data["new_year"], days=form.cleaned_data["days"])
        except (TemplateError, ValueError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已复制为 %(name)s，全部日期已顺延。") % {"name": copy.name})
            return redirect("cycles:detail", cycle_code=copy.code)
    else:
        for error in form.non_field_errors():
            messages.error(request, str(error))
    return redirect("cycles:detail", cycle_code=cycle.code)


@login_required
@require_POST
def cycle_activate_view(request: HttpRequest, cycle_code: str) -> HttpResponse:
    cycle = cycle_get(scope=get_scope(request), code=cycle_code)
    if not can_manage(get_scope(request), cycle):
        raise PermissionDenied
    cycle_activate(cycle=cycle)
    messages.success(request, _("已启用。"))
    return redirect("cycles:detail", cycle_code=cycle.code)
