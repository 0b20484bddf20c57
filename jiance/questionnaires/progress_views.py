"""The 问卷调查进度管理系统 pages: for a unit (school, county, city, province, the centre) the
cycle's figures per questionnaire and respondent kind — invited, not started, in progress,
submitted — its parts one level down, its sample schools 50 to a page, and for a school or a
county who has not submitted yet. Practice (模拟练习) has its own page with the same layout and
only practice figures: the two are never added together.

The figures part polls itself with htmx (`…/figures/`) and answers 304 while its ETag is
unchanged; without JavaScript a reload shows the same. Counts and names, never an answer: the
figures are grouped in the database (`tally`), a page costs the same queries however many schools.

The figures (`tally` of the area and of the page's schools: counts only, the same for every viewer)
are shared through Django's cache for `JIANCE_LIVE_TTL` seconds under a key of the cycle, the
units, real or practice and the change stamp (`apps_registry.progress_stamp()`, bumped after a
submission): a county's wall screen and its schools' polls cost one computation per change or TTL,
as on `/live/`. The person's check and the list of who has not submitted (its names depend on who
looks) are still made on every request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render, resolve_url
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from jiance import apps_registry, replica
from jiance.accounts.roles import CITY_AND_ABOVE, COUNTY_STAFF, SCHOOL_OFFICE
from jiance.accounts.scoping import get_scope
from jiance.cycles.selectors import current_cycle
from jiance.htmx import HtmxHttpRequest
from jiance.questionnaires.models import Kind
from jiance.questionnaires.tally import merged, ordered, overall, subtree, tally, unit_ids
from jiance.questionnaires.waiting import waiting_list
from jiance.rosters.models import Roster
from jiance.units.areas import PAGE_SIZE, area_for, pager_query
from jiance.units.models import Level, Unit

PROGRESS_ROLES = (*SCHOOL_OFFICE, *COUNTY_STAFF, *CITY_AND_ABOVE)
Groups = dict[str, dict[Any, Any]]


def _shared(*key: object, compute: Callable[[], Groups]) -> Groups:
    """`compute()` (a `tally`), shared by every viewer through the cache until the next reported
    change or `JIANCE_LIVE_TTL` seconds."""
    digest = hashlib.sha1(repr((*key, apps_registry.progress_stamp())).encode(), usedforsecurity=False).hexdigest()
    name = f"jiance:qprogress:{digest}"
    found = cache.get(name)
    if found is None:
        with replica.reads():  # JIANCE_READ_REPLICA_URL: the counts read the replica (docs/deployment.md)
            found = {k: dict(v) for k, v in compute().items()}  # plain dicts: the cache pickles them
        cache.set(name, found, timeout=int(getattr(settings, "JIANCE_LIVE_TTL", 15)))
    return found  # type: ignore[no-any-return]


def _progress(request: HttpRequest, code: str, practice: bool) -> dict[str, Any]:
    scope = get_scope(request)
    unit = scope.get_unit(code=code)
    scope.require(PROGRESS_ROLES, unit)
    cycle = current_cycle(scope=scope)
    config = cycle.config or {}
    names = {q["code"]: q["name"] for q in config.get("questionnaires") or []}
    kinds = dict(Kind.choices)
    parts: list[tuple[Unit, Any]] = []
    rows: list[tuple[Unit, Any]] = []
    page = None
    if unit.level == Level.SCHOOL:
        trail = [unit.parent] if unit.parent and scope.sees(unit.parent) and scope.holds(
            PROGRESS_ROLES, unit.parent) else []
        groups = _shared(cycle.pk, "unit", (unit.pk,), practice,
                         compute=lambda: tally(cycle=cycle, units=unit_ids([unit.pk]), by="unit", practice=practice))
    else:
        area = area_for(scope=scope, roles=PROGRESS_ROLES, code=unit.code)
        trail = area.trail
        groups = _shared(cycle.pk, "area", unit.path, practice,
                         compute=lambda: tally(cycle=cycle, units=subtree(unit), by="county", practice=practice))
        parts = [(p, overall(merged(g for k, g in groups.items() if k.startswith(p.path)))) for p in area.parts]
        sample = Unit.objects.filter(subtree(unit)(""), level=Level.SCHOOL,
                                     pk__in=Roster.objects.filter(cycle=cycle).values("school_id")).order_by("path")
        page = Paginator(sample, PAGE_SIZE).get_page(request.GET.get("page"))
        ids = [s.pk for s in page]
        per = _shared(cycle.pk, "unit", tuple(ids), practice, compute=lambda: tally(
            cycle=cycle, units=unit_ids(ids), by="unit", practice=practice)) if ids else {}
        rows = [(s, overall(per.get(s.path, {}))) for s in page]
    totals = merged(groups.values())
    by_questionnaire = [(names.get(c, c), kinds.get(k, k), f) for c, k, f in ordered(totals, config)]
    waiting = None
    if not practice and unit.level in (Level.SCHOOL, Level.COUNTY):
        waiting = Paginator(waiting_list(scope=scope, cycle=cycle, unit=unit), PAGE_SIZE).get_page(
            request.GET.get("wpage"))
    digest = repr((
        practice, get_language(), request.GET.urlencode(),
        [(n, str(k), f.values()) for n, k, f in by_questionnaire],
        [(p.pk, f.values()) for p, f in parts], [(s.pk, f.values()) for s, f in rows],
        page.number if page else 0, page.paginator.num_pages if page else 0,
        list(waiting) if waiting else [], waiting.paginator.count if waiting else 0,
    ))
    etag = '"' + hashlib.sha1(digest.encode(), usedforsecurity=False).hexdigest() + '"'
    return {
        "unit": unit, "cycle": cycle, "practice": practice, "trail": trail,
        "by_questionnaire": by_questionnaire, "total": overall(totals), "parts": parts, "rows": rows,
        "page": page, "waiting": waiting, "etag": etag,
        "query": pager_query(request.GET), "wquery": pager_query(request.GET, "wpage"),
        "poll_query": request.GET.urlencode(),
        "poll_ms": int(float(getattr(settings, "JIANCE_LIVE_POLL_SECONDS", 15)) * 1000),
    }


@login_required
@require_GET
def progress(request: HttpRequest, code: str, practice: bool) -> HttpResponse:
    response = render(request, "questionnaires/progress.html", _progress(request, code, practice))
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
def figures(request: HtmxHttpRequest, code: str, practice: bool) -> HttpResponse:
    """The figures part alone (the page polls it): 304 while the browser's copy is current."""
    page_name = "questionnaires:practice_progress" if practice else "questionnaires:progress"
    if not request.user.is_authenticated:
        from django.urls import reverse

        target = reverse(page_name, args=[code])
        if request.htmx:  # the session ended: the whole page goes to the login form
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{resolve_url(settings.LOGIN_URL)}?next={target}"
            return response
        return redirect_to_login(target)
    request.session.save = lambda must_create=False: None  # type: ignore[method-assign]  # a poll keeps the idle timeout
    ctx = _progress(request, code, practice)
    etag = str(ctx["etag"])
    sent = [t.strip().removeprefix("W/") for t in request.headers.get("If-None-Match", "").split(",")]
    response = (HttpResponseNotModified() if etag in sent
                else HttpResponse(render_to_string("questionnaires/_progress_figures.html", ctx, request)))
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    return response
