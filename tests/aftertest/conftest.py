from __future__ import annotations

from typing import Any

import pytest

from jiance import clock
from tests.aftertest.builders import IN_WINDOW
from tests.hashers import fast_hasher  # noqa: F401  (autouse: MD5 passwords in this folder)


@pytest.fixture(autouse=True)
def window_clock() -> Any:
    with clock.frozen(IN_WINDOW):
        yield
