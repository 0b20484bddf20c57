"""A throwaway database for a benchmark: a temporary SQLite file by default, or a fresh
PostgreSQL database next to the one DATABASE_URL names. Shared by the bench scripts."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
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


def django_ready() -> None:
    """Django set up with the platform's settings (unless the bench chose others), on the database
    `prepare_database` pointed DATABASE_URL at."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiance.settings")
    import django

    django.setup()


def migrate_printed(where: str) -> None:
    """Print the database and the machine (CPUs, load average: other sessions may share it), then
    migrate the fresh database and print how long it took."""
    from django.core.management import call_command

    print(f"database: {where}")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - t:.1f} s")
