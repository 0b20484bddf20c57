from __future__ import annotations

import pytest

from jiance import clock
from tests.factories import World
from tests.hashers import fast_hasher  # noqa: F401  (autouse: MD5 passwords in this folder)
from tests.proctoring.builders import Site, at, site


@pytest.fixture
def s(world: World) -> Site:
    with clock.frozen(at(20, 10)):
        return site(world)
