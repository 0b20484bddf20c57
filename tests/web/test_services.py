"""The demo: what `jiance demo` builds, that it is deterministic, reused, and shows variety."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from jiance import clock
from jiance.accounts.models import ROLE_LEVELS, RoleAssignment, User
from jiance.cycles.models import Cycle, CycleParticipant, CycleStatus, MilestoneCompletion
from jiance.cycles.selectors import active_cycle, unit_milestones
from jiance.cycles.services import TEMPLATES_DIR
from jiance.sampling.models import RowStatus, SampledSchool
from jiance.units.models import Level, Unit
from jiance.web.services import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    demo_build,
    demo_present,
    first_test_day_target,
)
from jiance_core.synth import nanchang_city

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)


def build() -> None:
    with clock.frozen(dt.datetime(2026, 11, 23, 9, 0)):
        demo_build(seed=2022, today=TODAY)


def test_demo_builds_nanchang_from_the_synthetic_city() -> None:
    assert not demo_present()
    build()
    assert demo_present()
    city = nanchang_city(2022)
    counties = Unit.objects.filter(level=Level.COUNTY)
    assert counties.count() == city.counties().height == 12
    assert Unit.objects.filter(level=Level.SCHOOL).count() == city.schools.height
    assert set(counties.values_list("name", flat=True)) == set(city.counties()["name"].to_list())
    # every school hangs below its county and the materialised paths are consistent
    school = Unit.objects.filter(level=Level.SCHOOL).order_by("?").first()
    assert school.path == f"CN/360000/360100/{school.parent.code}/{school.code}/"
    assert Unit.objects.subtree_of(Unit.objects.get(code="360100")).schools().count() == city.schools.height


def test_demo_loads_every_template_and_activates_a_shifted_copy() -> None:
    build()
    shipped = {p.stem for p in TEMPLATES_DIR.glob("*.yaml")}
    assert shipped <= set(Cycle.objects.values_list("code", flat=True))
    cycle = active_cycle()
    assert cycle is not None and cycle.status == CycleStatus.ACTIVE
    assert Cycle.objects.filter(status=CycleStatus.ACTIVE).count() == 1
    first = min(cycle.test_days)
    assert 8 <= (first - TODAY).days <= 14
    assert first.weekday() == dt.date(2022, 5, 25).weekday()  # shifted by whole weeks
    assert cycle.milestones.filter(level=Level.SCHOOL).count() == 10


def test_demo_sample_and_progress_show_variety() -> None:
    build()
    cycle = active_cycle()
    county = Unit.objects.get(code="360121")
    sample = CycleParticipant.objects.filter(cycle=cycle, unit__parent=county)
    # the sample schools are the draw's (12 primary + 8 junior rows, plus any the engine adds)
    rows = SampledSchool.objects.filter(draw__cycle=cycle, county=county, status=RowStatus.IN_SAMPLE)
    assert rows.count() >= 20
    assert set(sample.values_list("unit_id", flat=True)) == set(rows.values_list("school_id", flat=True))
    done_counts = [
        MilestoneCompletion.objects.filter(milestone__cycle=cycle, unit=c).count()
        for c in Unit.objects.filter(level=Level.COUNTY)
    ]
    assert len(set(done_counts)) > 1  # counties differ
    for username in ("ncx.admin", "school.principal", "nanchang.admin"):
        unit = RoleAssignment.objects.get(user__username=username).unit
        states = {s.state for s in unit_milestones(cycle=cycle, unit=unit, today=TODAY)}
        assert {"done", "overdue"} <= states, (username, states)
        assert states & {"due", "open"}, (username, states)


def test_demo_accounts_one_per_role_and_level() -> None:
    build()
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.check_password(DEMO_PASSWORD)
        assert not user.must_change_password
        grant = RoleAssignment.objects.get(user=user)
        assert grant.role == account.role
        assert grant.unit.level in ROLE_LEVELS[account.role]
    pairs = [(a.role, a.where) for a in DEMO_ACCOUNTS]
    assert len(pairs) == len(set(pairs))
    school = RoleAssignment.objects.get(user__username="school.principal").unit
    assert school.parent.name == "南昌县"
    assert CycleParticipant.objects.filter(cycle=active_cycle(), unit=school).exists()


def test_demo_is_deterministic_for_a_seed() -> None:
    def snapshot() -> tuple[object, ...]:
        completions = sorted(
            MilestoneCompletion.objects.values_list("milestone__level", "milestone__number", "unit__code")
        )
        sample = sorted(CycleParticipant.objects.values_list("unit__code", flat=True))
        school = RoleAssignment.objects.get(user__username="school.principal").unit.code
        return completions, sample, school

    results = []
    for _ in range(2):
        with transaction.atomic():
            build()
            results.append(snapshot())
            transaction.set_rollback(True)
    assert results[0] == results[1]
    assert results[0][0]  # not empty


def test_demo_command_builds_once_then_reuses() -> None:
    out = StringIO()
    call_command("demo", no_migrate=True, stdout=out)
    first = out.getvalue()
    assert DEMO_PASSWORD in first
    for account in DEMO_ACCOUNTS:
        assert account.username in first
    units = Unit.objects.count()
    out = StringIO()
    call_command("demo", no_migrate=True, stdout=out)
    assert "直接使用" in out.getvalue() and DEMO_PASSWORD in out.getvalue()
    assert Unit.objects.count() == units
    assert User.objects.count() == len(DEMO_ACCOUNTS)


def test_demo_command_refuses_a_database_with_other_data(world: object) -> None:
    with pytest.raises(CommandError):
        call_command("demo", no_migrate=True, stdout=StringIO())
    assert not demo_present()


@given(st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2040, 12, 31)))
def test_shift_puts_the_test_day_8_to_14_days_ahead(today: dt.date) -> None:
    first = dt.date(2022, 5, 25)
    days = first_test_day_target(today, first)
    assert days % 7 == 0
    assert 8 <= (first + dt.timedelta(days=days) - today).days <= 14
