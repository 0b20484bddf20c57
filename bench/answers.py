"""Benchmark of the respondents' save endpoint (issue 12): saves per second, p99, and a crash run.

In a fresh PostgreSQL database: an active cycle whose student questionnaire (the example
学生相关因素问卷（一）, published) is open all day today, `--respondents` students signed in by slip
(a session each, as after the slip login), their responses opened. The platform is served by
gunicorn (production settings, `bench.dashboard_settings`: the platform plus the hello-world view
`/bench/hello/`), driven by `wrk`:

1. capacity at rising concurrency (`--levels`, connections in a closed loop, `--duration` s each):
   the hello-world view signed in as a student (the ceiling: the same server, middleware, session),
   then `POST /questionnaires/answer/student_q1/save/` — one answer each (a Likert item or the sex
   question), a fresh client id, the respondent's next sequence number, as `answer.js` sends them.
   Printed: requests/s, p50, p99, the ratio of saves/s to hello/s (target ≥ 0.5) and the statuses;
2. the crash run: `--crash-threads` clients post saves (each remembers what was acknowledged:
   200 after the commit); after `--crash-after` s the server's process group gets SIGKILL (kill -9,
   master and workers, mid-request); it is restarted and the clients go on for a few seconds. Then
   every acknowledged save is looked for, (a) in the database (`AnswerSave` by client id) and (b) over
   HTTP as an outside tester would (`docs/respondent-api.yaml`): the answer page's `answers-data`
   must hold, for each question, the value of the highest sequence number acknowledged (or of a
   later one that was sent but whose reply the kill cut off). Missing acknowledged answers: target 0.

3. with `--cbt ROOMS` instead of 1 and 2: rooms of 42 students saving computer-based test responses
   every `--cbt-every` seconds (issue 13; `bench/cbt_rooms.py`), the signed-in hello world first;
   printed: the rate carried, p50/p99, and the arithmetic of what 7,000 schools' rooms need.

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/<any> .venv/bin/python bench/answers.py
[--workers 4] [--levels 4,16,64] [--duration 15] [--respondents 2000] [--keep]`` (needs `wrk`:
``apt-get install wrk``, and Redis at 127.0.0.1:6379 as in production). The machine's load average
is printed: other sessions may share it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import wrk_lua  # noqa: E402
from bench.benchdb import prepare_database  # noqa: E402
from bench.dashboard import ENV as DASHBOARD_ENV  # noqa: E402
from bench.dashboard import wrk  # noqa: E402

BENCH_DB = "jiance_bench_answers"
PORT = 8191
CSRF = "benchcsrfbenchcsrfbenchcsrfbench"  # a 32-character CSRF secret sent as cookie and header
SAVE_PATH = "/questionnaires/answer/student_q1/save/"
ITEMS = [*(f"climate_{i}" for i in range(1, 6)), *(f"feel_{i}" for i in range(1, 5)), "sex"]
ENV = {**DASHBOARD_ENV, "JIANCE_CACHE_URL": "redis://127.0.0.1:6379/14"}

LUA = wrk_lua.PRELUDE + r"""
-- one save per request, from the next respondent of this thread's half; the respondent's next seq
local lines, seqs, n, items = {}, {}, 0, {%ITEMS%}
function init(args)
  id = tid or 1
  lines = mine(args[1])
  mode = args[2]
  math.randomseed(os.time() * 7 + id)
  n = math.random(#lines)
end
function request()
  n = n % #lines + 1
  local cookie = lines[n]
  if mode == "hello" then
    return wrk.format("GET", "/bench/hello/", {["Cookie"] = cookie})
  end
  seqs[n] = (seqs[n] or 0) + 1
  local cid = client_id()
  local item = items[(seqs[n] + n) % #items + 1]
  local value = tostring(math.random(1, item == "sex" and 2 or 4))
  local body = "client_id=" .. cid .. "&seq=" .. (id * 100000000 + seqs[n]) .. "&name=" .. item .. "&value=" .. value
  return wrk.format("POST", "%SAVE%", {["Cookie"] = cookie, ["X-CSRFToken"] = "%CSRF%", ["X-Jiance-Queue"] = "1",
    ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
""" + wrk_lua.COUNTS


def build(respondents: int) -> list[str]:
    """The cycle, the published student questionnaire open all day, students signed in by slip."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from jiance import clock
    from jiance.cycles.models import Cycle, CycleStatus
    from jiance.questionnaires.examples import example_xlsx
    from jiance.questionnaires.models import Kind, Questionnaire, Respondent
    from jiance.questionnaires.selectors import SESSION_KEY
    from jiance.questionnaires.services.answering import response_open
    from jiance.questionnaires.services.versions import (
        questionnaires_sync,
        version_publish,
        version_upload,
    )
    from jiance.units.models import Level, Unit

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    with transaction.atomic():
        centre = Unit.objects.create(code="CN", name="监测中心", level=Level.CENTRE)
        province = Unit.objects.create(code="360000", name="江西省", level=Level.PROVINCE, parent=centre)
        city = Unit.objects.create(code="360100", name="南昌市", level=Level.CITY, parent=province)
        county = Unit.objects.create(code="360121", name="南昌县", level=Level.COUNTY, parent=city, county_kind="县")
        schools = [Unit.objects.create(code=f"36012100{i:02d}", name=f"南昌县第{i}中学", level=Level.SCHOOL,
                                       parent=county, school_type="初中") for i in range(1, 21)]
        cycle = Cycle.objects.create(
            code="bench-answers", year=today.year, name="问卷保存压测", status=CycleStatus.ACTIVE,
            config={"timezone": "Asia/Shanghai", "grades": {"junior": 8}, "test_days": [today.isoformat()],
                    "questionnaires": [{"code": "student_q1", "name": "学生相关因素问卷（一）",
                                        "respondents": ["student"], "mode": "online"}],
                    "sessions": [{"code": "q1", "day": today.isoformat(), "name": "学生问卷",
                                  "instrument": "student_q1", "start": "00:00", "end": "23:59"}],
                    "release": {"day": today.isoformat(), "start": "00:00"}})
        questionnaires_sync(cycle=cycle)
        q = Questionnaire.objects.get(cycle=cycle, code="student_q1")
        version, _ = version_upload(questionnaire=q, content=example_xlsx(q.code, q.name, ["student"]),
                                    filename="student_q1.xlsx", actor=None)
        version_publish(version=version, actor=None)
        now = clock.now()
        people = Respondent.objects.bulk_create([
            Respondent(cycle=cycle, kind=Kind.STUDENT, unit=schools[i % len(schools)], name=f"学生{i}",
                       login=f"B{i:06d}", code="ABC234", created_at=now) for i in range(respondents)])
    cookies = []
    for p in people:
        response_open(respondent=p, questionnaire=q, practice=False)
        session = SessionStore()
        session[SESSION_KEY] = p.pk
        session.set_expiry(4 * 3600)
        session.create()
        cookies.append(f"sessionid={session.session_key}; csrftoken={CSRF}")
    print(f"built: {respondents:,} students signed in, responses opened, in {time.perf_counter() - t:.1f} s")
    return cookies


SERVER_LOG: list[Path] = []  # where the server's log lines go (a file, not the terminal)


def serve(workers: int) -> subprocess.Popen[bytes]:
    cmd = [str(ROOT / ".venv/bin/gunicorn"), "jiance.wsgi:application", "--chdir", str(ROOT),
           "--bind", f"127.0.0.1:{PORT}", "--workers", str(workers), "--backlog", "4096", "--timeout", "120",
           "--log-level", "warning"]
    log = open(SERVER_LOG[0], "ab") if SERVER_LOG else None  # noqa: SIM115 - the server's lifetime
    proc = subprocess.Popen(cmd, env={**os.environ}, start_new_session=True, stdout=log, stderr=log)
    for _ in range(240):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/bench/hello/")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.25)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def collect_static() -> None:
    """The static files as `jiance serve --production` collects them (incremental: only what changed),
    so the server's manifest names every file the pages load — a stale one answers 500."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def stop(server: subprocess.Popen[bytes] | None, timeout: float = 60) -> None:
    """Stop a server `serve` started (its whole process group); nothing when it is gone already."""
    if server is None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=timeout)
    except ProcessLookupError:
        pass


class Client:
    """One respondent's browser as `answer.js` behaves: saves with a client id and the next seq."""

    def __init__(self, cookie: str) -> None:
        self.cookie = cookie
        self.conn: http.client.HTTPConnection | None = None
        self.error = ""

    def request(self, method: str, path: str, body: str = "") -> tuple[int, str]:
        headers = {"Cookie": self.cookie, "X-CSRFToken": CSRF, "X-Jiance-Queue": "1",
                   "Content-Type": "application/x-www-form-urlencoded"}
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            self.conn.request(method, path, body=body.encode(), headers=headers)
            reply = self.conn.getresponse()
            return reply.status, reply.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            self.error = repr(exc)
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            return 0, ""


def crash_run(cookies: list[str], *, threads: int, before: float, after: float, workers: int,
              server: subprocess.Popen[bytes]) -> tuple[dict[str, Any], subprocess.Popen[bytes]]:
    """Saves from `threads` clients; SIGKILL to the server's group after `before` s; restart; go on."""
    stop = threading.Event()
    ready = threading.Barrier(threads + 1, timeout=900)  # every client resumed before the clock starts
    lock = threading.Lock()
    sent: list[dict[str, Any]] = []  # every save sent: cookie, client id, name, seq, value, acknowledged

    def client(mine: list[str]) -> None:
        import random

        rng = random.Random(len(mine))
        browsers = [Client(c) for c in mine]
        seqs = {}
        for b in browsers:  # resume where the respondent stopped, as the page does (data-last-seq)
            for attempt in range(5):
                status, text = b.request("GET", "/questionnaires/answer/student_q1/")
                m = re.search(r'data-last-seq="(\d+)"', text)
                if status == 200 and m:
                    seqs[b.cookie] = int(m.group(1))
                    break
                time.sleep(1 + attempt)
            else:
                raise RuntimeError(f"answer page: {status} {b.error}")
        ready.wait()
        k = 0
        while not stop.is_set():
            b = browsers[k % len(browsers)]
            k += 1
            seqs[b.cookie] += 1
            name = ITEMS[rng.randrange(len(ITEMS))]
            value = str(rng.randint(1, 2 if name == "sex" else 4))
            save = {"cookie": b.cookie, "client_id": str(uuid.uuid4()), "name": name, "seq": seqs[b.cookie],
                    "value": value, "ack": False}
            body = urllib.parse.urlencode({k2: save[k2] for k2 in ("client_id", "name", "seq", "value")})
            status, text = b.request("POST", SAVE_PATH, body)
            save["ack"] = status == 200 and text == "已保存"
            with lock:
                sent.append(save)
            if status == 0:
                time.sleep(0.05)  # the server is down: a browser's queue waits and retries (a new save here)

    per = max(1, len(cookies) // threads)
    pool = [threading.Thread(target=client, args=(cookies[i * per:(i + 1) * per],), daemon=True)
            for i in range(threads)]
    for th in pool:
        th.start()
    ready.wait()
    time.sleep(before)
    with lock:
        acked_before_kill = sum(s["ack"] for s in sent)
    os.killpg(server.pid, signal.SIGKILL)
    killed_at = time.perf_counter()
    server.wait(timeout=30)
    restarted = serve(workers)
    down = time.perf_counter() - killed_at
    time.sleep(after)
    stop.set()
    for th in pool:
        th.join(timeout=60)

    from jiance.questionnaires.models import AnswerSave

    acked = [s for s in sent if s["ack"]]
    found = set()
    ids = [uuid.UUID(s["client_id"]) for s in acked]
    for i in range(0, len(ids), 5000):
        found |= {str(c) for c in AnswerSave.objects.filter(client_id__in=ids[i:i + 5000]).values_list(
            "client_id", flat=True)}
    missing_db = sum(1 for s in acked if s["client_id"] not in found)
    missing_http, checked = http_check(sent)
    return {"sent": len(sent), "acked": len(acked), "acked_before_kill": acked_before_kill,
            "refused_or_cut": len(sent) - len(acked), "missing_db": missing_db, "missing_http": missing_http,
            "checked_questions": checked, "down_s": down}, restarted


def http_check(sent: list[dict[str, Any]]) -> tuple[int, int]:
    """What an outside tester checks: each question's value on the answer page is the one of the
    highest acknowledged seq, or of a later save whose reply was cut off by the kill."""
    by: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for s in sent:
        by.setdefault((s["cookie"], s["name"]), []).append(s)
    pages: dict[str, dict[str, Any]] = {}
    missing = checked = 0
    for (cookie, name), saves in by.items():
        acked = [s for s in saves if s["ack"]]
        if not acked:
            continue
        top = max(s["seq"] for s in acked)
        allowed = {next(s["value"] for s in acked if s["seq"] == top)} | {
            s["value"] for s in saves if s["seq"] > top and not s["ack"]}
        if cookie not in pages:
            status, text = Client(cookie).request("GET", "/questionnaires/answer/student_q1/")
            m = re.search(r'<script id="answers-data" type="application/json">(.*?)</script>', text, re.S)
            pages[cookie] = json.loads(m.group(1)) if status == 200 and m else {}
        checked += 1
        if str(pages[cookie].get(name)) not in allowed:
            missing += 1
    return missing, checked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--levels", default="4,16,64", help="connections of each capacity run")
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--respondents", type=int, default=2000)
    parser.add_argument("--crash-threads", type=int, default=16)
    parser.add_argument("--crash-after", type=float, default=8.0)
    parser.add_argument("--after-restart", type=float, default=4.0)
    parser.add_argument("--db", default=BENCH_DB, help="name of the throwaway PostgreSQL database")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--cbt", type=int, default=0, metavar="ROOMS",
                        help="instead: ROOMS rooms of 42 students saving test responses (bench/cbt_rooms.py)")
    parser.add_argument("--cbt-every", type=float, default=5.0, help="seconds between a student's saves")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install wrk")
        return 2
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL must name a PostgreSQL server (the production database)")
        return 2
    os.environ.update(ENV)
    where, cleanup = prepare_database(args.db, keep=args.keep)
    import django

    django.setup()
    tmp = Path(tempfile.mkdtemp(prefix="bench-answers-"))
    server = None
    try:
        print(f"database: {where}; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (other sessions share it)")
        if args.cbt:
            from bench.cbt_rooms import cbt_run

            server = cbt_run(args, tmp)
            return 0
        cookies = build(args.respondents)

        collect_static()  # the answer page needs the manifest
        SERVER_LOG.append(tmp / "server.log")
        jar = tmp / "cookies.txt"
        jar.write_text("\n".join(cookies) + "\n")
        script = tmp / "saves.lua"
        script.write_text(LUA.replace("%ITEMS%", ", ".join(f'"{i}"' for i in ITEMS)).replace("%SAVE%", SAVE_PATH)
                          .replace("%CSRF%", CSRF))
        from django.db import connections

        connections.close_all()
        server = serve(args.workers)
        probe = Client(cookies[0]).request("POST", SAVE_PATH, urllib.parse.urlencode(
            {"client_id": str(uuid.uuid4()), "seq": 1, "name": "sex", "value": "1"}))
        assert probe == (200, "已保存"), probe
        base = f"http://127.0.0.1:{PORT}"
        print(f"gunicorn: {args.workers} sync workers; wrk: 2 threads")
        wrk(f"{base}/bench/hello/", jar, mode="hello", connections=8, duration=3, script=script)  # warm
        load_before = os.getloadavg()[0]
        print(f"\n1. capacity: closed loop, {args.duration} s per run; saves/s against the signed-in hello world")
        print(f"{'conns':>5} {'hello/s':>8} {'p99':>8} {'saves/s':>8} {'p50':>8} {'p99':>8} {'ratio':>6}  statuses")
        for c in (int(x) for x in args.levels.split(",")):
            hello = wrk(f"{base}/bench/hello/", jar, mode="hello", connections=c, duration=args.duration, script=script)
            saves = wrk(f"{base}{SAVE_PATH}", jar, mode="save", connections=c, duration=args.duration, script=script)
            ratio = saves["rps"] / hello["rps"] if hello["rps"] else float("nan")
            print(f"{c:5d} {hello['rps']:8.1f} {hello['p99'] * 1000:6.0f}ms {saves['rps']:8.1f} "
                  f"{saves['p50'] * 1000:6.0f}ms {saves['p99'] * 1000:6.0f}ms {ratio:6.2f}  "
                  f"hello {hello['statuses']} saves {saves['statuses']} {saves['errors']}")
        print(f"load average: {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")

        print(f"\n2. crash run: {args.crash_threads} clients saving; kill -9 of gunicorn (master and workers) "
              f"after {args.crash_after:g} s, restart, {args.after_restart:g} s more")
        result, server = crash_run(cookies, threads=args.crash_threads, before=args.crash_after,
                                   after=args.after_restart, workers=args.workers, server=server)
        print(f"saves sent {result['sent']:,}, acknowledged {result['acked']:,} ({result['acked_before_kill']:,} "
              f"before the kill), not acknowledged {result['refused_or_cut']:,} (server down or cut off); "
              f"server back after {result['down_s']:.1f} s")
        print(f"acknowledged saves missing: {result['missing_db']} in the database (by client id), "
              f"{result['missing_http']} of {result['checked_questions']:,} answers read back over HTTP (target 0)")
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        return 0 if result["missing_db"] == 0 and result["missing_http"] == 0 else 1
    finally:
        stop(server)
        shutil.rmtree(tmp, ignore_errors=True)
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
