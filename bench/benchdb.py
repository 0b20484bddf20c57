"""A throwaway database for a benchmark: a temporary SQLite file by default, or a fresh
PostgreSQL database next to the one DATABASE_URL names. Shared by the bench scripts."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _pg_admin(url: str) -> Any:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    info = conninfo_to_dict(url)
    info["dbname"] = "postgres"
    return psycopg.connect(make_conninfo("", **info), autocommit=True)


def prepare_database(name: str, *, keep: bool) -> tuple[str, Callable[[], None]]:
    """Point DATABASE_URL at a fresh database called `name`; return (description, cleanup)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        base = url.rsplit("/", 1)[0]
        with _pg_admin(url) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = f"{base}/{name}"

        def cleanup() -> None:
            from django.db import connections

            connections.close_all()
            if not keep:  # FORCE: a killed server's connections may linger a moment
                with _pg_admin(url) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

        return f"PostgreSQL ({name})", cleanup

    tmp = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    path = tmp / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"

    def cleanup_sqlite() -> None:
        if keep:
            print(f"database kept: {path}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    return f"SQLite ({path})", cleanup_sqlite
