from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """The progress figures are shared through the cache (locmem in tests): none from another test."""
    from django.core.cache import cache

    cache.clear()
