"""A roster's changes since the last approved version, on a page of their own (for long diffs)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jiance.accounts.scoping import get_scope
from jiance.rosters import selectors, services
from jiance.rosters.changes import roster_changes
from jiance.rosters.views import _roster


@login_required
@require_GET
def changes(request: HttpRequest, roster_id: int) -> HttpResponse:
    scope = get_scope(request)
    roster = _roster(scope, roster_id)
    can_unmask = selectors.can_unmask(scope, roster)
    full = request.GET.get("full") == "1" and can_unmask
    result = roster_changes(scope=scope, roster=roster, unmask=full)
    if full:
        services.personal_data_viewed(roster=roster, actor=request.user, what=_("查看名单变化（完整身份证号）"),
                                      rows=result.total)
    return render(request, "rosters/changes.html", {
        "roster": roster, "school": roster.school, "cycle": roster.cycle, "changes": result,
        "full": full, "can_unmask": can_unmask,
    })
