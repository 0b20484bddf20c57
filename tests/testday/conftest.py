from __future__ import annotations

from typing import Any

import pytest

from jiance import clock
from jiance.cycles.models import Cycle
from tests.factories import World
from tests.rosters.builders import ENTRY_TIME
from tests.testday.builders import testday_cycle


@pytest.fixture(autouse=True)
def fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def entry_clock() -> Any:
    with clock.frozen(ENTRY_TIME):
        yield


@pytest.fixture
def cycle(world: World) -> Cycle:
    return testday_cycle(world)
