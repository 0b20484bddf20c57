"""The home page by role: what a person who does not run an office sees in a unit.

Offices (the admins and information officers, the school's officer and principal) and the
county's liaison (the county's progress, read-only) keep the unit's dashboard. Everybody else
gets cards made for their job: the custodian's boxes and hand-overs, the timekeeper's signals,
the proctor's room, the technician's computer rooms — placeholders named "测试日开放" until the
test-day issue brings them, and links only to pages they may open — and the inspector's and
supervisor's sample schools with their status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiance.accounts import roles
from jiance.accounts.models import Role
from jiance.cycles.models import CycleParticipant
from jiance.units.models import Level, Unit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from jiance.accounts.scoping import Scope
    from jiance.cycles.models import Cycle

# Who gets the unit's dashboard (tasks, what the units below still owe, the apps' links).
DASHBOARD_ROLES: roles.Roles = (*roles.OFFICES, *roles.SCHOOL_OFFICE, Role.COUNTY_LIAISON)
# Who oversees the sample schools of their area without acting in them.
OVERSIGHT_ROLES: roles.Roles = (Role.SUPERVISOR, Role.INSPECTOR)
# Who may open the school's test-day page (jiance.testday.selectors.SCHOOL_VIEW_ROLES, held at the school).
TESTDAY_SCHOOL_ROLES: roles.Roles = roles.SCHOOL_TESTDAY


@dataclass(frozen=True)
class RoleCard:
    """One card of a role's home: what the role does, what will be here on test day (`later`),
    and the pages that exist now and that the role may open."""

    role: str
    title: StrOrPromise
    text: StrOrPromise
    later: StrOrPromise = ""
    links: tuple[tuple[StrOrPromise, str], ...] = ()


@dataclass(frozen=True)
class SchoolStatus:
    unit: Unit
    stages: int  # sampled stages (rosters expected)
    submitted: int  # rosters past the school's own step
    approved: int


@dataclass
class RoleHome:
    cards: list[RoleCard] = field(default_factory=list)
    schools: list[SchoolStatus] | None = None  # the oversight list (None: not an overseer here)


def uses_dashboard(held: set[str]) -> bool:
    return bool(held & set(DASHBOARD_ROLES))


def _testday_link(unit: Unit) -> tuple[tuple[StrOrPromise, str], ...]:
    if unit.level != Level.SCHOOL:
        return ()
    return ((_("本校测试日安排"), reverse("testday:school", args=(unit.code,))),)


def role_cards(unit: Unit, held: set[str]) -> list[RoleCard]:
    cards = []
    if Role.CUSTODIAN in held:
        cards.append(RoleCard(
            Role.CUSTODIAN, _("保密材料与交接"),
            _("负责监测工具（试卷箱）的接收、保管、分发与回收，确保全程保密。"),
            links=((_("扫码登记交接"), reverse("custody:unit", args=(unit.code,))), *_testday_link(unit)),
        ))
    if Role.CHIEF_PROCTOR in held or Role.PROCTOR in held:
        role = Role.CHIEF_PROCTOR if Role.CHIEF_PROCTOR in held else Role.PROCTOR
        cards.append(RoleCard(
            role, _("我的测试室"),
            _("测试室、座位表和缺考登记在本校测试日安排中查看。"),
            later=_("本人负责的测试室、到场签到与各场次的现场记录。"),
            links=_testday_link(unit),
        ))
    if Role.TECHNICIAN in held:
        cards.append(RoleCard(
            Role.TECHNICIAN, _("计算机教室"),
            _("负责计算机测试教室和机位的准备与测试中的技术保障。"),
            later=_("计算机教室与机位检查清单、测试中的故障登记。"),
        ))
    if Role.TIMEKEEPER in held:
        cards.append(RoleCard(
            Role.TIMEKEEPER, _("打铃信号"),
            _("负责按统一时间发出各场次的预备、开始与结束信号。"),
            later=_("各场次的信号时间表与发出记录。"),
        ))
    return cards


def school_statuses(*, scope: Scope, cycle: Cycle, unit: Unit) -> list[SchoolStatus]:
    """The sample schools in `unit`'s subtree (in scope, taking part in `cycle`) with how far their
    rosters went: two queries, counted in the database."""
    from jiance.rosters.models import RosterStatus

    school_ids = CycleParticipant.objects.filter(cycle=cycle, unit__level=Level.SCHOOL).values("unit_id")
    schools = (
        scope.filter(Unit.objects.filter(pk__in=school_ids, is_active=True, path__startswith=unit.path),
                     unit_field="self")
        .annotate(
            n_stages=Count("rosters", filter=Q(rosters__cycle=cycle), distinct=True),
            n_submitted=Count("rosters", distinct=True, filter=Q(rosters__cycle=cycle) & ~Q(
                rosters__status__in=(RosterStatus.DRAFT, RosterStatus.SUBMITTED, RosterStatus.RETURNED))),
            n_approved=Count("rosters", distinct=True,
                           filter=Q(rosters__cycle=cycle, rosters__status=RosterStatus.APPROVED)),
        ).order_by("path")
    )
    return [SchoolStatus(s, s.n_stages, s.n_submitted, s.n_approved) for s in schools]  # type: ignore[attr-defined]


def role_home(*, scope: Scope, cycle: Cycle | None, unit: Unit, held: set[str]) -> RoleHome:
    home = RoleHome(cards=role_cards(unit, held))
    if held & set(OVERSIGHT_ROLES):
        home.schools = school_statuses(scope=scope, cycle=cycle, unit=unit) if cycle is not None else []
    return home
