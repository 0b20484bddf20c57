from __future__ import annotations

from typing import Any

import pytest

from jiance import clock
from tests.factories import World
from tests.proctoring.builders import Site, at, site


@pytest.fixture(autouse=True)
def fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def s(world: World) -> Site:
    with clock.frozen(at(20, 10)):
        return site(world)
