"""Who is acting right now: set by the middleware (web) or by `acting_as` (CLI, jobs)."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    user: Any = None
    ip: str | None = None
    label: str = ""
    request_id: str = ""  # the web request's id (jiance.requestlog), also in its log line


_NOBODY = Actor()
_current: contextvars.ContextVar[Actor] = contextvars.ContextVar("jiance_actor", default=_NOBODY)


def current_actor() -> Actor:
    return _current.get()


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    token = _current.set(actor)
    try:
        yield
    finally:
        _current.reset(token)
