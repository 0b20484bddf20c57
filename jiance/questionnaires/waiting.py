"""Who has not submitted yet, for a school's or a county's progress page: teachers, principals and
county managers by name; students by login number, and by name only where `released_sample` shows
the student to this person (from the release time on). Parents answer through anonymous links and
are counted, never listed. Names and states, never an answer; five queries whatever the size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from jiance.accounts.models import RoleAssignment
from jiance.accounts.roles import COUNTY_OFFICE, PRINCIPAL
from jiance.accounts.scoping import Scope
from jiance.questionnaires.models import Kind, Respondent, Response
from jiance.questionnaires.tally import KIND_ORDER, subtree
from jiance.rosters.models import Roster
from jiance.rosters.selectors import released_sample
from jiance.units.models import Level, Unit
from jiance_core.questionnaires.windows import questionnaires_for


@dataclass(frozen=True)
class Waiting:
    unit: str  # the school (or the county, for its managers)
    kind: str
    who: str
    questionnaire: str
    started: bool


def waiting_list(*, scope: Scope, cycle: Any, unit: Unit) -> list[Waiting]:
    config = cycle.config or {}
    names = {q["code"]: q["name"] for q in config.get("questionnaires") or []}
    kinds = dict(Kind.choices)
    within = subtree(unit)
    people = list(Respondent.objects.filter(within("unit__"), cycle=cycle).exclude(kind=Kind.PARENT)
                  .select_related("unit").order_by("unit__path", "kind", "login", "pk"))
    state: dict[tuple[int, str], bool] = {  # (respondent, code) -> submitted
        (rid, code): at is not None for rid, code, at in
        Response.objects.filter(within("respondent__unit__"), respondent__cycle=cycle, practice=False)
        .exclude(respondent__kind=Kind.PARENT)
        .values_list("respondent_id", "questionnaire__code", "submitted_at")
    } if people else {}
    visible = set(released_sample(scope=scope, cycle=cycle).filter(within("school__"))
                  .values_list("student_id", flat=True)) if any(r.kind == Kind.STUDENT for r in people) else set()
    out: list[Waiting] = []

    def add(where: str, kind: str, who: str, codes: list[str], rid: int | None) -> None:
        for code in codes:
            done = state.get((rid, code)) if rid is not None else None
            if done:
                continue
            out.append(Waiting(where, str(kinds.get(kind, kind)), who, names.get(code, code), done is False))

    has_principal = {r.unit_id for r in people if r.kind == Kind.PRINCIPAL}
    has_manager = {r.user_id for r in people if r.kind == Kind.COUNTY_MANAGER}
    for r in people:
        codes = questionnaires_for(config, r.kind, teacher_role=r.teacher_role, stage=r.stage)
        if r.kind == Kind.STUDENT:
            who = f"{r.login} · {r.name}" if r.student_id in visible else (r.login or "")
        elif r.kind == Kind.TEACHER:
            who = f"{r.name}（{r.login}）" if r.login else r.name
        else:
            who = r.name
        add(r.unit.name, r.kind, who, codes, r.pk)
    principal_codes = questionnaires_for(config, Kind.PRINCIPAL)
    if principal_codes:  # principals who have not opened the page yet: the account holding the role
        schools = {s.pk: s for s in Unit.objects.filter(
            pk__in=Roster.objects.filter(within("school__"), cycle=cycle).values("school_id")).exclude(
            pk__in=has_principal)}
        holders: dict[int, str] = {}
        for school_id, full, username in RoleAssignment.objects.filter(
                unit_id__in=list(schools), role__in=PRINCIPAL, user__is_active=True).order_by("pk").values_list(
                "unit_id", "user__full_name", "user__username"):
            holders.setdefault(school_id, full or username)
        for school in schools.values():
            add(school.name, Kind.PRINCIPAL, holders.get(school.pk, _("校长（尚无账号）")), principal_codes, None)
    manager_codes = questionnaires_for(config, Kind.COUNTY_MANAGER)
    if manager_codes and unit.level in (Level.COUNTY, Level.CITY, Level.PROVINCE, Level.CENTRE):
        seen: set[int] = set()
        for user_id, county, full, username in RoleAssignment.objects.filter(
                within("unit__"), role__in=COUNTY_OFFICE, unit__level=Level.COUNTY, user__is_active=True).exclude(
                user_id__in=has_manager).order_by("unit__path", "pk").values_list(
                "user_id", "unit__name", "user__full_name", "user__username"):
            if user_id not in seen:
                seen.add(user_id)
                add(county, Kind.COUNTY_MANAGER, full or username, manager_codes, None)
    rank = {str(kinds[k]): i for i, k in enumerate(KIND_ORDER)}
    return sorted(out, key=lambda w: (w.unit, rank.get(w.kind, 9)))
