"""The World with a 2022-style cycle, approved frames, a published draw of four sample schools."""

from __future__ import annotations

from typing import Any

import pytest

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from tests.factories import World
from tests.hashers import fast_hasher  # noqa: F401  (autouse: MD5 passwords in this folder)
from tests.rosters.builders import (
    ENTRY_TIME,
    People,
    approve_frames,
    make_cycle,
    make_people,
    publish_draw,
)


@pytest.fixture(autouse=True)
def entry_clock() -> Any:
    with clock.frozen(ENTRY_TIME):
        yield


@pytest.fixture
def cycle(world: World) -> Cycle:
    c = make_cycle()
    approve_frames(c, world)
    publish_draw(c, world)
    return c


@pytest.fixture
def people(world: World) -> People:
    return make_people(world)


def scope_of(user: Any) -> Scope:
    return Scope(user)
