"""The demo: a realistic 南昌市 with an active cycle, progress and one account per role, and the
chain of work as it stands some ten days before test day (frames approved, the sample schools
drawn and published, 南昌县's rosters under review: `jiance.web.demo`).

`demo_build(*, seed, today)` writes everything in one transaction (bulk inserts for the hierarchy,
the real services for the chain; a few seconds);
`demo_present()` tells whether the database already holds it, so `jiance demo` can reuse it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import transaction

from jiance import clock
from jiance.accounts.models import Role, RoleAssignment, User
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.cycles.models import Cycle, CycleParticipant, Milestone, MilestoneCompletion
from jiance.cycles.services import TEMPLATES_DIR, cycle_activate, cycle_copy, cycle_load_file
from jiance.units.models import Level, Unit
from jiance.web.demo import (
    ChainSummary,
    StaffingSummary,
    build_documents,
    build_rosters,
    build_sample,
    build_staffing,
    draw_students,
    pick_demo_school,
)
from jiance.web.demo.custody import build_custody
from jiance.web.demo.milestones import build_marks_and_reminders
from jiance.web.demo.proctoring import build_proctoring
from jiance.web.demo.questionnaires import build_questionnaires
from jiance.web.demo_data import CENTRE, CITY, PROVINCE, nanchang_units

# One fixed, strong password for every demo account (printed by `jiance demo`).
DEMO_PASSWORD = "Jiance-Demo-2022!"
DEMO_COUNTY_CODE = "360121"  # 南昌县: a national sample county in 2022 [000]
ACTIVE_TEMPLATE = "national-2022"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    where: str  # centre | province | city | county | school
    full_name: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("centre.admin", Role.CENTRE_ADMIN, "centre", "郑国华"),
    DemoAccount("jiangxi.admin", Role.PROVINCE_ADMIN, "province", "胡建平"),
    DemoAccount("nanchang.admin", Role.CITY_ADMIN, "city", "刘晓燕"),
    DemoAccount("nanchang.info", Role.CITY_INFO_OFFICER, "city", "万志强"),
    DemoAccount("ncx.admin", Role.COUNTY_ADMIN, "county", "熊文斌"),
    DemoAccount("ncx.info", Role.COUNTY_INFO_OFFICER, "county", "涂丽萍"),
    DemoAccount("ncx.liaison", Role.COUNTY_LIAISON, "county", "邓海峰"),
    DemoAccount("ncx.supervisor", Role.SUPERVISOR, "county", "黄秀英"),
    DemoAccount("ncx.inspector", Role.INSPECTOR, "county", "喻建国"),
    DemoAccount("ncx.custodian", Role.CUSTODIAN, "county", "罗春华"),
    DemoAccount("school.principal", Role.PRINCIPAL, "school", "章明亮"),
    DemoAccount("school.info", Role.SCHOOL_INFO_OFFICER, "school", "付晓婷"),
    DemoAccount("school.custodian", Role.CUSTODIAN, "school", "杨桂芬"),
    DemoAccount("school.chief", Role.CHIEF_PROCTOR, "school", "陈志军"),
    DemoAccount("school.proctor", Role.PROCTOR, "school", "吴玉洁"),
    DemoAccount("school.tech", Role.TECHNICIAN, "school", "周鹏飞"),
    DemoAccount("school.timekeeper", Role.TIMEKEEPER, "school", "李慧敏"),
)


@dataclass
class DemoSummary:
    units: int = 0
    schools: int = 0
    cycles: list[str] = field(default_factory=list)
    active_cycle: str = ""
    completions: int = 0
    accounts: list[tuple[DemoAccount, Unit]] = field(default_factory=list)
    source: str = ""
    chain: ChainSummary = field(default_factory=ChainSummary)
    staffing: StaffingSummary | None = None
    incidents: str = ""  # the test-day demo's incidents and hotline calls, one line
    questionnaire_answers: int = 0  # practice answers saved (jiance.web.demo.questionnaires)


def demo_present() -> bool:
    """True when the demo has been built in this database (its accounts exist)."""
    return User.objects.filter(username=DEMO_ACCOUNTS[0].username).exists()


def demo_accounts() -> list[tuple[DemoAccount, Unit | None]]:
    """The demo accounts with the unit each one works in (None if missing)."""
    units = dict(
        RoleAssignment.objects.filter(user__username__in=[a.username for a in DEMO_ACCOUNTS])
        .select_related("unit", "user")
        .values_list("user__username", "unit")
    )
    by_pk = Unit.objects.in_bulk([u for u in units.values() if u])
    return [(a, by_pk.get(units.get(a.username))) for a in DEMO_ACCOUNTS]


# --- cycles --------------------------------------------------------------------------------------


# The moment of the monitoring the demo stands at: some ten days before test day (rosters under
# review), on the first test day (the sample drawn, the list released at the release time), or
# two days after it (the after-test reporting open).
DEMO_PHASES = ("before", "testday", "after")
# The moment of the test-day demo: the second test day at 10:30 — the first day complete (every
# session ended, boxes back but one, incidents closed and open), the second in progress (the arts
# test ended, the English test under way, the staff questionnaires open since 09:00). `make
# demo-testday` serves it with the clock started there (`jiance serve --test-day 2 10:30`). A
# cycle with a single test day has no honest overdue box at 10:30, so there the demo stands at
# DEMO_SINGLE_DAY_TIME, after the return time (every session over, one box not back).
DEMO_TESTDAY_TIME = dt.time(10, 30)
DEMO_SINGLE_DAY_TIME = dt.time(18, 30)


def demo_stand_day(test_days: list[dt.date]) -> tuple[int, dt.time]:
    """(the number, 1-based, of the test day the test-day demo stands on, its time of day)."""
    return (2, DEMO_TESTDAY_TIME) if len(test_days) >= 2 else (1, DEMO_SINGLE_DAY_TIME)


def demo_template_days() -> list[dt.date]:
    """The test days of the template the demo's cycle is copied from (read from its file, so the
    command knows the demo's moment before anything is built)."""
    from jiance_core.cycles.loader import load_template

    return list(load_template(TEMPLATES_DIR / f"{ACTIVE_TEMPLATE}.yaml").test_days)


def first_test_day_target(today: dt.date, first_day: dt.date, phase: str = "before",
                          stand_day: dt.date | None = None) -> int:
    """Days to shift a cycle so its first test day falls 8-14 days after `today`, keeping weekdays
    ("before"); so that `stand_day` (the test day the test-day demo stands on, by default the
    first) falls on `today` ("testday"); or the first test day two days before `today` ("after"),
    weekdays as they fall."""
    if phase == "testday":
        return (today - (stand_day or first_day)).days
    if phase == "after":
        return (today - dt.timedelta(days=2) - first_day).days
    gap = (today + dt.timedelta(days=8) - first_day).days
    return -(-gap // 7) * 7


# --- the build -----------------------------------------------------------------------------------


def _bulk_units(rows: list[Unit]) -> None:
    for u in rows:
        u.path = Unit.path_for(u.code, u.parent)
    Unit.objects.bulk_create(rows, batch_size=500)


@transaction.atomic
def demo_build(*, seed: int = 2022, today: dt.date | None = None, phase: str = "before") -> DemoSummary:
    """Build the whole demo, standing at `phase` (see DEMO_PHASES). Deterministic for a given
    seed, day and phase."""
    if phase not in DEMO_PHASES:
        raise ValueError(f"phase must be one of {DEMO_PHASES}")
    today = today or clock.today()
    rng = np.random.default_rng(seed)
    data = nanchang_units(seed)
    summary = DemoSummary(source=data.source)

    centre = Unit.objects.create(code=CENTRE[0], name=CENTRE[1], level=Level.CENTRE)
    province = Unit.objects.create(code=PROVINCE[0], name=PROVINCE[1], level=Level.PROVINCE,
                                   parent=centre)
    city = Unit.objects.create(code=CITY[0], name=CITY[1], level=Level.CITY, parent=province)
    counties = [Unit(code=c.code, name=c.name, level=Level.COUNTY, parent=city, county_kind=c.kind)
                for c in data.counties]
    _bulk_units(counties)
    county_by_code = {c.code: c for c in Unit.objects.filter(level=Level.COUNTY, parent=city)}
    schools = [
        Unit(code=s.code, name=s.name, level=Level.SCHOOL, parent=county_by_code[s.county_code],
             school_type=s.school_type, nature=s.nature, area=s.area, affiliation=s.affiliation)
        for s in data.schools
    ]
    _bulk_units(schools)
    summary.units = 3 + len(counties) + len(schools)
    summary.schools = len(schools)

    # Cycles: every shipped template as a draft; last cycle copied and shifted, active.
    for path in sorted(TEMPLATES_DIR.glob("*.yaml")):
        summary.cycles.append(cycle_load_file(path=path, owner=centre).code)
    base = Cycle.objects.get(code=ACTIVE_TEMPLATE)
    number, _time = demo_stand_day(base.test_days)
    days = first_test_day_target(today, min(base.test_days), phase, sorted(base.test_days)[number - 1])
    # The chain up to the rosters happens as in the "before" story, just that many days earlier.
    story_day = today - dt.timedelta(days=first_test_day_target(today, min(base.test_days)) - days)
    year = (min(base.test_days) + dt.timedelta(days=days)).year
    code = f"national-{year}"
    if Cycle.objects.filter(code=code).exists():  # a shipped template of that year
        code += "-demo"
    active = cycle_activate(cycle=cycle_copy(source=base, days=days, new_code=code))
    summary.active_cycle = active.code

    # Participants: the 12 counties (the draw covers the counties taking part).
    counties = counties_in(city)
    CycleParticipant.objects.bulk_create(CycleParticipant(cycle=active, unit=c, coordinator=city) for c in counties)
    county = county_by_code.get(DEMO_COUNTY_CODE) or counties[0]

    # Accounts first: the chain below is written by them (and by stand-ins where none works).
    hashed = make_password(DEMO_PASSWORD)
    User.objects.bulk_create(
        User(username=a.username, full_name=a.full_name, password=hashed, must_change_password=False)
        for a in DEMO_ACCOUNTS
    )
    by_name = {u.username: u for u in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])}
    where: dict[str, Unit] = {"centre": centre, "province": province, "city": city, "county": county}
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=by_name[a.username], role=a.role, unit=where[a.where])
        for a in DEMO_ACCOUNTS if a.where != "school"
    )

    # Frames reported and approved, the sample drawn and published; its schools take part.
    chain = ChainSummary()
    sample = build_sample(cycle=active, city=city, counties=counties, demo_county=county, data=data, seed=seed,
                          today=story_day, users=by_name, summary=chain, complete=phase != "before")
    by_county = sample.schools_by_county()
    CycleParticipant.objects.bulk_create(
        CycleParticipant(cycle=active, unit=s, coordinator_id=county_id)
        for county_id, rows in by_county.items() for s in rows
    )
    demo_school = pick_demo_school(sample, county) or Unit.objects.filter(parent=county).order_by("code").first()
    if demo_school is None:
        raise RuntimeError("演示数据：南昌县没有学校")
    where["school"] = demo_school
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=by_name[a.username], role=a.role, unit=demo_school)
        for a in DEMO_ACCOUNTS if a.where == "school"
    )
    build_rosters(cycle=active, sample=sample, demo_county=county, demo_school=demo_school, data=data, seed=seed,
                  today=story_day, users=by_name, summary=chain, all_approved=phase != "before")
    if phase != "before":
        # two days before the first test day (the stand day is the second in the test-day demo)
        draw_students(cycle=active, county=county, seed=seed, today=min(active.test_days) if phase == "testday"
                      else today, users=by_name, summary=chain)
    if phase == "testday":
        build_proctoring(cycle=active, county=county, demo_school=demo_school, users=by_name, today=today)
        chain.custody = build_custody(cycle=active, county=county, demo_school=demo_school, users=by_name,
                                      today=today, password=DEMO_PASSWORD)
    if phase == "after":  # the after-test data and the scores of the whole city: the reports (issue 14)
        from jiance.web.demo.scores import build_scores

        build_scores(cycle=active, city=city, demo_county=county, demo_school=demo_school, data=data,
                     users=by_name, seed=seed, test_date=min(active.test_days))
    summary.staffing = build_staffing(cycle=active, city=city, counties=counties, sample=sample, demo_county=county,
                                      users=by_name, seed=seed, today=story_day)
    chain.documents = build_documents(cycle=active, city=city, counties=counties, demo_county=county,
                                      demo_school=demo_school, schools_by_county=by_county, today=today,
                                      users=by_name, seed=seed)
    summary.questionnaire_answers = build_questionnaires(
        cycle=active, demo_county=county, demo_school=demo_school, schools_by_county=by_county,
        users=by_name, today=today, seed=seed)
    if phase == "after":  # the tested students' questionnaire answers: the reports' indicators
        from jiance.web.demo.scores import build_student_answers

        build_student_answers(cycle=active, city=city, seed=seed)
    summary.chain = chain
    summary.completions = _mark_progress(
        active, city=city, sample=by_county, rng=rng, today=today, demo_school=demo_school
    )
    build_marks_and_reminders(cycle=active, city=city, county=county, users=by_name, today=today)
    if phase == "testday":
        from jiance.web.demo.incidents import build_incidents

        summary.incidents = build_incidents(cycle=active, county=county, demo_school=demo_school, users=by_name,
                                            today=today).line()
        from jiance.web.demo.cbt import build_cbt

        build_cbt(cycle=active, demo_school=demo_school, users=by_name, today=today)
        from jiance.web.demo.fieldtest import build_fieldtest

        summary.incidents += "\n  " + build_fieldtest(cycle=active, county=county, demo_school=demo_school,
                                                      users=by_name, seed=seed)
    summary.accounts = [(a, where[a.where]) for a in DEMO_ACCOUNTS]
    audit_record(
        action=Action.IMPORT, obj=city, unit=city,
        after={"seed": seed, "units": summary.units, "cycle": active.code, "accounts": len(DEMO_ACCOUNTS)},
        detail="演示数据",
    )
    return summary


def counties_in(city: Unit) -> list[Unit]:
    return list(Unit.objects.filter(parent=city, level=Level.COUNTY).order_by("code"))


def _mark_progress(
    cycle: Cycle, *, city: Unit, sample: dict[int, list[Unit]], rng: np.random.Generator,
    today: dt.date, demo_school: Unit | None = None,
) -> int:
    """Mark milestones done so the home pages show variety: the city is nearly on time, counties
    and sample schools each have their own diligence, and the demo county keeps one item overdue."""
    now = clock.now()
    milestones: dict[str, list[Milestone]] = {}
    # tasks the platform sees done itself (done_when) were completed by the chain's services
    for m in cycle.milestones.filter(done_when="").order_by("number"):
        milestones.setdefault(m.level, []).append(m)

    def past(level: str) -> list[Milestone]:
        return [m for m in milestones.get(level, []) if m.deadline and m.deadline < today]

    def near(level: str) -> list[Milestone]:
        return [m for m in milestones.get(level, [])
                if m.deadline and today <= m.deadline <= today + dt.timedelta(days=14)]

    done: list[MilestoneCompletion] = []

    def mark(m: Milestone, unit: Unit, days_before: int) -> None:
        when = dt.datetime.combine(m.deadline or today, dt.time(16, 30), tzinfo=now.tzinfo)
        when -= dt.timedelta(days=days_before)
        done.append(MilestoneCompletion(milestone=m, unit=unit, done_at=min(when, now)))

    city_past = past(Level.CITY)
    for m in city_past[:-1]:  # the latest past task is still open: one overdue item
        mark(m, city, int(rng.integers(0, 4)))
    for county in counties_in(city):
        diligence = 0.55 if county.code == DEMO_COUNTY_CODE else float(rng.uniform(0.5, 1.0))
        county_past = past(Level.COUNTY)
        for i, m in enumerate(county_past):
            last = i == len(county_past) - 1
            if county.code == DEMO_COUNTY_CODE and last:
                continue  # keep one overdue item for the demo county
            if i < len(county_past) - 2 or rng.random() < diligence:
                mark(m, county, int(rng.integers(0, 5)))
        for m in near(Level.COUNTY):
            if rng.random() < diligence * 0.3:
                mark(m, county, 0)
        for school in sample.get(county.pk, []):
            if demo_school is not None and school.pk == demo_school.pk:
                school_past = past(Level.SCHOOL)
                for m in school_past[:-1]:  # done, except the latest past task: overdue
                    mark(m, school, int(rng.integers(0, 4)))
                continue
            school_diligence = min(1.0, diligence + float(rng.uniform(-0.2, 0.2)))
            school_past = past(Level.SCHOOL)
            for i, m in enumerate(school_past):
                catch_up = 0.12 * (len(school_past) - 1 - i)  # older tasks are mostly done by now
                if rng.random() < school_diligence + catch_up:
                    mark(m, school, int(rng.integers(0, 4)))
            for m in near(Level.SCHOOL):
                if rng.random() < school_diligence * 0.4:
                    mark(m, school, 0)
    MilestoneCompletion.objects.bulk_create(done, batch_size=1000, ignore_conflicts=True)
    return len(done)
