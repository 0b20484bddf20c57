"""Settings of the server `bench/answers.py --cbt` starts: the dashboard bench's (production mode,
hello world) with the clock started at the sitting's moment (`JIANCE_BENCH_NOW`, see
`jiance.clock`), which production settings refuse to take from `JIANCE_NOW`. Never used outside
the bench."""

from __future__ import annotations

import os

from bench.dashboard_settings import *  # noqa: F403

JIANCE_NOW = os.environ.get("JIANCE_BENCH_NOW", "")
