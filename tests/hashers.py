"""Password hashing at test cost, for the test folders that create many accounts.

A folder's conftest imports the autouse fixture it wants (`from tests.hashers import fast_hasher
# noqa: F401`): `fast_hasher` (MD5: the fastest; for tests that only sign people in) or
`fast_argon2` (the production algorithm and hash format at test-sized cost, for the tests of
accounts and passwords; the real cost is tested in tests/security)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Same algorithm and hash format, test-sized cost."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


@pytest.fixture(autouse=True)
def fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_argon2(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]
