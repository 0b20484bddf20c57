from __future__ import annotations

import pytest

from tests.factories import World


@pytest.fixture
def world(db: None) -> World:
    return World()


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """Figures shared through the cache (locmem in tests: live and questionnaire progress) come
    from this test only, never from another test's world whose change stamp happens to match."""
    from django.core.cache import cache

    cache.clear()
