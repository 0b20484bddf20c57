from __future__ import annotations

from tests.hashers import fast_argon2  # noqa: F401  (autouse: Argon2 at test cost in this folder)
