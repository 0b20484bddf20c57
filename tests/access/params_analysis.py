"""URL parameters of jiance.analysis routes for the access walk: `stage` and `fmt` are shared
(tests.access.params_testday, tests.access.registry); nothing app-specific."""

from __future__ import annotations
