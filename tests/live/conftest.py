from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.utils import timezone

from jiance import apps_registry, clock
from jiance.apps_registry import AppEntry
from jiance.cycles.models import Cycle
from tests.factories import World
from tests.hashers import fast_hasher  # noqa: F401  (autouse: MD5 passwords in this folder)
from tests.live import fake_progress
from tests.testday.builders import testday_cycle

BEIJING = dt.timezone(dt.timedelta(hours=8))
# the first test day of the builders' cycle, 09:30 in Beijing: the Chinese test is running
MORNING = timezone.make_aware(dt.datetime(2022, 5, 25, 9, 30), timezone=BEIJING)


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def morning() -> Iterator[None]:
    with clock.frozen(MORNING):
        yield


@pytest.fixture
def fake_source(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, dict[str, int]]]:
    """A fake app declaring `tests.live.fake_progress` as its progress source, next to the real
    ones; yields the figures to fill (school code → counts)."""
    real = apps_registry.entries()
    fake = AppEntry(app="fake", progress="tests.live.fake_progress")
    monkeypatch.setattr(apps_registry, "entries", lambda: (*real, fake))
    fake_progress.FIGURES.clear()
    fake_progress.CALLS.clear()
    yield fake_progress.FIGURES
    fake_progress.FIGURES.clear()


@pytest.fixture
def cycle(world: World) -> Cycle:
    return testday_cycle(world)
