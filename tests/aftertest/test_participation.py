"""Participation rates against hand-computed values: 3 sample schools, one refused (no
replacement), 30 / 28 / 0 tested; a replacement counting for its original; thresholds; scoping
and secrecy."""

from __future__ import annotations

import pytest

from jiance import clock
from jiance.accounts.models import Role
from jiance.accounts.scoping import Scope
from jiance.aftertest import services
from jiance.aftertest.models import Attendance, TestedStudent
from jiance.aftertest.selectors import participation
from jiance.rosters.models import SampledStudent
from jiance.sampling.models import RowStatus
from tests.aftertest.builders import aftertest_cycle, draw
from tests.factories import make_user
from tests.rosters.builders import BEFORE_RELEASE
from tests.testday.builders import sample_school

pytestmark = pytest.mark.django_db


def report_absent(cycle, school, n_absent, officer):  # type: ignore[no-untyped-def]
    roster = SampledStudent.objects.filter(school=school).first().roster
    report = services.tested_report_open(scope=Scope(officer), roster=roster, actor=officer)
    ids = list(TestedStudent.objects.filter(report=report).order_by("row").values_list("pk", flat=True))[:n_absent]
    TestedStudent.objects.filter(pk__in=ids).update(attendance=Attendance.ABSENT, reason="sick")
    return report


@pytest.fixture
def small(world):  # type: ignore[no-untyped-def]
    """a1 (primary, 30/30 tested, weight 1), a2 (junior, 28/30 tested, weight 3), b1 refused (0)."""
    cycle = aftertest_cycle()
    draw(cycle, world, [{"code": world.school_a1.code}, {"code": world.school_a2.code, "stage": "junior"},
                        {"code": world.school_b1.code}])
    sample_school(cycle, world.school_a1, 30)
    sample_school(cycle, world.school_a2, 30, stage="junior", start=100)
    SampledStudent.objects.filter(school=world.school_a1).update(final_weight=1.0)
    SampledStudent.objects.filter(school=world.school_a2).update(final_weight=3.0)
    report_absent(cycle, world.school_a1, 0, make_user("a1_xx", Role.SCHOOL_INFO_OFFICER, world.school_a1))
    report_absent(cycle, world.school_a2, 2, make_user("a2_xx", Role.SCHOOL_INFO_OFFICER, world.school_a2))
    return cycle


def test_rates_by_hand(small, world):  # type: ignore[no-untyped-def]
    city = make_user("nc_city", Role.CITY_ADMIN, world.city)
    p = participation(scope=Scope(city), cycle=small, now=clock.now())
    by_school = {r.original.school.code: r for r in p.schools}
    assert [(c, by_school[c].sampled, by_school[c].tested) for c in sorted(by_school)] == [
        (world.school_a1.code, 30, 30), (world.school_a2.code, 30, 28), (world.school_b1.code, 0, 0)]
    assert by_school[world.school_a2.code].student_rate == pytest.approx(28 / 30)
    assert not by_school[world.school_b1.code].participated
    counties = {a.unit.code: a for a in p.counties}
    a, b = counties[world.county_a.code], counties[world.county_b.code]
    assert (a.n_schools, a.n_participating, a.school_rate) == (2, 2, 1.0)
    assert a.student_rate == pytest.approx(58 / 60)
    assert a.student_rate_weighted == pytest.approx((30 * 1 + 28 * 3) / (30 * 1 + 30 * 3))  # 0.95
    assert (b.n_schools, b.n_participating, b.school_rate, b.student_rate) == (1, 0, 0.0, None)
    (c,) = p.cities
    assert c.school_rate == pytest.approx(2 / 3)
    assert c.school_rate_weighted == pytest.approx(2 / 3)  # equal base weights
    assert c.student_rate == pytest.approx(58 / 60)
    # thresholds 0.85: the city misses the school rate, meets the student rate
    assert p.meets(c.school_rate, "school") is False
    assert p.meets(c.student_rate, "student") is True
    assert p.meets(a.school_rate, "school") is True


def test_threshold_from_cycle(small, world):  # type: ignore[no-untyped-def]
    small.config["participation_thresholds"] = {"school_rate": 0.6, "student_rate": 0.97}
    small.save()
    city = make_user("nc_city", Role.CITY_ADMIN, world.city)
    p = participation(scope=Scope(city), cycle=small, now=clock.now())
    (c,) = p.cities
    assert p.meets(c.school_rate, "school") is True
    assert p.meets(c.student_rate, "student") is False


def test_unweighted_only_without_final_weights(small, world):  # type: ignore[no-untyped-def]
    SampledStudent.objects.update(final_weight=None)
    city = make_user("nc_city", Role.CITY_ADMIN, world.city)
    (c,) = participation(scope=Scope(city), cycle=small, now=clock.now()).cities
    assert c.student_rate_weighted is None and c.student_rate == pytest.approx(58 / 60)


def test_replacement_counts_for_original(world):  # type: ignore[no-untyped-def]
    cycle = aftertest_cycle()
    draw(cycle, world, [
        {"code": world.school_b1.code, "status": RowStatus.WITHDRAWN},
        {"code": world.school_b2.code, "role": "replacement1", "replaces": world.school_b1.code},
        {"code": world.school_a1.code},
    ])
    sample_school(cycle, world.school_b2, 30, start=200)
    report_absent(cycle, world.school_b2, 5, make_user("b2_xx", Role.SCHOOL_INFO_OFFICER, world.school_b2))
    city = make_user("nc_city", Role.CITY_ADMIN, world.city)
    p = participation(scope=Scope(city), cycle=cycle, now=clock.now())
    # two originals (b1 and a1); the replacement row is not a third school
    assert len(p.schools) == 2
    b = next(r for r in p.schools if r.original.school == world.school_b1)
    assert b.replaced and b.school == world.school_b2 and (b.sampled, b.tested) == (30, 25)
    (c,) = p.cities
    assert c.school_rate == pytest.approx(1 / 2)  # a1 has no students: not participating


def test_scoping_county_sees_its_schools(small, world):  # type: ignore[no-untyped-def]
    county = make_user("nc_county", Role.COUNTY_INFO_OFFICER, world.county_a)
    p = participation(scope=Scope(county), cycle=small, now=clock.now())
    assert {r.original.school.code for r in p.schools} == {world.school_a1.code, world.school_a2.code}
    assert [a.unit for a in p.counties] == [world.county_a]


def test_secrecy_before_release(small, world):  # type: ignore[no-untyped-def]
    county = make_user("nc_county", Role.COUNTY_INFO_OFFICER, world.county_a)
    city = make_user("nc_city", Role.CITY_ADMIN, world.city)
    with clock.frozen(BEFORE_RELEASE):
        p = participation(scope=Scope(county), cycle=small, now=clock.now())
        assert p.schools == [] and p.counties == [] and p.hidden == 2
        # the city draws the students: it sees the sample before release
        assert len(participation(scope=Scope(city), cycle=small, now=clock.now()).schools) == 3
