"""Reads of leadership groups, staffing and badges, always through the Scope; and the cycle's
rules as the core checks take them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from jiance.accounts.roles import (
    ACCOUNT_MANAGERS,
    CITY_AND_ABOVE,
    CITY_OFFICE,
    COUNTY_OFFICE,
    COUNTY_STAFF,
    SCHOOL_OFFICE,
)
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.rosters.models import Teacher
from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool
from jiance.staffing.models import Badge, GroupMember, Sheet, SheetKind, StaffPost
from jiance.stages import stage_label
from jiance.testday.models import TestRoom
from jiance.units.models import Level, Unit
from jiance_core import staffing as core
from jiance_core.cycles.schema import LeadershipGroup, Staffing

# Who sees the groups and the staffing overview: the county staff, the city and above.
OVERVIEW_ROLES = (*COUNTY_STAFF, *CITY_AND_ABOVE)
# Who sees one sample school's staffing: the overview roles and the school office.
SITE_ROLES = (*OVERVIEW_ROLES, *SCHOOL_OFFICE)
# Who may open the app's home page (its nav entry).
HOME_ROLES = SITE_ROLES
# Who assigns the county's people, submits the staffing and prints badges: the county office.
COUNTY_EDIT_ROLES = COUNTY_OFFICE
# Who assigns the school's own people: the school office (and the county office above it).
SCHOOL_EDIT_ROLES = (*SCHOOL_OFFICE, *COUNTY_OFFICE)
# Who records a level's leadership group: that level's office.
GROUP_EDIT_ROLES: dict[str, tuple[str, ...]] = {Level.COUNTY: COUNTY_OFFICE, Level.CITY: CITY_OFFICE}
GROUP_LEVELS = (Level.CITY, Level.COUNTY)
# Who creates the test-day accounts: the account managers (the county admin).
ACCOUNT_ROLES = ACCOUNT_MANAGERS


def staffing_rules(cycle: Cycle) -> Staffing:
    return Staffing.model_validate(cycle.section("staffing") or {})


def group_spec(cycle: Cycle, level: str) -> LeadershipGroup | None:
    raw = (cycle.section("groups") or {}).get(level)
    return LeadershipGroup.model_validate(raw) if raw else None


# --- groups --------------------------------------------------------------------------------------
def group_unit(*, scope: Scope, code: str) -> Unit:
    unit = scope.get_unit(code=code)
    scope.require(OVERVIEW_ROLES, unit)
    if unit.level not in GROUP_LEVELS:
        from django.http import Http404

        raise Http404
    return unit


def group_members(*, scope: Scope, cycle: Cycle, unit: Unit) -> QuerySet[GroupMember]:
    return scope.filter(GroupMember.objects.filter(cycle=cycle, unit=unit)).order_by("pk")


def member_get(*, scope: Scope, pk: int) -> GroupMember:
    return scope.get(GroupMember.objects.select_related("unit", "cycle"), pk=pk)


def group_problems(*, cycle: Cycle, unit: Unit, members: list[GroupMember]) -> list[str]:
    spec = group_spec(cycle, unit.level)
    if spec is None:
        return []
    return core.check_group(spec.roles, [core.Member(m.role, m.name) for m in members], name=spec.name)


def sheet_for(*, cycle: Cycle, unit: Unit, kind: str) -> Sheet:
    """The unit's sheet (version and state), unsaved when nothing was recorded yet."""
    return Sheet.objects.filter(cycle=cycle, unit=unit, kind=kind).first() or Sheet(
        cycle=cycle, unit=unit, kind=kind, version=0
    )


# --- sample schools and their staff ---------------------------------------------------------------
def sample_sites(*, cycle: Cycle, county: Unit) -> list[Unit]:
    """The county's sample schools (published sample, in sample), by code."""
    ids = SampledSchool.objects.filter(
        draw__cycle=cycle, draw__status=DrawStatus.PUBLISHED, county=county, status=RowStatus.IN_SAMPLE,
    ).values("school_id")
    return list(Unit.objects.filter(pk__in=ids).order_by("code"))


def is_sample_site(*, cycle: Cycle, school: Unit) -> bool:
    return SampledSchool.objects.filter(
        draw__cycle=cycle, draw__status=DrawStatus.PUBLISHED, school=school, status=RowStatus.IN_SAMPLE,
    ).exists()


def site_get(*, scope: Scope, cycle: Cycle, code: str) -> Unit:
    """A sample school of the person's area (404 otherwise, a foreign one like a missing one)."""
    school = scope.get_unit(code=code, level=Level.SCHOOL)
    if not is_sample_site(cycle=cycle, school=school):
        from django.http import Http404

        raise Http404
    scope.require(SITE_ROLES, school)
    return school


def county_get(*, scope: Scope, code: str) -> Unit:
    county = scope.get_unit(code=code, level=Level.COUNTY)
    scope.require(OVERVIEW_ROLES, county)
    return county


def rooms_of(*, cycle: Cycle, school: Unit) -> list[TestRoom]:
    return list(TestRoom.objects.filter(cycle=cycle, school=school).order_by("stage", "number"))


def room_key(room: TestRoom) -> str:
    return f"{room.stage}-{room.number}"


def room_label(room: TestRoom) -> str:
    return f"{stage_label(room.stage)}第{room.number}监测室"


def core_site(school: Unit, rooms: list[TestRoom]) -> core.Site:
    return core.Site(school.code, school.name,
                     tuple(core.Room(room_key(r), room_label(r), r.kind) for r in rooms))


def core_post(p: StaffPost) -> core.Post:
    return core.Post(
        site=p.site.code, role=p.role, provided_by=p.provided_by, name=p.name, home=p.home.code,
        home_name=p.home.name, subjects=frozenset(p.subjects or ()), room=room_key(p.room) if p.room else "",
        person=f"teacher:{p.teacher_id}" if p.teacher_id else "",
    )


def posts_of(*, scope: Scope, cycle: Cycle, sites: list[Unit]) -> QuerySet[StaffPost]:
    return scope.filter(
        StaffPost.objects.filter(cycle=cycle, site__in=sites).select_related("site", "home", "room", "user"),
        unit_field="site",
    ).order_by("site__code", "pk")


def post_get(*, scope: Scope, pk: int) -> StaffPost:
    return scope.get(StaffPost.objects.select_related("site", "home", "room", "cycle"), unit_field="site", pk=pk)


@dataclass
class SiteView:
    """One sample school's form: its posts slot by slot, and the broken rules."""

    school: Unit
    rooms: list[TestRoom]
    slots: list[tuple[core.Slot, list[StaffPost]]] = field(default_factory=list)
    violations: list[core.Violation] = field(default_factory=list)
    posts: list[StaffPost] = field(default_factory=list)


def site_view(*, cycle: Cycle, school: Unit, posts: list[StaffPost], rooms: list[TestRoom] | None = None,
              rules: Staffing | None = None) -> SiteView:
    rules = rules or staffing_rules(cycle)
    rooms = rooms_of(cycle=cycle, school=school) if rooms is None else rooms
    site = core_site(school, rooms)
    mine = [p for p in posts if p.site_id == school.pk]
    view = SiteView(school, rooms, posts=mine)
    for slot in core.slots(rules.rules, site):
        held = [p for p in mine if p.role == slot.rule.role and p.provided_by == slot.rule.provided_by
                and (slot.room is None or (p.room is not None and room_key(p.room) == slot.room.key))]
        view.slots.append((slot, held))
    view.violations = core.check_site(rules.rules, site, [core_post(p) for p in mine])
    return view


@dataclass
class CountyView:
    county: Unit
    sites: list[SiteView]
    violations: list[core.Violation]
    sheet: Sheet

    @property
    def filled(self) -> int:
        return sum(1 for s in self.sites if s.posts)


def county_view(*, scope: Scope, cycle: Cycle, county: Unit) -> CountyView:
    """Every sample school of the county with its posts, and every broken rule across them."""
    rules = staffing_rules(cycle)
    sites = sample_sites(cycle=cycle, county=county)
    posts = list(posts_of(scope=scope, cycle=cycle, sites=sites))
    rooms: dict[int, list[TestRoom]] = {s.pk: [] for s in sites}
    for r in TestRoom.objects.filter(cycle=cycle, school__in=sites).order_by("stage", "number"):
        rooms[r.school_id].append(r)
    views = [site_view(cycle=cycle, school=s, posts=posts, rooms=rooms[s.pk], rules=rules) for s in sites]
    violations = core.check_county(
        rules.rules, [core_site(s, rooms[s.pk]) for s in sites], [core_post(p) for p in posts]
    )
    return CountyView(county, views, violations, sheet_for(cycle=cycle, unit=county, kind=SheetKind.STAFFING))


def counties_for(*, scope: Scope) -> QuerySet[Unit]:
    return scope.units().filter(level=Level.COUNTY, is_active=True).order_by("code")


def county_sheets(*, cycle: Cycle, counties: list[Unit]) -> dict[int, Sheet]:
    return {s.unit_id: s for s in Sheet.objects.filter(cycle=cycle, unit__in=counties, kind=SheetKind.STAFFING)}


# --- badges ---------------------------------------------------------------------------------------
def badges_of(*, scope: Scope, cycle: Cycle, county: Unit) -> QuerySet[Badge]:
    return scope.filter(Badge.objects.filter(cycle=cycle, site__path__startswith=county.path), unit_field="site").order_by(
        "site__code", "pk"
    )


def badge_get(*, scope: Scope, pk: int) -> Badge:
    return scope.get(Badge.objects.select_related("site", "cycle"), unit_field="site", pk=pk)


def badge_by_token(token: str) -> Badge | None:
    """The public verification: a badge by its unguessable token, nothing else."""
    return Badge.objects.filter(token=token).first()


# --- people from the teacher roster ---------------------------------------------------------------
# Teacher roster roles (`rosters.TeacherRole`) → the subjects the staffing rules name.
ROSTER_SUBJECTS = {"chinese": "chinese", "math": "math", "english": "english", "music": "music", "art": "art",
                   "science": "science", "other": "other"}


def teacher_subjects(teacher: Teacher) -> list[str]:
    return sorted({ROSTER_SUBJECTS[r] for r in (teacher.roles or []) if r in ROSTER_SUBJECTS})


def teachers_for(*, scope: Scope, cycle: Cycle, schools: list[Unit]) -> QuerySet[Teacher]:
    """Teachers on the rosters of `schools` in the cycle (subjects known), inside the scope."""
    return scope.filter(
        Teacher.objects.filter(roster__cycle=cycle, roster__school__in=schools).select_related("roster__school"),
        unit_field="roster__school",
    ).order_by("roster__school__code", "name", "pk")
