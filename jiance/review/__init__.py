"""The one review engine of the platform (frame, rosters, tested students; implementation
documents next): a chain is data (`spec`), a record is a `Reviewable` (`models`), every step goes
through `engine.transition`, and every step's history row is a `ReviewEvent` (`events`).
Templates: `review/_form.html` (the decision form, with the version the page shows) and
`review/_history.html` (the history table).

This package is also the app that ships those templates, so it imports no model at import time;
`ReviewEvent` and `Reviewable` are still importable from here once the apps are loaded."""

from __future__ import annotations

from typing import Any

from jiance.review.spec import Chain, ReviewRefused, Step

__all__ = ["Chain", "ReviewEvent", "ReviewRefused", "Reviewable", "Step"]


def __getattr__(name: str) -> Any:
    if name == "ReviewEvent":
        from jiance.review.events import ReviewEvent

        return ReviewEvent
    if name == "Reviewable":
        from jiance.review.models import Reviewable

        return Reviewable
    raise AttributeError(name)
