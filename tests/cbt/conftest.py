from __future__ import annotations

from typing import Any

import pytest

from tests.cbt.builders import Lab, lab
from tests.factories import World


@pytest.fixture(autouse=True)
def fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def s(world: World) -> Lab:
    return lab(world)
