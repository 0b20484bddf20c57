"""Progress of the questionnaires per questionnaire and respondent kind (问卷调查进度管理系统, SPEC §12).

Counts only, never an answer, for the whole cycle (the live page's source, `progress.py`, counts
one day). For each (questionnaire code, respondent kind):

- *invited*: the slips and parent links issued (each respondent × every questionnaire of its kind,
  stage and chosen teacher role), one principal per sample school (whether or not the principal
  has opened the page yet), one county manager per account holding a county office role;
- *started*: a response not yet submitted; *submitted*: done; *not started*: the rest.

Real and practice (模拟练习) responses are counted by separate calls (`practice=`), never added
together. Every figure comes from the database grouped (`GROUP BY`) by a key — the county of each
row, or each unit — so a call costs four queries whatever the number of schools.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, When
from django.db.models.expressions import Combinable

from jiance.accounts.models import RoleAssignment
from jiance.accounts.roles import COUNTY_OFFICE
from jiance.questionnaires.models import Kind, Respondent, Response
from jiance.rosters.models import Roster
from jiance.units.models import Level, Unit, subtree_upper_bound
from jiance_core.questionnaires.windows import questionnaires_for

Key = tuple[str, str]  # (questionnaire code, respondent kind)
Units = Callable[[str], Q]  # the units counted: a Q on the unit reached through a prefix ("unit__")
KIND_ORDER = [k.value for k in Kind]


@dataclass
class Figures:
    invited: int = 0
    started: int = 0
    submitted: int = 0

    @property
    def not_started(self) -> int:
        return max(0, self.invited - self.started - self.submitted)

    @property
    def percent(self) -> int:
        """Submitted out of invited, rounded down (100 only when everyone has submitted)."""
        return self.submitted * 100 // self.invited if self.invited else 0

    def add(self, other: Figures) -> None:
        self.invited += other.invited
        self.started += other.started
        self.submitted += other.submitted

    def values(self) -> tuple[int, int, int, int]:
        return (self.invited, self.not_started, self.started, self.submitted)


def subtree(unit: Unit) -> Units:
    """The unit and everything below it."""
    return lambda p: Q(**{f"{p}path__gte": unit.path, f"{p}path__lt": subtree_upper_bound(unit.path)})


def unit_ids(ids: Iterable[int]) -> Units:
    wanted = list(ids)
    return lambda p: Q(**{f"{p}pk__in": wanted})


def _key(prefix: str, by: str) -> Combinable:
    """The grouping key of a row reached through `prefix`: its unit's path (`by="unit"`) or its
    county's (`by="county"`: a school's parent, a county itself)."""
    if by == "unit":
        return F(f"{prefix}path")
    return Case(When(**{f"{prefix}level": Level.COUNTY}, then=F(f"{prefix}path")),
                default=F(f"{prefix}parent__path"), output_field=CharField())


def tally(*, cycle: Any, units: Units, by: str = "county", practice: bool = False) -> dict[str, dict[Key, Figures]]:
    """Per key (a unit's path, see `_key`) the figures of each (questionnaire, kind). Four queries."""
    config = cycle.config or {}
    out: dict[str, dict[Key, Figures]] = defaultdict(lambda: defaultdict(Figures))
    codes: dict[tuple[str, str, str], list[str]] = {}

    def due(kind: str, stage: str = "junior", role: str = "") -> list[str]:
        if (kind, stage, role) not in codes:
            codes[(kind, stage, role)] = questionnaires_for(config, kind, teacher_role=role, stage=stage)
        return codes[(kind, stage, role)]

    people = (Respondent.objects.filter(units("unit__"), cycle=cycle)
              .exclude(kind__in=(Kind.PRINCIPAL, Kind.COUNTY_MANAGER))
              .annotate(key=_key("unit__", by)).values("key", "kind", "stage", "teacher_role")
              .annotate(n=Count("pk")).order_by())
    for row in people:
        for code in due(row["kind"], row["stage"], row["teacher_role"]):
            out[row["key"]][(code, row["kind"])].invited += row["n"]
    principal_codes = due(Kind.PRINCIPAL)
    if principal_codes:
        schools = (Roster.objects.filter(units("school__"), cycle=cycle).annotate(key=_key("school__", by))
                   .values("key").annotate(n=Count("school", distinct=True)).order_by())
        for row in schools:
            for code in principal_codes:
                out[row["key"]][(code, Kind.PRINCIPAL)].invited += row["n"]
    manager_codes = due(Kind.COUNTY_MANAGER)
    if manager_codes:
        managers = (RoleAssignment.objects.filter(units("unit__"), role__in=COUNTY_OFFICE, unit__level=Level.COUNTY,
                                                  user__is_active=True)
                    .filter(Q(cycle__isnull=True) | Q(cycle=cycle))
                    .values(key=F("unit__path")).annotate(n=Count("user", distinct=True)).order_by())
        for row in managers:
            for code in manager_codes:
                out[row["key"]][(code, Kind.COUNTY_MANAGER)].invited += row["n"]
    answered = (Response.objects.filter(units("respondent__unit__"), respondent__cycle=cycle, practice=practice)
                .annotate(key=_key("respondent__unit__", by))
                .values("key", "questionnaire__code", "respondent__kind")
                .annotate(started=Count("pk", filter=Q(submitted_at__isnull=True)),
                          submitted=Count("pk", filter=Q(submitted_at__isnull=False))).order_by())
    for row in answered:
        f = out[row["key"]][(row["questionnaire__code"], row["respondent__kind"])]
        f.started += row["started"]
        f.submitted += row["submitted"]
    return {k: dict(v) for k, v in out.items()}


def merged(groups: Iterable[Mapping[Key, Figures]]) -> dict[Key, Figures]:
    total: dict[Key, Figures] = defaultdict(Figures)
    for group in groups:
        for key, f in group.items():
            total[key].add(f)
    return dict(total)


def overall(group: Mapping[Key, Figures]) -> Figures:
    total = Figures()
    for f in group.values():
        total.add(f)
    return total


def ordered(group: Mapping[Key, Figures], config: Mapping[str, Any]) -> list[tuple[str, str, Figures]]:
    """(questionnaire code, kind, figures) in the cycle's order of questionnaires, then of kinds."""
    order = {q.get("code"): i for i, q in enumerate(config.get("questionnaires") or [])}
    keys = sorted(group, key=lambda k: (order.get(k[0], len(order)), k[0], KIND_ORDER.index(k[1])
                                        if k[1] in KIND_ORDER else len(KIND_ORDER)))
    return [(code, kind, group[(code, kind)]) for code, kind in keys]
