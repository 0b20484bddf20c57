from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Same algorithm and hash format, test-sized cost (the real cost is tested in tests/security)."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


@pytest.fixture(autouse=True)
def _fast_hashing(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["tests.accounts.conftest.FastArgon2PasswordHasher"]
