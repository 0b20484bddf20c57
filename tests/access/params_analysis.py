"""URL parameters of jiance.analysis routes for the access walk: `stage` and `fmt` are shared
(tests.access.params_testday, tests.access.registry), `code` is the unit code of
tests.access.registry (the school, then its county and city: a report is a county's or a
city's, a school code is a 404 like a missing one); nothing app-specific."""

from __future__ import annotations
