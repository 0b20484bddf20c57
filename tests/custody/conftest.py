from __future__ import annotations

from typing import Any

import pytest

from jiance import clock
from jiance.cycles.models import Cycle
from tests.custody.builders import DAY1, People, at, custody_cycle, rooms
from tests.factories import World
from tests.hashers import fast_hasher  # noqa: F401  (autouse: MD5 passwords in this folder)


@pytest.fixture(autouse=True)
def morning() -> Any:
    with clock.frozen(at(DAY1, "07:30")):
        yield


@pytest.fixture
def cycle(world: World) -> Cycle:
    c = custody_cycle()
    rooms(c, world.school_a1, 2)
    rooms(c, world.school_a2, 1, stage="junior")
    rooms(c, world.school_b1, 1)
    return c


@pytest.fixture
def people(world: World) -> People:
    return People(world)
