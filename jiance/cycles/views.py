from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from jiance.cycles.models import Cycle


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    return render(request, "cycles/list.html", {"cycles": Cycle.objects.all()})


@login_required
def cycle_detail(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_object_or_404(Cycle, code=code)
    milestones = cycle.milestones.order_by("level", "number")
    return render(request, "cycles/detail.html", {"cycle": cycle, "milestones": milestones})
