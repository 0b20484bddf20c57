"""Uploaded files kept between "检查" and "确认导入", named by a random token and remembered in
the uploader's session, so one person can never confirm another person's file. The file lies in the
platform's file storage (`jiance.files`, under `unit_imports/`), encrypted like every kept upload
(`jiance.crypto`; the database ones derive from `jiance.kept`)."""

from __future__ import annotations

import secrets
from typing import Any

from jiance import clock, files
from jiance.crypto import decrypt_bytes, encrypt_bytes

SESSION_KEY = "unit_imports"
MAX_AGE_SECONDS = 24 * 3600


FOLDER = "unit_imports"


def name(token: str) -> str:
    """The storage's name of a kept file (only a token found in the session is ever read)."""
    return f"{FOLDER}/{token}.xlsx"


def sweep() -> int:
    """Delete kept files older than a day (never confirmed); returns how many."""
    cutoff = clock.now().timestamp() - MAX_AGE_SECONDS
    gone = 0
    for kept in files.names(FOLDER):
        if kept.endswith(".xlsx") and files.modified(kept).timestamp() < cutoff:
            files.delete(kept)
            gone += 1
    return gone


def keep(session: Any, *, data: bytes, filename: str, unit_code: str) -> str:
    """Keep the file for its confirmation; `files.StorageError` when it cannot be written."""
    sweep()
    token = secrets.token_hex(16)
    files.save(name(token), encrypt_bytes(data))
    kept = dict(session.get(SESSION_KEY, {}))
    kept[token] = {"name": filename, "unit": unit_code}
    session[SESSION_KEY] = kept
    return token


def fetch(session: Any, *, token: str, unit_code: str) -> tuple[bytes, str] | None:
    """The kept file and its name, or None when the token is not this session's for this unit."""
    meta = session.get(SESSION_KEY, {}).get(token)
    if not meta or meta.get("unit") != unit_code:
        return None
    try:
        return decrypt_bytes(files.read(name(token))), str(meta["name"])
    except FileNotFoundError:  # swept, or never kept
        return None
    except ValueError:  # not ours to read (a file kept before encryption, or another key): gone
        return None


def forget(session: Any, *, token: str) -> None:
    kept = dict(session.get(SESSION_KEY, {}))
    kept.pop(token, None)
    session[SESSION_KEY] = kept
    files.delete(name(token))
