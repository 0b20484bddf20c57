from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from jiance import clock
from jiance.accounts.models import Role
from jiance.cycles.models import Cycle
from jiance.rosters.models import SampledStudent, Student
from jiance_core.cycles.loader import SHIPPED_TEMPLATES_DIR, load_template
from tests.factories import World, make_user
from tests.hashers import fast_hasher  # noqa: F401  (autouse: MD5 passwords in this folder)
from tests.incidents.builders import at
from tests.testday.builders import sample_school, testday_cycle


def fieldtest_section() -> dict[str, Any]:
    rules = load_template(SHIPPED_TEMPLATES_DIR / "national-2024.yaml").fieldtest
    assert rules is not None
    return rules.model_dump(mode="json")


@pytest.fixture(autouse=True)
def test_day() -> Any:
    """After the release of the sample (07:30 on test day)."""
    with clock.frozen(at(11, 0, day=26)):
        yield


@pytest.fixture
def cycle(world: World) -> Cycle:
    return testday_cycle(world, fieldtest=fieldtest_section())


@dataclass
class People:
    officer: Any
    officer2: Any
    proctor: Any
    proctor2: Any
    principal: Any
    county: Any
    city: Any
    centre: Any
    officer_b: Any


@pytest.fixture
def p(world: World) -> People:
    return People(
        officer=make_user("ft_officer", Role.SCHOOL_INFO_OFFICER, world.school_a1, full_name="付晓婷"),
        officer2=make_user("ft_officer2", Role.SCHOOL_INFO_OFFICER, world.school_a1),
        proctor=make_user("ft_proctor", Role.PROCTOR, world.school_a1, full_name="吴玉洁"),
        proctor2=make_user("ft_chief", Role.CHIEF_PROCTOR, world.school_a1),
        principal=make_user("ft_principal", Role.PRINCIPAL, world.school_a1),
        county=make_user("ft_county", Role.COUNTY_ADMIN, world.county_a),
        city=make_user("ft_city", Role.CITY_ADMIN, world.city),
        centre=make_user("ft_centre", Role.CENTRE_ADMIN, world.centre),
        officer_b=make_user("ft_officer_b", Role.SCHOOL_INFO_OFFICER, world.school_b1),
    )


@pytest.fixture
def students(world: World, cycle: Cycle) -> list[Student]:
    """Six sampled grade-4 students of school A1, the even ones girls; three of school B1."""
    out = sample_school(cycle, world.school_a1, 6)
    for i, s in enumerate(out):
        if i % 2:
            s.sex = "女"
            s.save(update_fields=["sex"])
    sample_school(cycle, world.school_b1, 3, start=100)
    return out


def sampled(student: Student) -> SampledStudent:
    return SampledStudent.objects.select_related("student", "roster", "school").get(student=student)


GOOD = {"height": "135.2", "weight": "31.5", "run50": "9.8", "sit_reach": "6.5", "rope": "120", "shuttle15": "35"}
