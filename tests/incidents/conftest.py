from __future__ import annotations

from typing import Any

import pytest

from jiance import clock
from jiance.cycles.models import Cycle
from tests.factories import World
from tests.hashers import fast_hasher  # noqa: F401  (autouse: MD5 passwords in this folder)
from tests.incidents.builders import People, at, incidents_section, people
from tests.testday.builders import testday_cycle


@pytest.fixture(autouse=True)
def test_day_morning() -> Any:
    """09:30 on test day, after the release of the sample (07:30)."""
    with clock.frozen(at(9, 30)):
        yield


@pytest.fixture
def cycle(world: World) -> Cycle:
    return testday_cycle(world, incidents=incidents_section("national-2022"))


@pytest.fixture
def chongqing(world: World) -> Cycle:
    return testday_cycle(world, incidents=incidents_section("chongqing-2020"))


@pytest.fixture
def p(world: World) -> People:
    return people(world)
