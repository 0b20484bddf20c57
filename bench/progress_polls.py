"""The questionnaire progress pages' polls with and without the shared figures (issue 12).

Against a built demo (`jiance demo`, any database): as the demo county's and city's staff, the
figures part (`/questionnaires/progress/<unit>/figures/`, what the page polls) requested `--n`
times in-process (Django test client, the demo's settings and cache): each poll after emptying the
cache (every poll recomputes, as before the cache), then every poll from the cache (what a second
viewer or the next poll within `JIANCE_LIVE_TTL` costs). Printed: ms per poll and queries per poll.

Run: ``DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/progress_polls.py [--n 30]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiance.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from jiance.accounts.models import RoleAssignment, User

    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; cache {cache.__class__.__name__}")
    for username in ("ncx.info", "nanchang.admin"):
        user = User.objects.get(username=username)
        unit = RoleAssignment.objects.filter(user=user).select_related("unit").first().unit  # type: ignore[union-attr]
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        url = reverse("questionnaires:progress_figures", args=[unit.code])
        for shared in (False, True):
            times, queries = [], []
            for _ in range(args.n):
                if not shared:
                    cache.clear()
                with CaptureQueriesContext(connection) as q:
                    t = time.perf_counter()
                    reply = client.get(url, HTTP_HX_REQUEST="true")
                    times.append((time.perf_counter() - t) * 1000)
                assert reply.status_code == 200, reply.status_code
                queries.append(len(q))
            if shared:
                times, queries = times[1:], queries[1:]  # the first filled the cache
            print(f"{username:>15} {unit.name}: {'shared' if shared else 'recomputed':>10}  "
                  f"median {statistics.median(times):6.1f} ms  p90 {sorted(times)[int(len(times) * 0.9)]:6.1f} ms  "
                  f"{statistics.median(queries):.0f} queries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
