from __future__ import annotations

from typing import Any

import pytest

from jiance import clock
from tests.aftertest.builders import IN_WINDOW


@pytest.fixture(autouse=True)
def fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def window_clock() -> Any:
    with clock.frozen(IN_WINDOW):
        yield
