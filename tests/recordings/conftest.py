from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cbt.builders import Lab, lab
from tests.factories import World
from tests.hashers import fast_hasher  # noqa: F401  (autouse: MD5 passwords in this folder)
from tests.recordings.builders import with_tasks


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def s(world: World) -> Lab:
    return with_tasks(lab(world))
