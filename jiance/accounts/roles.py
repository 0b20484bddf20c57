"""The one role registry: named sets of roles, each meaning one thing everywhere.

Apps import these names instead of spelling tuples of roles of their own. A set is named by what
the people in it do, not by the app that first needed it; an app that needs a new combination
adds it here, so two apps can never mean different people by the same word.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from jiance.accounts.models import Role
from jiance.units.models import Level, Unit

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpResponse

    from jiance.accounts.scoping import Scope

Roles = tuple[str, ...]

# --- one level each ------------------------------------------------------------------------------
# The school's information officer: enters and submits the school's data.
SCHOOL_OFFICER: Roles = (Role.SCHOOL_INFO_OFFICER,)
# The principal: checks the school's data before it goes up, signs what the school sends.
PRINCIPAL: Roles = (Role.PRINCIPAL,)
# The school office: officer and principal (both see and fill in the school's reports).
SCHOOL_OFFICE: Roles = (Role.SCHOOL_INFO_OFFICER, Role.PRINCIPAL)
# School staff on test day, who see the school's test-day pages.
SCHOOL_TESTDAY: Roles = (*SCHOOL_OFFICE, Role.CUSTODIAN, Role.CHIEF_PROCTOR, Role.PROCTOR)
# The county office that reports and reviews (实施办 head and information officer).
COUNTY_OFFICE: Roles = (Role.COUNTY_ADMIN, Role.COUNTY_INFO_OFFICER)
# The county office plus its liaison (follows test-day work, cannot decide reviews).
COUNTY_STAFF: Roles = (*COUNTY_OFFICE, Role.COUNTY_LIAISON)
# The county inspector (责任督学 / 区县巡视员): on site at a sample school on test day, confirms what
# the school records (incidents, absences) [003].
INSPECTOR: Roles = (Role.INSPECTOR,)
# The city office that reviews its counties.
CITY_OFFICE: Roles = (Role.CITY_ADMIN, Role.CITY_INFO_OFFICER)
# The city and every level above it: draw samples, see sampled students before release, oversee.
CITY_AND_ABOVE: Roles = (*CITY_OFFICE, Role.PROVINCE_ADMIN, Role.CENTRE_ADMIN)
CITY_AND_ABOVE_LEVELS: tuple[str, ...] = (Level.CITY, Level.PROVINCE, Level.CENTRE)
# Who watches test day as it happens (the live progress pages): the school's test-day staff, the
# county staff, the city and above.
TESTDAY_WATCHERS: Roles = (*SCHOOL_TESTDAY, *COUNTY_STAFF, *CITY_AND_ABOVE)

# --- across levels -------------------------------------------------------------------------------
ADMINS: Roles = (Role.CENTRE_ADMIN, Role.PROVINCE_ADMIN, Role.CITY_ADMIN, Role.COUNTY_ADMIN)
# Offices that manage data of the units below them (units, accounts, reviews).
OFFICES: Roles = (*ADMINS, Role.CITY_INFO_OFFICER, Role.COUNTY_INFO_OFFICER)
# The county office and everything above it: overviews of many schools.
COUNTY_AND_ABOVE: Roles = (*COUNTY_OFFICE, *CITY_AND_ABOVE)
# Every office that submits or reviews implementation documents at some level.
DOCUMENT_OFFICES: Roles = (*SCHOOL_OFFICE, *OFFICES)
# Who may see full ID numbers: the school's officer and principal while entering and checking.
UNMASK_ID: Roles = SCHOOL_OFFICE
# Who manages accounts and role assignments in the units below them.
ACCOUNT_MANAGERS: Roles = ADMINS
# Who imports and exports the unit hierarchy below them (never at a school): the offices.
UNIT_MANAGERS: Roles = OFFICES
# Who manages a monitoring cycle (edits, copies, activates it): the centre for national cycles,
# the province's or city's head of office for its own programme.
CYCLE_MANAGERS: Roles = (Role.CENTRE_ADMIN, Role.PROVINCE_ADMIN, Role.CITY_ADMIN)
# Who reports an incident to the monitoring centre after handling (Chongqing: 市级视导员 [003]).
CENTRE_REPORTERS: Roles = (*CITY_AND_ABOVE, Role.SUPERVISOR)
# Who keeps the local supervision line on test day (值守并做电话记录 [000, 001, 002]).
HOTLINE_KEEPERS: Roles = COUNTY_STAFF
# Who reads a county's incidents and hotline: its staff, its inspectors and supervisors, and above.
INCIDENT_OVERSEERS: Roles = (*COUNTY_STAFF, Role.INSPECTOR, Role.SUPERVISOR, *CITY_AND_ABOVE)
# Who reads a school's incidents: its test-day staff and everyone overseeing it.
INCIDENT_READERS: Roles = (*SCHOOL_TESTDAY, *INCIDENT_OVERSEERS)
# Test day in the rooms (proctoring): who runs a room's session (start, pause, continue, end) —
# the school office, the room's proctors and, for a computer room, the technician.
ROOM_STAFF: Roles = (*SCHOOL_OFFICE, Role.CHIEF_PROCTOR, Role.PROCTOR, Role.TECHNICIAN)
# Who checks students in (检录): the room staff and the county inspector (区县巡视员 [003]).
CHECKIN_STAFF: Roles = (*ROOM_STAFF, Role.INSPECTOR)
# Who keeps the site's time (司时员) and who may open the timekeeper's page.
TIMEKEEPING: Roles = (Role.TIMEKEEPER, *SCHOOL_OFFICE, Role.CHIEF_PROCTOR, Role.PROCTOR, Role.TECHNICIAN,
                      Role.INSPECTOR)
# Who records a discipline case (违纪): the school office, the proctors and the inspector.
DISCIPLINE_RECORDERS: Roles = (*SCHOOL_OFFICE, Role.CHIEF_PROCTOR, Role.PROCTOR, Role.INSPECTOR)
# Who confirms a discipline case or an incident the school recorded: the county inspector (责任督学).
INSPECTORS: Roles = (Role.INSPECTOR,)
# Who finds the proctoring pages in the nav: the school's own test-day staff, and the watchers.
PROCTORING_NAV: Roles = (*SCHOOL_OFFICE, Role.CHIEF_PROCTOR, Role.PROCTOR, Role.TIMEKEEPER)
# Who watches the rooms and the discipline cases of many schools on test day.
ROOM_WATCHERS: Roles = (*COUNTY_STAFF, Role.INSPECTOR, Role.SUPERVISOR, *CITY_AND_ABOVE)
# Who may cancel a session paused for more than an hour (the city decides [003]).
SESSION_CANCELLERS: Roles = CITY_OFFICE
# Computer-based tests: who clicks 准备考试 → 开始考试 → 结束考试 for a computer room — the
# technician (计算机技术员 operates the teacher console [003]) and the chief proctor.
CBT_SESSION_CONTROL: Roles = (Role.TECHNICIAN, Role.CHIEF_PROCTOR)
# Who imports and exports a cycle's test items (the centre, or the owner office of its programme).
CBT_ITEM_KEEPERS: Roles = CYCLE_MANAGERS
# Singing and spoken-English recordings (issue 13): who follows the recording progress of a school
# and below (students, tasks, states; never the sound), and who may play a recording (audited).
RECORDING_MONITORS: Roles = (*SCHOOL_OFFICE, Role.CHIEF_PROCTOR, Role.TECHNICIAN, *COUNTY_STAFF, *CITY_AND_ABOVE)
RECORDING_REVIEWERS: Roles = (*COUNTY_OFFICE, *CITY_AND_ABOVE)
# PE field test (体育现场测试记录卡 [002]): the school's information officer enters the cards; the PE
# proctors (体育监测员, whose test-day account is a proctor's: the staffing rule `account: proctor`)
# check them — never the card they entered themselves; the school office, the county staff and the
# city and above read the progress figures (not the values); the centre exports the checked cards.
FIELDTEST_ENTRY: Roles = SCHOOL_OFFICER
PE_PROCTORS: Roles = (Role.PROCTOR, Role.CHIEF_PROCTOR)
FIELDTEST_VALUES: Roles = (*FIELDTEST_ENTRY, *PE_PROCTORS)
FIELDTEST_READERS: Roles = (*SCHOOL_OFFICE, *PE_PROCTORS, *COUNTY_STAFF, *CITY_AND_ABOVE)
FIELDTEST_EXPORTERS: Roles = (Role.CENTRE_ADMIN,)
# Who reads the audit log of their subtree: the offices, and a principal for the school.
AUDIT_READERS: Roles = (*OFFICES, Role.PRINCIPAL)


# Custody of the test materials (监测工具): the custodians (保密员) keep and hand over boxes, at the
# county (secure room) and at the school; the county office records the two-day exception's
# approval; who may seal a school's bags after a session; who oversees the boxes of their area.
MATERIAL_KEEPERS: Roles = (Role.CUSTODIAN, *COUNTY_OFFICE)
MATERIAL_APPROVERS: Roles = COUNTY_OFFICE
MATERIAL_SEALERS: Roles = (Role.CUSTODIAN, Role.CHIEF_PROCTOR, Role.PRINCIPAL, Role.INSPECTOR)
MATERIAL_OVERSIGHT: Roles = (*COUNTY_STAFF, *CITY_AND_ABOVE, Role.CUSTODIAN, Role.SUPERVISOR)
# Whom an overdue box alerts: the county and city offices and the county's custodians.
MATERIAL_ALERTED: Roles = (*COUNTY_OFFICE, *CITY_OFFICE, Role.CUSTODIAN)


# The office of each level: marks its own unit's tasks done by hand (and undoes it), confirms the
# tasks of the level below that the cycle has it confirm, receives the unit's deadline reminders,
# submits the unit's implementation documents and reviews those of the level below.
LEVEL_OFFICE: dict[str, Roles] = {
    Level.SCHOOL: SCHOOL_OFFICE,
    Level.COUNTY: COUNTY_OFFICE,
    Level.CITY: CITY_OFFICE,
    Level.PROVINCE: (Role.PROVINCE_ADMIN,),
    Level.CENTRE: (Role.CENTRE_ADMIN,),
}
# Every level's office: reads the task tables (and their evidence) of its unit and below.
ALL_OFFICES: Roles = (*SCHOOL_OFFICE, *OFFICES)


def role_assignable_by_manager(role: str, *, target_path: str, manager_paths: list[str]) -> bool:
    """An account manager grants roles in their own subtree, but admin roles only strictly below
    the units where they manage (nobody makes a peer or a superior)."""
    inside = [p for p in manager_paths if target_path.startswith(p)]
    if not inside:
        return False
    if role in ADMINS:
        return any(target_path != p for p in inside)
    return True


# --- "my unit" helpers ---------------------------------------------------------------------------
def units_at(scope: Scope, level: str, roles: Roles) -> QuerySet[Unit]:
    """Units of `level` inside the subtrees where the person holds one of `roles`."""
    return scope.units_for_roles(roles).filter(level=level, is_active=True).order_by("path")


def _held_at(scope: Scope, level: str, roles: Roles) -> Unit | None:
    wanted = set(roles)
    ids = [g.unit_id for g in scope.grants if g.role in wanted and g.unit_level == level]
    if not ids:
        return None
    return Unit.objects.filter(pk__in=ids, is_active=True).order_by("path").first()


def my_school(scope: Scope, roles: Roles = SCHOOL_TESTDAY) -> Unit | None:
    """The school where the person holds one of `roles` themself (the first, for a person in
    several). A role held at a county is nobody's school: a county custodian is not the first
    school's custodian (units_at() lists the schools below a county role)."""
    return _held_at(scope, Level.SCHOOL, roles)


def my_county(scope: Scope, roles: Roles = COUNTY_STAFF) -> Unit | None:
    """The county where the person holds one of `roles` themself (the first, for a person in
    several); a role held at a city or above is no county's."""
    return _held_at(scope, Level.COUNTY, roles)


def unit_for(scope: Scope, code: str, roles: Roles) -> Unit:
    """The unit `code` of a unit's page: inside the person's scope (404 otherwise) and held with one
    of `roles` at it or above (403 otherwise)."""
    unit = scope.get_unit(code=code)
    scope.require(roles, unit)
    return unit


def my_unit_page(unit: Unit | None, url_name: str) -> HttpResponse:
    """An app's home for a person of one unit: that unit's page (`url_name` takes its code); a
    person with no such unit may not use the app (403)."""
    if unit is None:
        raise PermissionDenied
    return redirect(url_name, code=unit.code)
