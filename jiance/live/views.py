"""The live progress page of test day, one per level (a school, a county, a city, a province, the
centre: the person's own top unit, drill-down with `?area=`), and its figures part, which the page
polls with htmx. A plain reload shows the same figures without JavaScript.

The figures part answers with an ETag and `Cache-Control: private, no-cache`: a browser (htmx's
request included) revalidates with If-None-Match and gets 304 Not Modified while nothing changed,
so an unchanged poll costs the cached summary's lookup and no rendering.

A poll is not the person's action: it does not renew the 30-minute idle timeout (the session is
read, never written back), so a page left alone logs out like any other; the next poll then sends
the whole page to the login form (`HX-Redirect`) instead of swapping it into the figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render, resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from jiance.accounts.roles import TESTDAY_WATCHERS
from jiance.accounts.scoping import get_scope
from jiance.cycles.models import Cycle
from jiance.cycles.selectors import current_cycle
from jiance.htmx import HtmxHttpRequest
from jiance.live import days, figures
from jiance.units.areas import Area, area_for, pager_query


def _resolve(request: HttpRequest, *, poll: bool) -> tuple[Cycle, Area, dt.date, bool]:
    """The cycle, the area and the day the request shows, checked against the person's roles.

    Every page load checks them (the person's roles, the active cycle, the area: four queries)
    and keeps the answer for this person and query for `JIANCE_LIVE_TTL` seconds; a poll within
    that time reuses it (one cache read instead of the queries). A role taken away therefore stops
    a page that is already open within that time, and never a page load."""
    key = "jiance:live:who:" + hashlib.sha1(
        f"{request.user.pk}|{request.GET.get('area', '')}|{request.GET.get('day', '')}".encode(),
        usedforsecurity=False).hexdigest()
    if poll:
        hit = cache.get(key)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
    scope = get_scope(request)
    scope.require(TESTDAY_WATCHERS)
    cycle = current_cycle(scope=scope)
    area = area_for(scope=scope, roles=TESTDAY_WATCHERS, code=request.GET.get("area", ""))
    day, day_ok = days.chosen_day(cycle, request.GET.get("day", ""))
    cache.set(key, (cycle, area, day, day_ok), timeout=figures.ttl())
    return cycle, area, day, day_ok


def _live(request: HttpRequest, *, poll: bool = False) -> dict[str, object]:
    """Everything both views show; the ETag of the figures part under "etag"."""
    cycle, area, day, day_ok = _resolve(request, poll=poll)
    scope = get_scope(request)  # read only when the figures are computed
    cols = figures.columns()
    key, summary, page, rows = figures.lookup(scope=scope, cycle=cycle, area=area, day=day, cols=cols,
                                              page=request.GET.get("page"))
    sessions = days.day_sessions(cycle, day)
    etag = hashlib.sha1("|".join([
        summary.digest, rows.digest, str(page.number), get_language() or "", area.code, day.isoformat(),
        ",".join(s.state for s in sessions),
    ]).encode(), usedforsecurity=False).hexdigest()
    return {
        "cycle": cycle, "area": area, "day": day, "day_ok": day_ok, "cols": cols, "summary": summary,
        "page": page, "rows": [(r, list(zip(cols, r.values, strict=True))) for r in rows.rows],
        "parts": [(p, list(zip(cols, p.values, strict=True))) for p in summary.parts],
        "totals": list(zip(cols, summary.totals, strict=True)),
        "attention": [(r, r.reasons(cols)) for r in summary.attention],
        "sessions": sessions, "test_days": sorted(cycle.test_days),
        "poll_ms": int(float(getattr(settings, "JIANCE_LIVE_POLL_SECONDS", 15)) * 1000),
        "query": pager_query(request.GET), "area_query": pager_query(request.GET, area=""),
        "poll_query": request.GET.urlencode(),
        "etag": f'"{etag}"',
        # the rendered part, shared by everyone who polls the same figures with the same query
        "html_key": f"{key}:html:{etag}:{hashlib.sha1(request.GET.urlencode().encode(), usedforsecurity=False).hexdigest()}",
    }


def _revalidated(request: HttpRequest, etag: str) -> bool:
    sent = request.headers.get("If-None-Match", "")
    return etag in [t.strip().removeprefix("W/") for t in sent.split(",")]


def _no_cache(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    response = render(request, "live/page.html", _live(request))
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
def figures_part(request: HtmxHttpRequest) -> HttpResponse:
    """The figures part alone (the page polls it): 304 while the browser's copy is current."""
    if not request.user.is_authenticated:
        if request.htmx:  # the session ended: the whole page goes to the login form
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{resolve_url(settings.LOGIN_URL)}?next={reverse('live:page')}"
            return response
        return redirect_to_login(request.get_full_path())
    _keep_idle_timeout(request)
    ctx = _live(request, poll=True)
    etag = str(ctx["etag"])
    if _revalidated(request, etag):
        return _no_cache(HttpResponseNotModified(), etag)
    html = cache.get(str(ctx["html_key"]))
    if html is None:
        html = render_to_string("live/_figures.html", ctx, request)
        cache.set(str(ctx["html_key"]), html, timeout=figures.ttl())
    return _no_cache(HttpResponse(html), etag)


def _keep_idle_timeout(request: HttpRequest) -> None:
    """Read the session, never write it back (SESSION_SAVE_EVERY_REQUEST would renew it)."""
    request.session.save = lambda must_create=False: None  # type: ignore[method-assign]
