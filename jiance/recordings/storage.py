"""Where recordings lie: under `settings.MEDIA_ROOT/recordings/` (JIANCE_MEDIA_ROOT, outside any
public folder: nothing serves that directory; `views.play` reads a file after the permission
check). Names are made from ids and the SHA-256, never from anything the browser names."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings

EXTENSIONS = {"audio/webm": "webm", "audio/mp4": "m4a", "audio/ogg": "ogg"}


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / "recordings"


def relative_path(*, cycle: str, school: str, delivery: int, task: str, attempt: int, sha256: str,
                  content_type: str) -> str:
    return f"{cycle}/{school}/{delivery}-{task}-{attempt}-{sha256[:16]}.{EXTENSIONS[content_type]}"


def write(relative: str, data: bytes) -> Path:
    """Write atomically (a temporary file renamed), so a reader never sees half a recording."""
    target = root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".up-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def read(relative: str) -> bytes:
    path = (root() / relative).resolve()
    if root().resolve() not in path.parents:
        raise FileNotFoundError(relative)
    return path.read_bytes()


def remove(relative: str) -> None:
    (root() / relative).unlink(missing_ok=True)
