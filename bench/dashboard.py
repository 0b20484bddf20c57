"""Benchmark of the live progress page (issue 11): the city's figures part polled by 2,000 viewers.

Builds the national data of `bench/pages.py` (the hierarchy, one full province's frames, sample,
rosters and drawn students) in a fresh PostgreSQL database, adds test day in the largest city
(test rooms for most sample schools, a few absences, some schools without rooms), 2,000 logged-in
sessions of the city's staff, then serves the platform with gunicorn (production settings, the
Redis cache) and drives it with `wrk` from Debian, each request from the next of the 2,000 sessions:

1. capacity, `--capacity` connections (64) in a closed loop, `--duration` seconds each: the
   hello-world baseline `/bench/hello/` (a Django view through the same middleware; anonymous and
   signed in), then the city's live figures part `/live/figures/?day=<test day>` as htmx polls it,
   revalidating with the ETag the server gave (as a browser does: 304 while nothing changes), the
   same while a writer reports a change (`progress_changed()`) every `--change-every` seconds, and
   without ETags;
2. 2,000 viewers (`--connections`), each polling every `--poll` seconds on average, for
   `--viewers-duration` seconds: hello world signed in, and the live part while the figures change.

Printed: requests per second and p50/p99 of each run, the ratios to the signed-in hello world, and
the machine's load (other sessions share it).

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/dashboard.py
[--workers 4] [--connections 2000] [--duration 30] [--keep] [--reuse URL]`` (needs `wrk`:
``apt-get install wrk``, and Redis at 127.0.0.1:6379).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.benchdb import prepare_database  # noqa: E402

BENCH_DB = "jiance_bench_dashboard"
VIEWERS = 2000
PORT = 8190
REDIS = "redis://127.0.0.1:6379/15"
ENV = {  # production mode, as the server will run it (the bench process uses the same keys)
    "JIANCE_ENV": "production", "JIANCE_DEBUG": "0", "JIANCE_SECRET_KEY": "bench-dashboard-" + "k" * 40,
    "JIANCE_FIELD_KEY": "ZGV2LW9ubHktZmllbGQta2V5LWZvci1qaWFuY2UtMDE=", "JIANCE_ALLOWED_HOSTS": "127.0.0.1",
    "JIANCE_SSL_REDIRECT": "0", "JIANCE_CACHE_URL": REDIS, "DJANGO_SETTINGS_MODULE": "bench.dashboard_settings",
}

LUA = r"""
-- each request from the next viewer's session; revalidate with the last ETag seen (a browser's copy)
local cookies, n, etag = {}, 0, nil
counts = {}  -- a global: done() reads it from each thread
function init(args)
  for line in io.lines(args[1]) do cookies[#cookies + 1] = line end
  n = math.random(#cookies)
  revalidate = args[2] == "etag"
  anonymous = args[2] == "anonymous"
  poll_ms = tonumber(args[3] or "0")
end
function delay()
  -- a viewer polling every poll_ms on average (uniform 0..2×, so viewers spread out); 0: at once
  if poll_ms > 0 then return math.random(0, 2 * poll_ms) end
  return 0
end
function request()
  n = n % #cookies + 1
  local headers = {["HX-Request"] = "true"}
  if not anonymous then headers["Cookie"] = cookies[n] end
  if revalidate and etag then headers["If-None-Match"] = etag end
  return wrk.format("GET", nil, headers)
end
function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if headers["ETag"] then etag = headers["ETag"] end
end
local threads = {}
function setup(thread) threads[#threads + 1] = thread end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do io.write(string.format("status %s: %d\n", k, v)) end
end
"""


def add_testday(ctx: dict[str, Any], seed: int) -> dict[str, Any]:
    """Test day in the city: rooms for 90 % of its sample places (one per 42 drawn students), three
    seats per room of which one in ten absent; the city's staff with 2,000 sessions."""
    import numpy as np
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection, transaction

    from jiance import clock
    from jiance.accounts.models import Role, RoleAssignment, User
    from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool
    from jiance.testday.models import Seat, TestRoom

    rng = np.random.default_rng(seed)
    city, cycle = ctx["city"], ctx["cycle"]
    now = clock.now()
    t = time.perf_counter()
    with transaction.atomic():
        places = list(SampledSchool.objects.filter(
            draw__cycle=cycle, draw__status=DrawStatus.PUBLISHED, status=RowStatus.IN_SAMPLE,
            school__path__startswith=city.path).values_list("school_id", "stage").order_by("school__path", "stage"))
        rooms = [TestRoom(cycle=cycle, school_id=school_id, stage=stage, number=1, kind="paper", students=30,
                          rows=7, columns=6, pattern="vertical", created_at=now)
                 for school_id, stage in places if rng.random() < 0.9]
        rooms = TestRoom.objects.bulk_create(rooms, batch_size=2000)
        Seat.objects.bulk_create([Seat(room=r, seat=k, row=1, column=k, absent=bool(rng.random() < 0.1))
                                  for r in rooms for k in (1, 2, 3)], batch_size=5000)
        hashed = make_password("bench")
        staff = []
        for i in range(20):
            user = User.objects.create(username=f"bench.live{i:02d}", password=hashed, must_change_password=False)
            RoleAssignment.objects.create(user=user, role=Role.CITY_INFO_OFFICER, unit=city)
            staff.append(user)
    cookies = []
    for i in range(VIEWERS):
        user = staff[i % len(staff)]
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.set_expiry(4 * 3600)
        session.create()
        cookies.append(f"sessionid={session.session_key}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"test day in {city.name}: {len(places):,} sample places, {len(rooms):,} rooms, "
          f"{VIEWERS:,} sessions of {len(staff)} city staff, in {time.perf_counter() - t:.1f} s")
    return {**ctx, "cookies": cookies}


def cold_figures(ctx: dict[str, Any]) -> None:
    """The figures computed without the cache, in this process: the cost of one recomputation."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from jiance.accounts.models import User

    day = ctx["test_day"].isoformat()
    for who, username in (("city", "bench.live00"), ("province", "bench.province"), ("centre", "bench.centre")):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        client.get(f"/live/figures/?day={day}")
        times = []
        for _ in range(3):
            cache.clear()
            queries: list[str] = []
            with connection.execute_wrapper(lambda run, sql, params, many, context, q=queries: (
                    q.append(sql), run(sql, params, many, context))[1]):
                t = time.perf_counter()
                r = client.get(f"/live/figures/?day={day}")
                times.append(time.perf_counter() - t)
            assert r.status_code == 200, (who, r.status_code)
        t = time.perf_counter()
        client.get(f"/live/figures/?day={day}")
        warm = time.perf_counter() - t
        print(f"figures of the {who:<8}: computed {min(times) * 1000:6.0f} ms ({len(queries)} queries), "
              f"from the cache {warm * 1000:5.0f} ms")


def serve(workers: int, worker_class: str, threads: int) -> subprocess.Popen[bytes]:
    cmd = [str(ROOT / ".venv/bin/gunicorn"), "jiance.wsgi:application", "--chdir", str(ROOT),
           "--bind", f"127.0.0.1:{PORT}", "--workers", str(workers), "--worker-class", worker_class,
           "--threads", str(threads), "--backlog", "4096", "--timeout", "120", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env={**os.environ}, start_new_session=True)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/hello/", timeout=2).read()
            return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def wrk(url: str, cookies: Path, *, mode: str, connections: int, duration: int, script: Path,
        poll_ms: int = 0) -> dict[str, Any]:
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--timeout", "60s", "--latency",
           "-s", str(script), url, "--", str(cookies), mode, str(poll_ms)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 120, check=True).stdout

    def secs(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = secs(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = secs(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    statuses = dict(re.findall(r"status (\d+): (\d+)", out))
    errors = re.search(r"Socket errors:.*", out)
    return {"rps": rps, "p50": p50, "p99": p99, "statuses": statuses,
            "errors": errors.group(0) if errors else "", "raw": out}


def report(results: dict[str, dict[str, Any]], base: dict[str, Any]) -> None:
    print(f"{'run':<18} {'req/s':>8} {'p50':>9} {'p99':>9} {'rps ratio':>10} {'p99 ratio':>10}  statuses")
    for name, r in results.items():
        ratio = r["rps"] / base["rps"] if base["rps"] else float("nan")
        p99 = r["p99"] / base["p99"] if base["p99"] else float("nan")
        print(f"{name:<18} {r['rps']:8.1f} {r['p50'] * 1000:7.0f}ms {r['p99'] * 1000:7.0f}ms {ratio:10.2f} "
              f"{p99:10.2f}  {r['statuses']} {r['errors']}")


def changes(stop: threading.Event, every: float) -> None:
    """A test day's writes, as far as the live page sees them: an app reports a change."""
    from jiance.apps_registry import progress_changed

    while not stop.wait(every):
        progress_changed()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--province", help="two-digit province code (default: the largest)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=VIEWERS, help="viewers of the polling run")
    parser.add_argument("--poll", type=int, default=15, help="seconds between a viewer's polls (mean)")
    parser.add_argument("--viewers-duration", type=int, default=60)
    parser.add_argument("--capacity", type=int, default=64, help="connections of the capacity runs")
    parser.add_argument("--duration", type=int, default=20, help="seconds of each capacity run")
    parser.add_argument("--change-every", type=float, default=5.0, help="seconds between reported changes")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--reuse", metavar="DATABASE_URL", help="a database kept by --keep: no build")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install wrk")
        return 2

    os.environ.update(ENV)
    if args.reuse:
        os.environ["DATABASE_URL"] = args.reuse
        where, cleanup = args.reuse, (lambda: None)
    else:
        if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
            print("DATABASE_URL must name a PostgreSQL server (the production database)")
            return 2
        where, cleanup = prepare_database(BENCH_DB, keep=args.keep)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    from jiance import clock

    tmp = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    server = None
    try:
        print(f"database: {where}; cache: {REDIS}")
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (other sessions share it)")
        from jiance.cycles.services import TEMPLATES_DIR
        from jiance_core.cycles.loader import load_template

        first_day = min(load_template(TEMPLATES_DIR / "national-2022.yaml").test_days)
        with clock.frozen(dt.datetime.combine(first_day, dt.time(7, 0), tzinfo=dt.UTC)):
            if args.reuse:
                from django.contrib.auth import SESSION_KEY
                from django.contrib.sessions.models import Session

                from bench.pages import existing
                from jiance.accounts.models import User

                ctx = existing()
                staff = {str(pk) for pk in User.objects.filter(username__startswith="bench.live").values_list("pk", flat=True)}
                ctx["cookies"] = [f"sessionid={s.session_key}" for s in Session.objects.all()
                                  if s.get_decoded().get(SESSION_KEY) in staff][:VIEWERS]
            else:
                from bench.pages import build

                t = time.perf_counter()
                call_command("migrate", verbosity=0)
                print(f"migrate: {time.perf_counter() - t:.1f} s")
                ctx = add_testday(build(args.seed, args.province), args.seed)
        cache.clear()
        cold_figures(ctx)
        cache.clear()
        jar = tmp / "cookies.txt"
        jar.write_text("\n".join(ctx["cookies"]) + "\n")
        script = tmp / "viewers.lua"
        script.write_text(LUA)
        from django.db import connections

        connections.close_all()
        server = serve(args.workers, args.worker_class, args.threads)
        base = f"http://127.0.0.1:{PORT}"
        live = f"{base}/live/figures/?day={ctx['test_day'].isoformat()}"
        check = urllib.request.Request(live, headers={"Cookie": ctx["cookies"][0]})
        body = urllib.request.urlopen(check, timeout=60).read().decode()
        assert 'id="live-figures"' in body, body[:500]
        print(f"gunicorn: {args.workers} {args.worker_class} workers × {args.threads} threads; wrk: 2 threads")
        hello_url = f"{base}/bench/hello/"
        load_before = os.getloadavg()[0]
        stop = threading.Event()

        def run(url: str, mode: str, connections: int, duration: int, poll_ms: int = 0,
                changing: bool = False) -> dict[str, Any]:
            stop.clear()
            writer = threading.Thread(target=changes, args=(stop, args.change_every), daemon=True)
            if changing:
                writer.start()
            try:
                return wrk(url, jar, mode=mode, connections=connections, duration=duration, script=script,
                           poll_ms=poll_ms)
            finally:
                stop.set()

        wrk(hello_url, jar, mode="plain", connections=args.capacity, duration=5, script=script)  # warm
        c, d = args.capacity, args.duration
        capacity = {
            "hello, anonymous": run(hello_url, "anonymous", c, d),
            "hello, signed in": run(hello_url, "plain", c, d),
            "live, 304": run(live, "etag", c, d),
            "live, changing": run(live, "etag", c, d, changing=True),
            "live, no ETag": run(live, "plain", c, d),
        }
        print(f"\n1. capacity: {c} connections, closed loop (each sends its next request when the last is "
              f"answered), {d} s each; ratios to the signed-in hello world")
        report(capacity, capacity["hello, signed in"])
        v, pd, poll = args.connections, args.viewers_duration, args.poll
        viewers = {
            "hello, signed in": run(hello_url, "plain", v, pd, poll_ms=poll * 1000),
            "live, changing": run(live, "etag", v, pd, poll_ms=poll * 1000, changing=True),
        }
        print(f"\n2. {v:,} viewers each polling every {poll} s on average (uniform 0–{2 * poll} s), {pd} s; "
              f"every viewer's first request at the start (a burst of {v:,})")
        report(viewers, viewers["hello, signed in"])
        print(f"\nchanges reported every {args.change_every:g} s in the 'changing' runs; load average: "
              f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
        return 0
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        cache.clear()
        shutil.rmtree(tmp, ignore_errors=True)
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
