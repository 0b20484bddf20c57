from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from jiance import clock
from jiance.accounts.scoping import get_scope
from jiance.apps_registry import INBOX_KINDS
from jiance.cycles.models import Cycle, Milestone
from jiance.cycles.selectors import active_cycle
from jiance.htmx import HtmxHttpRequest, page_or_partial
from jiance.notifications.selectors import upcoming_deadlines
from jiance.units.models import CHILD_LEVEL, Level, Unit
from jiance.web.selectors import home_panels, lagging_subunits, my_inbox, owing_units, released


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    cycle = active_cycle(scope)
    today = clock.today()
    panels = home_panels(scope=scope, cycle=cycle, today=today)
    upcoming_days = [d for d in cycle.test_days if d >= today] if cycle else []
    days_to_test = (upcoming_days[0] - today).days if upcoming_days else None
    return render(
        request,
        "web/home.html",
        {"cycle": cycle, "panels": panels, "today": today, "days_to_test": days_to_test,
         "inbox": my_inbox(request), "inbox_kinds": INBOX_KINDS, "sample_released": released(cycle),
         "deadlines": upcoming_deadlines(scope=scope, cycle=cycle, today=today)},
    )


def _unit_and_cycle(request: HttpRequest, code: str) -> tuple[Unit, Cycle]:
    unit = get_scope(request).get_unit(code=code)
    cycle = active_cycle(get_scope(request))
    if cycle is None or Level(unit.level) not in CHILD_LEVEL:
        raise Http404
    return unit, cycle


@login_required
def owing(request: HtmxHttpRequest, code: str, milestone_id: int) -> HttpResponse:
    """The sub-units of a unit that have not done one task of the level below."""
    scope = get_scope(request)
    unit, cycle = _unit_and_cycle(request, code)
    milestone = get_object_or_404(
        Milestone, pk=milestone_id, cycle=cycle, level=CHILD_LEVEL[Level(unit.level)]
    )
    units = owing_units(scope=scope, cycle=cycle, unit=unit, milestone=milestone)
    return render(
        request,
        page_or_partial(request, "web/owing.html", "owing-list"),
        {"unit": unit, "cycle": cycle, "milestone": milestone, "units": units},
    )


@login_required
def lagging(request: HttpRequest, code: str) -> HttpResponse:
    """Every sub-unit with overdue tasks, with how many."""
    scope = get_scope(request)
    unit, cycle = _unit_and_cycle(request, code)
    total, rows = lagging_subunits(scope=scope, cycle=cycle, unit=unit, today=clock.today())
    return render(
        request,
        "web/lagging.html",
        {"unit": unit, "cycle": cycle, "rows": rows, "total": total,
         "child_level": CHILD_LEVEL[Level(unit.level)]},
    )
