"""Reads from a read replica, only where a page asks for them.

`JIANCE_READ_REPLICA_URL` adds the database alias "replica" (a streaming replica of the primary).
`ReplicaRouter` sends a read there only inside `reads()` (a context manager, or `@replica_reads`
on a function): the heavy, read-only figures of the live progress pages and of the questionnaire
progress pages, which may lag a few seconds behind. Everything else reads the primary:

- every write (and a model instance read from the replica is saved to the primary);
- anything inside a transaction (`transaction.atomic` on the primary): a service reads what it is
  about to change, so it must see the primary's rows, locks included;
- accounts, roles, sessions, lockouts and jobs, even inside `reads()`: a role taken away, a password
  changed or a session ended takes effect at once, never after the replica catches up.

Without the setting the router gives no opinion and every query goes to "default", as before.
Layer: a foundation module (no app import).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections

ALIAS = "replica"
# Apps whose rows decide who may do what, or that are written while read: always the primary.
PRIMARY_ONLY_APPS = frozenset({
    "auth", "accounts", "sessions", "axes", "contenttypes", "admin", "django_tasks_db", "jobs",
})

_reading: ContextVar[bool] = ContextVar("jiance_replica_reads", default=False)
F = TypeVar("F", bound=Callable[..., Any])


def configured() -> bool:
    return ALIAS in connections.settings


@contextmanager
def reads() -> Iterator[None]:
    """Reads inside go to the replica when there is one (see the module docstring)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_reads(func: F) -> F:
    """`reads()` around every call of `func`."""
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with reads():
            return func(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


class ReplicaRouter:
    """Reads to "replica" inside `reads()` only; writes and everything else to "default"."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if not configured():
            return None
        if (_reading.get() and model._meta.app_label not in PRIMARY_ONLY_APPS
                and not connections[DEFAULT_DB_ALIAS].in_atomic_block):
            return ALIAS
        return DEFAULT_DB_ALIAS  # not the instance's own database: a row read from the replica stays there

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return DEFAULT_DB_ALIAS if configured() else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        if not configured():
            return None
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, ALIAS, None}

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == ALIAS else None  # the replica copies the primary's schema
