"""The 问卷调查进度管理系统 page: per school of a unit (school, county, city…), today's counts —
invited, not started, in progress, submitted, practice — and, for a school, who has not submitted
yet (teachers and the principal by name; students by login number only before the release).
Counts and names, never an answer."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jiance import clock
from jiance.accounts.roles import CITY_AND_ABOVE, COUNTY_STAFF, SCHOOL_OFFICE
from jiance.accounts.scoping import get_scope
from jiance.cycles.selectors import current_cycle
from jiance.questionnaires.models import Kind, Respondent, Response
from jiance.questionnaires.progress import COLUMNS, school_progress
from jiance.questionnaires.selectors import codes_for
from jiance.rosters.models import Roster
from jiance.rosters.selectors import released_sample
from jiance.units.models import Level, Unit

PROGRESS_ROLES = (*SCHOOL_OFFICE, *COUNTY_STAFF, *CITY_AND_ABOVE)


@login_required
@require_GET
def progress(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    unit = scope.get_unit(code=code)
    scope.require(PROGRESS_ROLES, unit)
    cycle = current_cycle(scope=scope)
    day = clock.today()
    school_ids = list(
        Roster.objects.filter(cycle=cycle).filter(school__in=Unit.objects.subtree_of(unit).schools())
        .values_list("school_id", flat=True).distinct()
    )
    counts = school_progress(cycle=cycle, school_ids=school_ids, day=day)
    schools = {u.pk: u for u in Unit.objects.filter(pk__in=school_ids)}
    rows = [(schools[pk], [counts.get(pk, {}).get(k, 0) for k, _label in COLUMNS])
            for pk in sorted(school_ids, key=lambda pk: schools[pk].path)]
    totals = [sum(r[1][i] for r in rows) for i in range(len(COLUMNS))]
    waiting: list[tuple[str, str, str]] = []
    if unit.level == Level.SCHOOL:
        visible = set(released_sample(scope=scope, cycle=cycle).filter(school=unit).values_list("student_id", flat=True))
        submitted = set(Response.objects.filter(respondent__unit=unit, practice=False, submitted_at__isnull=False)
                        .values_list("respondent_id", "questionnaire__code"))
        names = {q["code"]: q["name"] for q in cycle.config.get("questionnaires") or []}
        for r in Respondent.objects.filter(cycle=cycle, unit=unit).exclude(kind=Kind.PARENT).order_by("kind", "login"):
            for qcode in codes_for(r):
                if (r.pk, qcode) in submitted:
                    continue
                shown = r.name if r.kind != Kind.STUDENT or r.student_id in visible else (r.login or "")
                waiting.append((str(r.get_kind_display()), shown, names.get(qcode, qcode)))
    return render(request, "questionnaires/progress.html", {
        "unit": unit, "cycle": cycle, "day": day, "columns": [label for _k, label in COLUMNS], "rows": rows,
        "totals": totals, "waiting": waiting,
    })
