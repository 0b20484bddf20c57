from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jiance.accounts.scoping import get_scope
from jiance.units.models import Unit


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    unit = get_scope(request).primary_unit
    if unit is None:
        raise Http404
    return redirect("units:detail", code=unit.code)


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    unit = scope.get_unit(code=code)
    children = scope.filter(unit.children.all(), unit_field="self").order_by("code")
    page = Paginator(children, 100).get_page(request.GET.get("page"))
    breadcrumbs = [u for u in unit.ancestors().order_by("path") if scope.sees(u)]
    return render(
        request,
        "units/detail.html",
        {"unit": unit, "page": page, "breadcrumbs": breadcrumbs, "school_count": Unit.objects.subtree_of(unit).schools().count()},
    )
