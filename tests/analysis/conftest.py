from __future__ import annotations

from typing import Any

import pytest

from jiance import clock
from tests.analysis.builders import AFTER_TEST, Built, build, fill_schools, make_cycle
from tests.factories import World
from tests.hashers import fast_hasher  # noqa: F401  (autouse: MD5 passwords in this folder)


@pytest.fixture(autouse=True)
def after_test_clock() -> Any:
    with clock.frozen(AFTER_TEST):
        yield


@pytest.fixture
def built(world: World) -> Built:
    """The small cycle of `builders.build`, every sample school's after-test report filled."""
    b = build(world, make_cycle())
    fill_schools(b)
    return b
