from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jiance.accounts.models import REVIEWER_ROLES
from jiance.accounts.scoping import get_scope
from jiance.audit.models import AuditEntry


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    if not scope.holds(REVIEWER_ROLES):
        raise PermissionDenied
    # Entries of the units this person oversees: their own units and everything below.
    entries = scope.filter(AuditEntry.objects.select_related("unit"), unit_field="unit")
    action = request.GET.get("action", "")
    if action:
        entries = entries.filter(action=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"page": page, "action": action, "actions": AuditEntry._meta.get_field("action").choices})
