from __future__ import annotations

from tests.hashers import fast_hasher  # noqa: F401  (autouse: MD5 passwords in this folder)
