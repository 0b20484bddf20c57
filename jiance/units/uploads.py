"""Uploaded files kept between "检查" and "确认导入", named by a random token and remembered in
the uploader's session, so one person can never confirm another person's file. The file on disk is
encrypted like every kept upload (`jiance.crypto`; the database ones derive from `jiance.kept`)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings

from jiance import clock
from jiance.crypto import decrypt_bytes, encrypt_bytes

SESSION_KEY = "unit_imports"
MAX_AGE_SECONDS = 24 * 3600


def _dir() -> Path:
    d = Path(settings.MEDIA_ROOT) / "unit_imports"
    d.mkdir(parents=True, exist_ok=True)
    return d


def sweep() -> int:
    """Delete kept files older than a day (never confirmed); returns how many."""
    cutoff = clock.now().timestamp() - MAX_AGE_SECONDS
    gone = 0
    for f in _dir().glob("*.xlsx"):
        if f.stat().st_mtime < cutoff:
            f.unlink(missing_ok=True)
            gone += 1
    return gone


def keep(session: Any, *, data: bytes, filename: str, unit_code: str) -> str:
    sweep()
    token = secrets.token_hex(16)
    (_dir() / f"{token}.xlsx").write_bytes(encrypt_bytes(data))
    kept = dict(session.get(SESSION_KEY, {}))
    kept[token] = {"name": filename, "unit": unit_code}
    session[SESSION_KEY] = kept
    return token


def fetch(session: Any, *, token: str, unit_code: str) -> tuple[bytes, str] | None:
    """The kept file and its name, or None when the token is not this session's for this unit."""
    meta = session.get(SESSION_KEY, {}).get(token)
    path = _dir() / f"{token}.xlsx"
    if not meta or meta.get("unit") != unit_code or not path.exists():
        return None
    try:
        return decrypt_bytes(path.read_bytes()), str(meta["name"])
    except ValueError:  # not ours to read (a file kept before encryption, or another key): gone
        return None


def forget(session: Any, *, token: str) -> None:
    kept = dict(session.get(SESSION_KEY, {}))
    kept.pop(token, None)
    session[SESSION_KEY] = kept
    (_dir() / f"{token}.xlsx").unlink(missing_ok=True)
