from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jiance import clock
from jiance.accounts.scoping import get_scope
from jiance.cycles.selectors import active_cycle, subunits_owing, unit_milestones


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    cycle = active_cycle()
    today = clock.today()
    panels = []
    if cycle is not None:
        for unit in scope.home_units:
            statuses = unit_milestones(cycle=cycle, unit=unit, today=today)
            panels.append(
                {
                    "unit": unit,
                    "roles": [g for g in scope.grants if g.unit_id == unit.pk],
                    "overdue": [s for s in statuses if s.state == "overdue"],
                    "due": [s for s in statuses if s.state in ("due", "open")],
                    "upcoming": [s for s in statuses if s.state == "upcoming"][:5],
                    "done": [s for s in statuses if s.state == "done"],
                    "owing": subunits_owing(scope=scope, cycle=cycle, unit=unit, today=today),
                }
            )
    return render(request, "web/home.html", {"cycle": cycle, "panels": panels, "today": today})
