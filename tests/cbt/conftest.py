from __future__ import annotations

import pytest

from tests.cbt.builders import Lab, lab
from tests.factories import World
from tests.hashers import fast_hasher  # noqa: F401  (autouse: MD5 passwords in this folder)


@pytest.fixture
def s(world: World) -> Lab:
    return lab(world)
