"""The frame's changes since the last approved version, on a page of their own (for long diffs)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jiance.accounts.scoping import get_scope
from jiance.cycles.selectors import current_cycle
from jiance.reporting import selectors
from jiance.reporting.changes import frame_changes
from jiance.reporting.views import _county


@login_required
@require_GET
def changes(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    county = _county(scope, code)
    cycle = current_cycle(scope=get_scope(request))
    sub = selectors.submission_for(scope=scope, cycle=cycle, county=county)
    return render(request, "reporting/changes.html", {
        "cycle": cycle, "county": county, "changes": frame_changes(scope=scope, submission=sub),
    })
