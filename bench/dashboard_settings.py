"""Settings of the server `bench/dashboard.py` starts: the platform's own settings (production
mode, from the environment the bench sets), plus a hello-world route for the baseline and a cache
key prefix of its own. Never used outside the bench."""

from __future__ import annotations

from jiance.settings import *  # noqa: F403
from jiance.settings import CACHES

ROOT_URLCONF = "bench.dashboard_urls"
CACHES["default"]["KEY_PREFIX"] = "bench-dashboard"
