from __future__ import annotations

from typing import Any

import pytest

from jiance import clock
from jiance.cycles.models import Cycle
from tests.factories import World
from tests.hashers import fast_hasher  # noqa: F401  (autouse: MD5 passwords in this folder)
from tests.rosters.builders import ENTRY_TIME
from tests.testday.builders import testday_cycle


@pytest.fixture(autouse=True)
def entry_clock() -> Any:
    with clock.frozen(ENTRY_TIME):
        yield


@pytest.fixture
def cycle(world: World) -> Cycle:
    return testday_cycle(world)
