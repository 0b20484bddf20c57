from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render

from jiance.accounts.scoping import get_scope
from jiance.audit.forms import AuditFilterForm
from jiance.audit.models import AuditEntry
from jiance.audit.selectors import audit_entries, can_read_audit
from jiance.htmx import HtmxHttpRequest


@login_required
def audit_list(request: HtmxHttpRequest) -> HttpResponse:
    scope = get_scope(request)
    if not can_read_audit(scope):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None, scope=scope)
    entries: QuerySet[AuditEntry]
    if form.is_bound and not form.is_valid():
        entries = AuditEntry.objects.none()
    else:
        filters = form.cleaned_data if form.is_bound else {}
        entries = audit_entries(
            scope=scope,
            unit=filters.get("unit"),
            person=filters.get("person", ""),
            action=filters.get("action", ""),
            result=filters.get("result", ""),
            date_from=filters.get("date_from"),
            date_to=filters.get("date_to"),
        )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "audit/list.html#table" if request.htmx else "audit/list.html"
    return render(request, template, {"form": form, "page": page, "query": query.urlencode()})
