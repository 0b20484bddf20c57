from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiance.accounts.scoping import get_scope
from jiance.cycles.editing import can_manage, section_editable
from jiance.cycles.models import CycleStatus
from jiance.cycles.sections import ORDER, SECTIONS
from jiance.cycles.selectors import cycle_get, visible_cycles
from jiance.cycles.services import TEMPLATE_LEVEL_TO_UNIT_LEVEL, cycle_activate
from jiance_core.cycles.editing import describe_path, section_of
from jiance_core.cycles.schema import LEVEL_NAMES

# Milestone rows keep the unit level (centre, province, …); pages name it as the templates do.
UNIT_LEVEL_NAMES = {unit: LEVEL_NAMES[tpl] for tpl, unit in TEMPLATE_LEVEL_TO_UNIT_LEVEL.items()}
UNIT_TO_TEMPLATE_LEVEL = {unit: tpl for tpl, unit in TEMPLATE_LEVEL_TO_UNIT_LEVEL.items()}
LEVEL_ORDER: list[str] = [str(v) for v in TEMPLATE_LEVEL_TO_UNIT_LEVEL.values()]


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    return render(request, "cycles/list.html", {"cycles": visible_cycles(scope=get_scope(request))})


@login_required
def cycle_detail(request: HttpRequest, cycle_code: str) -> HttpResponse:
    scope = get_scope(request)
    cycle = cycle_get(scope=scope, code=cycle_code)
    manage = can_manage(scope, cycle)
    rows = sorted(cycle.milestones.all(), key=lambda m: (LEVEL_ORDER.index(m.level)
                                                         if m.level in LEVEL_ORDER else 99, m.number))
    levels = []
    for level, items in groupby(rows, key=lambda m: m.level):
        milestones = list(items)
        levels.append({
            "name": UNIT_LEVEL_NAMES.get(level, level), "milestones": milestones,
            "has_responsible": any(m.responsible for m in milestones),
            "section": f"milestones-{UNIT_TO_TEMPLATE_LEVEL.get(level, level)}",
        })
    editable = [
        (key, SECTIONS[key].label) for key in ORDER if manage and not section_editable(cycle, key)
    ]
    return render(request, "cycles/detail.html", {
        "cycle": cycle, "levels": levels, "can_manage": manage, "editable": editable,
        "can_edit_milestones": manage and cycle.status != CycleStatus.CLOSED,
        "flags": [(describe_path(f.path), section_of(f.path), f)
                  for f in cycle.text_flags.filter(confirmed_at__isnull=True)] if manage else [],
    })


@login_required
@require_POST
def cycle_activate_view(request: HttpRequest, cycle_code: str) -> HttpResponse:
    cycle = cycle_get(scope=get_scope(request), code=cycle_code)
    if not can_manage(get_scope(request), cycle):
        raise PermissionDenied
    try:
        cycle_activate(cycle=cycle)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已启用。"))
    return redirect("cycles:detail", cycle_code=cycle.code)
