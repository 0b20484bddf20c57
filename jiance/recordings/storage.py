"""Where recordings lie: in the platform's file storage (`jiance.files`: JIANCE_MEDIA_ROOT or the
S3-compatible bucket) under `recordings/`, never served directly — `views.play` reads a file after
the permission check. Names are made from ids and the SHA-256, never from anything the browser
names; `Recording.path` holds the name below `recordings/`."""

from __future__ import annotations

from jiance import files

EXTENSIONS = {"audio/webm": "webm", "audio/mp4": "m4a", "audio/ogg": "ogg"}
FOLDER = "recordings"


def name(relative: str) -> str:
    """The storage's name of a recording's `Recording.path`."""
    return f"{FOLDER}/{relative}"


def relative_path(*, cycle: str, school: str, delivery: int, task: str, attempt: int, sha256: str,
                  content_type: str) -> str:
    return f"{cycle}/{school}/{delivery}-{task}-{attempt}-{sha256[:16]}.{EXTENSIONS[content_type]}"


def write(relative: str, data: bytes) -> None:
    """Keep the recording (whole or not at all); `files.StorageError` when it cannot be written."""
    files.save(name(relative), data)


def read(relative: str) -> bytes:
    return files.read(name(relative))


def exists(relative: str) -> bool:
    return files.exists(name(relative))


def remove(relative: str) -> None:
    files.delete(name(relative))
