"""Races between two real database connections, for the review chains' row-lock tests.

Real concurrency needs real row locks: PostgreSQL only (SQLite serialises whole-database writes,
so the race cannot happen there and a test would prove nothing). Mark a module with
`pytestmark = POSTGRES_RACE`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from django.db import connection, connections

T = TypeVar("T")

POSTGRES_RACE = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks (set DATABASE_URL=postgres://...); SQLite cannot run two writers",
    ),
    pytest.mark.django_db(transaction=True),
]


def race(*calls: Callable[[], Any], timeout: float = 60) -> list[Any]:
    """Run each call in its own thread with its own connection, released together by a barrier.
    A call's exception is its result: the loser's refusal is the expected outcome of a race."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return results


def holding_lock(locker: Callable[..., T], seconds: float = 0.2) -> Callable[..., T]:
    """`locker` (a service's row-locking helper) that keeps its lock a little longer, so the other
    thread is certainly waiting on it."""

    def slow(*args: Any, **kwargs: Any) -> T:
        locked = locker(*args, **kwargs)
        time.sleep(seconds)
        return locked

    return slow


def one_winner(results: list[Any], kind: type[T]) -> tuple[T, Exception]:
    """The race's single success (a `kind`) and its single refusal; fails on anything else."""
    wins = [r for r in results if isinstance(r, kind)]
    losses = [r for r in results if isinstance(r, Exception)]
    assert len(wins) == 1 and len(losses) == 1, results
    return wins[0], losses[0]
