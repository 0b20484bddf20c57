from __future__ import annotations

from typing import Any

import pytest

from jiance.sampling.models import SamplingError
from jiance.sampling.plan import plan_from_config
from tests.factories import World

pytestmark = pytest.mark.django_db


def counties(world: World) -> list[Any]:
    return [world.county_a, world.county_b]


def test_plan_reads_the_cycle_numbers(world: World) -> None:
    config = {
        "grades": {"primary": 4, "junior": 8},
        "sample_size": {"schools_per_unit": {"primary": 12, "junior": 8}, "students_per_school": 30},
    }
    plan = plan_from_config(config, counties(world))
    assert (plan.primary_schools, plan.junior_schools, plan.students_per_school) == (12, 8, 30)
    engine = plan.engine_plan("srs")
    assert engine.method == "srs" and engine.schools_for("360121", "junior") == 8


def test_overrides_name_a_county_by_name_or_code(world: World) -> None:
    config = {
        "sample_size": {
            "schools_per_unit": {"primary": 12, "junior": 8},
            "schools_by_unit": [
                {"unit": "南昌县", "primary": 6},
                {"unit": "360124", "junior": 3},
                {"unit": "渝中区", "primary": 1},  # another owner's county: ignored
            ],
            "students_per_school": 42,
        },
    }
    plan = plan_from_config(config, counties(world))
    assert plan.county_overrides == {"360121": {"primary": 6}, "360124": {"junior": 3}}
    assert plan.schools_for("360121", "primary") == 6 and plan.schools_for("360121", "junior") == 8
    assert plan.schools_for("360124", "junior") == 3
    assert plan.as_json()["county_overrides"] == {"360121": {"primary": 6}, "360124": {"junior": 3}}


def test_a_stage_the_cycle_does_not_test_draws_nothing(world: World) -> None:
    config = {
        "grades": {"junior": 8},
        "sample_size": {"schools_per_unit": {"junior": 8}, "students_per_school": 30},
    }
    plan = plan_from_config(config, counties(world))
    assert plan.primary_schools == 0 and plan.junior_schools == 8


def test_missing_numbers_name_the_counties(world: World) -> None:
    config = {
        "sample_size": {
            "schools_per_unit": {},
            "schools_by_unit": [{"unit": "南昌县", "primary": 6, "junior": 4}],
            "students_per_school": 42,
        },
    }
    with pytest.raises(SamplingError) as exc:
        plan_from_config(config, counties(world))
    assert "进贤县（小学）" in str(exc.value) and "进贤县（初中）" in str(exc.value)
    assert "南昌县" not in str(exc.value)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "sample_size"),
        ({"sample_size": {"schools_per_unit": {"primary": 12, "junior": 8}}}, "students_per_school"),
        ({"sample_size": {"schools_per_unit": {"primary": "十二", "junior": 8}, "students_per_school": 30}},
         "不是整数"),
        ({"sample_size": {"schools_per_unit": {"primary": -1, "junior": 8}, "students_per_school": 30}},
         "不能为负数"),
        ({"sample_size": {"schools_per_unit": {"primary": 1, "junior": 8}, "students_per_school": 0}},
         "至少为 1"),
    ],
)
def test_bad_configs_are_refused_in_chinese(world: World, config: dict[str, Any], message: str) -> None:
    with pytest.raises(SamplingError, match=message):
        plan_from_config(config, counties(world))
