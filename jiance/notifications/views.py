"""The notification list, marking read, and the level above's reminder to laggards."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiance.accounts.scoping import get_scope
from jiance.cycles.models import Milestone
from jiance.cycles.selectors import visible_cycles
from jiance.notifications.models import Kind
from jiance.notifications.selectors import my_notifications
from jiance.notifications.services import (
    ReminderRefused,
    laggards_remind,
    notification_read,
    notifications_read_all,
)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    rows = my_notifications(request.user)
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html",
                  {"page": page, "only_unread": only_unread, "kinds": dict(Kind.choices)})


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@login_required
@require_POST
def read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one of my notifications read, then go where it points (or back to the list). Someone
    else's notification is not touched and answers like a missing one."""
    notification_read(user=request.user, pk=notification_id)
    return redirect(_safe_next(request, "notifications:list"))


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    notifications_read_all(user=request.user)
    return redirect("notifications:list")


@login_required
@require_POST
def remind(request: HttpRequest, code: str, milestone_id: int) -> HttpResponse:
    """One click: remind the sub-units of `code` that have not done task `milestone_id`."""
    scope = get_scope(request)
    unit = scope.get_unit(code=code)
    milestone = get_object_or_404(Milestone, pk=milestone_id, cycle__in=visible_cycles(scope=scope))
    try:
        sent, skipped = laggards_remind(scope=scope, unit=unit, milestone=milestone, actor=request.user)
    except ReminderRefused as exc:
        messages.error(request, str(exc))
    else:
        text = _("已提醒 %(n)d 个未完成单位") % {"n": sent}
        if skipped:
            text += _("（%(n)d 个今天已提醒过，未重复发送）") % {"n": skipped}
        messages.success(request, text)
    return redirect(_safe_next(request, "home"))
