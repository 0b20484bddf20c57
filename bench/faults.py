"""Fault runs against the production server under load (issue 15): what a crash, a database restart
and a full disk cost in acknowledged writes. Figures in `docs/reliability.md`.

Each subcommand builds its data in a fresh PostgreSQL database (`bench/answers.py`'s `build`: an
active cycle, the example student questionnaire open all day, students signed in by slip), starts
gunicorn with the production settings (`answers.serve`), puts a load of answer saves on it from
`--threads` clients (each remembers which saves were acknowledged: 200 "已保存" after the commit),
injects the fault, goes on, then looks for every acknowledged save in the database (by client id)
and over HTTP (the answer page's values, `answers.http_check`). Target: 0 acknowledged saves lost.

- ``worker-kill``: `kill -9` of one gunicorn worker (not the master) after `--before` s; the master
  starts a new one; `--after` s more;
- ``server-kill``: `kill -9` of the whole process group (master and workers), restart: the crash run
  of `bench/answers.py` (`answers.crash_run`);
- ``db-restart``: PostgreSQL stopped (`pg_ctlcluster … stop -m fast`) under the load and started again `--down` s later, in a
  cluster of its own (`--cluster faults`, port `--port` 5433, created with trust for 127.0.0.1 and
  dropped afterwards: never the shared server on 5432). Also probes, while it restarts, a page (the
  answer page) and the API (`/api/cycles`): each status counted, every 503 checked for Retry-After
  and its body (a Chinese page, JSON for the API, plain text for the queue); 500s counted (target 0).
  Then nothing half-written: every stored answer is the one its save log's highest applied sequence says;
- ``disk-full``: the media root on a 1 MB tmpfs (`mount -t tmpfs -o size=1m`, as root), one computer
  room of 42 students working (`bench/cbt_rooms.py`'s `build_rooms`, the example bank with a spoken
  and a sung recording task), each student's recordings PUT through the server until the disk is
  full: the status of each upload, then every recording row's file read back (SHA-256) and no row
  without a file.

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/faults.py
worker-kill|server-kill|db-restart|disk-full [--threads 16] [--before 8] [--after 8]``. The load
average is printed: the 2 CPUs are shared with other sessions.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import hashlib
import json
import os
import random
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

import bench.answers as answers  # noqa: E402
from bench.benchdb import prepare_database  # noqa: E402

PORT = 8198
ANSWER_PAGE = "/questionnaires/answer/student_q1/"


def load(cookies: list[str], *, threads: int, seconds: float, fault: Any, at: float,
         probe: bool = False) -> dict[str, Any]:
    """`threads` clients saving answers for `seconds`; `fault()` called after `at` s. Every save is
    remembered (cookie, client id, name, seq, value, status, acknowledged)."""
    stop = threading.Event()
    lock = threading.Lock()
    sent: list[dict[str, Any]] = []
    probes: list[dict[str, Any]] = []
    ready = threading.Barrier(threads + 1 + (1 if probe else 0), timeout=600)
    started = [0.0]

    def client(mine: list[str], seed: int) -> None:
        rng = random.Random(seed)
        browsers = [answers.Client(c) for c in mine]
        seqs = {}
        for b in browsers:  # resume where the respondent stopped (the page's data-last-seq)
            status, text = b.request("GET", ANSWER_PAGE)
            assert status == 200, (status, b.error)
            seqs[b.cookie] = int(text.split('data-last-seq="', 1)[1].split('"', 1)[0])
        ready.wait()
        k = 0
        while not stop.is_set():
            b = browsers[k % len(browsers)]
            k += 1
            seqs[b.cookie] += 1
            name = answers.ITEMS[rng.randrange(len(answers.ITEMS))]
            save = {"cookie": b.cookie, "client_id": str(uuid.uuid4()), "name": name, "seq": seqs[b.cookie],
                    "value": str(rng.randint(1, 2 if name == "sex" else 4)), "t": time.perf_counter() - started[0]}
            body = urllib.parse.urlencode({k2: save[k2] for k2 in ("client_id", "name", "seq", "value")})
            t = time.perf_counter()
            status, text = b.request("POST", answers.SAVE_PATH, body)
            save.update(status=status, ack=status == 200 and text == "已保存", text=text[:80],
                        took=time.perf_counter() - t)
            with lock:
                sent.append(save)
            if status != 200:
                time.sleep(0.05)  # a browser's queue waits before the next try

    def prober(cookie: str) -> None:
        import http.client

        ready.wait()
        while not stop.is_set():
            for path in (ANSWER_PAGE, "/api/cycles"):
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", answers.PORT, timeout=30)
                    conn.request("GET", path, headers={"Cookie": cookie})
                    reply = conn.getresponse()
                    body = reply.read().decode("utf-8", "replace")
                    probes.append({"path": path, "status": reply.status, "retry_after": reply.getheader("Retry-After"),
                                   "type": reply.getheader("Content-Type", ""), "body": body[:2000],
                                   "t": time.perf_counter() - started[0]})
                    conn.close()
                except (OSError, http.client.HTTPException) as exc:
                    probes.append({"path": path, "status": 0, "error": repr(exc), "t": time.perf_counter() - started[0]})
            time.sleep(0.1)

    per = max(1, len(cookies) // threads)
    pool = [threading.Thread(target=client, args=(cookies[i * per:(i + 1) * per], i), daemon=True)
            for i in range(threads)]
    if probe:
        pool.append(threading.Thread(target=prober, args=(cookies[-1],), daemon=True))
    for th in pool:
        th.start()
    ready.wait()
    started[0] = time.perf_counter()
    time.sleep(at)
    fault_at = time.perf_counter() - started[0]
    fault_info = {**fault(), "at": fault_at}
    time.sleep(max(0.0, seconds - at))
    stop.set()
    for th in pool:
        th.join(timeout=60)
    return {"sent": sent, "probes": probes, "fault": fault_info}


def lost(sent: list[dict[str, Any]]) -> dict[str, int]:
    """Acknowledged saves missing from the database (client id) and over HTTP (the answer page)."""
    from jiance.questionnaires.models import AnswerSave

    acked = [s for s in sent if s["ack"]]
    ids = [uuid.UUID(s["client_id"]) for s in acked]
    found: set[str] = set()
    for i in range(0, len(ids), 5000):
        found |= {str(c) for c in AnswerSave.objects.filter(client_id__in=ids[i:i + 5000]).values_list(
            "client_id", flat=True)}
    missing_http, checked = answers.http_check(sent)
    return {"acked": len(acked), "missing_db": sum(1 for s in acked if s["client_id"] not in found),
            "missing_http": missing_http, "checked": checked}


def half_written() -> dict[str, int]:
    """Answers that disagree with their save log: an answer without the save that wrote it, or not
    the value of the highest applied sequence of its question. Target 0 each."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("""SELECT count(*) FROM questionnaires_answer a WHERE NOT EXISTS (
                       SELECT 1 FROM questionnaires_answersave s
                       WHERE s.response_id = a.response_id AND s.name = a.name AND s.seq = a.seq AND s.applied)""")
        orphan = c.fetchone()[0]
        c.execute("""SELECT count(*) FROM questionnaires_answer a JOIN (
                       SELECT response_id, name, max(seq) AS top FROM questionnaires_answersave WHERE applied
                       GROUP BY response_id, name) s ON s.response_id = a.response_id AND s.name = a.name
                     WHERE a.seq <> s.top""")
        behind = c.fetchone()[0]
        c.execute("""SELECT count(*) FROM questionnaires_response r WHERE r.last_seq < COALESCE(
                       (SELECT max(seq) FROM questionnaires_answersave s WHERE s.response_id = r.id AND s.applied), 0)""")
        seq_behind = c.fetchone()[0]
    return {"answers_without_their_save": orphan, "answers_not_the_latest": behind, "responses_behind": seq_behind}


def statuses(sent: list[dict[str, Any]]) -> str:
    counts = collections.Counter(s["status"] for s in sent)
    return ", ".join(f"{'no reply' if k == 0 else k}: {v:,}" for k, v in sorted(counts.items()))


def report_saves(result: dict[str, Any]) -> bool:
    sent = result["sent"]
    loss = lost(sent)
    took = sorted(s["took"] for s in sent) or [0.0]
    print(f"saves sent {len(sent):,} ({statuses(sent)}); acknowledged {loss['acked']:,}; reply time p50 "
          f"{took[len(took) // 2] * 1000:.0f} ms, p99 {took[int(len(took) * 0.99)] * 1000:.0f} ms, "
          f"longest {took[-1]:.1f} s")
    print(f"acknowledged saves lost: {loss['missing_db']} in the database (by client id), {loss['missing_http']} of "
          f"{loss['checked']:,} answers read back over HTTP (target 0)")
    failed = [s for s in sent if not s["ack"]]
    if failed:
        print(f"failures from {min(s['t'] for s in failed):.2f} s to {max(s['t'] for s in failed):.2f} s "
              f"(fault at {result['fault'].get('at', 0):.2f} s); first replies: "
              + "; ".join(sorted({f"{s['status']} {s['text'][:40]!r}" for s in failed})[:4]))
    return loss["missing_db"] == 0 and loss["missing_http"] == 0


def worker_pids(master: int) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if int(p.joinpath("stat").read_text().rsplit(")", 1)[1].split()[1]) == master:
                    out.append(int(p.name))
            except (OSError, IndexError):
                pass
    return sorted(out)


# --- the subcommands -------------------------------------------------------------------------------
def worker_kill(args: argparse.Namespace, cookies: list[str]) -> bool:
    server = answers.serve(args.workers)

    def fault() -> dict[str, Any]:
        victim = worker_pids(server.pid)[0]
        os.kill(victim, signal.SIGKILL)
        return {"pid": victim}

    try:
        print(f"\nworker kill: {args.threads} clients saving; kill -9 of one of {args.workers} workers after "
              f"{args.before:g} s, {args.after:g} s more; load average {os.getloadavg()[0]:.1f}")
        result = load(cookies, threads=args.threads, seconds=args.before + args.after, fault=fault, at=args.before)
        workers_after = worker_pids(server.pid)
        print(f"killed worker {result['fault']['pid']}; workers afterwards {len(workers_after)} (the master "
              f"replaced it: {result['fault']['pid'] not in workers_after})")
        ok = report_saves(result)
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        return ok
    finally:
        answers.stop(server)


def server_kill(args: argparse.Namespace, cookies: list[str]) -> bool:
    server = answers.serve(args.workers)
    print(f"\nserver kill (answers.crash_run): {args.threads} clients saving; kill -9 of gunicorn's process group "
          f"after {args.before:g} s, restart, {args.after:g} s more; load average {os.getloadavg()[0]:.1f}")
    result, server = answers.crash_run(cookies, threads=args.threads, before=args.before, after=args.after,
                                       workers=args.workers, server=server)
    try:
        print(f"saves sent {result['sent']:,}, acknowledged {result['acked']:,} ({result['acked_before_kill']:,} before "
              f"the kill), not acknowledged {result['refused_or_cut']:,}; server back after {result['down_s']:.1f} s")
        print(f"acknowledged saves lost: {result['missing_db']} in the database, {result['missing_http']} of "
              f"{result['checked_questions']:,} answers read back over HTTP (target 0); "
              f"load average after {os.getloadavg()[0]:.1f}")
        return result["missing_db"] == 0 and result["missing_http"] == 0
    finally:
        answers.stop(server)


def db_restart(args: argparse.Namespace, cookies: list[str]) -> bool:
    server = answers.serve(args.workers)

    def fault() -> dict[str, Any]:
        t = time.perf_counter()
        subprocess.run(["pg_ctlcluster", "15", args.cluster, "stop", "-m", "fast"], check=True)
        time.sleep(args.down)  # the database away for a moment (a restart with a slow start, a failover)
        subprocess.run(["pg_ctlcluster", "15", args.cluster, "start"], check=True)
        return {"restart_s": time.perf_counter() - t}

    try:
        print(f"\ndatabase restart: {args.threads} clients saving and a prober reading a page and the API; "
              f"pg_ctlcluster 15 {args.cluster} stop -m fast after {args.before:g} s, start {args.down:g} s later, {args.after:g} s more; "
              f"load average {os.getloadavg()[0]:.1f}")
        result = load(cookies, threads=args.threads, seconds=args.before + args.after, fault=fault, at=args.before,
                      probe=True)
        print(f"PostgreSQL restarted at {result['fault']['at']:.2f} s in {result['fault']['restart_s']:.2f} s")
        from django.db import connection

        connection.close()
        connection.close_pool()  # this process's pooled connections died with the restart too
        ok = report_saves(result)
        bad_503 = [s for s in result["sent"] if s["status"] == 503 and "稍候" not in s["text"]]
        print(f"saves answered 503: {sum(s['status'] == 503 for s in result['sent'])} (without the queue's text: "
              f"{len(bad_503)}); answered 500: {sum(s['status'] == 500 for s in result['sent'])} (target 0)")
        for path in (ANSWER_PAGE, "/api/cycles"):
            mine = [p for p in result["probes"] if p["path"] == path]
            counts = collections.Counter(p["status"] for p in mine)
            good = [p for p in mine if p["status"] == 503 and p.get("retry_after") and (
                ("json" in p["type"] and json.loads(p["body"]).get("code") == "database_unavailable")
                if path.startswith("/api/") else "服务暂时不可用" in p["body"])]
            print(f"probe {path}: {dict(sorted(counts.items()))}; 503 with Retry-After and the right body: "
                  f"{len(good)} of {counts.get(503, 0)}")
            if good:
                sample = good[0]
                print(f"   e.g. Retry-After {sample['retry_after']}, {sample['type']}: "
                      f"{sample['body'][:160] if 'json' in sample['type'] else '服务暂时不可用 page'}")
            ok = ok and counts.get(500, 0) == 0
        hw = half_written()
        print(f"half-written: {hw} (target 0 each); load average after {os.getloadavg()[0]:.1f}")
        ok = ok and not any(hw.values()) and not any(s["status"] == 500 for s in result["sent"])
        return ok
    finally:
        answers.stop(server)


def disk_full(args: argparse.Namespace) -> bool:
    """Recordings PUT through the server into a 1 MB media root until it is full."""
    import tests.cbt.builders as cbt_builders
    from bench import cbt_rooms
    from tests.recordings.builders import SINGING, SPEAKING, bank_with_tasks

    media = Path(args.media)
    media.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={args.media_size}", "tmpfs", str(media)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        print(f"mount refused: {mounted.stderr.strip()}")
        return False
    try:
        os.environ["JIANCE_MEDIA_ROOT"] = str(media)
        from django.conf import settings

        settings.MEDIA_ROOT = str(media)
        bank = Path(tempfile.mkdtemp(prefix="bench-faults-")) / "math-rec.json"
        bank.write_bytes(bank_with_tasks())
        cbt_builders.EXAMPLE = bank  # build_rooms imports the bank with the two recording tasks
        lines = cbt_rooms.build_rooms(1, answers.CSRF)
        from django.db import connections

        connections.close_all()
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.cbt_settings"
        os.environ["JIANCE_BENCH_NOW"] = cbt_rooms.SERVER_NOW
        server = answers.serve(args.workers)
        try:
            return _upload_until_full(lines, media, [SPEAKING["identifier"], SINGING["identifier"]])
        finally:
            answers.stop(server)
    finally:
        subprocess.run(["umount", str(media)], check=False)


def _recording(n: int) -> bytes:
    """A different 6-s tone for each upload (WebM/Opus as MediaRecorder sends it)."""
    import numpy as np

    from jiance_core.recordings import audio

    rate = 48000
    t = np.arange(rate * 6) / rate
    wave = 0.3 * np.sin(2 * np.pi * (220 + 7 * n) * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    wave += np.random.default_rng(n).normal(0, 0.01, wave.size)
    return audio.encode(wave.astype(np.float32), rate=rate)


def _upload_until_full(lines: list[str], media: Path, tasks: list[str]) -> bool:
    import http.client

    from jiance.recordings.models import Recording

    print(f"\ndisk full: media root {media} on tmpfs {shutil.disk_usage(media).total / 1e6:.2f} MB; one room of "
          f"{len(lines)} students; load average {os.getloadavg()[0]:.1f}")
    outcomes = []
    n = 0
    for line in lines:
        path, cookie = line.split("\t")
        room, seat = path.strip("/").split("/")[2:4]
        for task in tasks:
            n += 1
            data = _recording(n)
            sha = hashlib.sha256(data).hexdigest()
            conn = http.client.HTTPConnection("127.0.0.1", answers.PORT, timeout=60)
            conn.request("PUT", f"/recordings/pc/{room}/{seat}/upload/{task}/{sha}/", body=data,
                         headers={"Cookie": cookie, "X-CSRFToken": answers.CSRF, "Content-Type": "audio/webm"})
            reply = conn.getresponse()
            body = reply.read().decode("utf-8", "replace")
            conn.close()
            outcomes.append({"n": n, "status": reply.status, "sha": sha, "size": len(data), "body": body[:1000],
                             "type": reply.getheader("Content-Type", ""), "free": shutil.disk_usage(media).free})
    counts = collections.Counter(o["status"] for o in outcomes)
    stored = [o for o in outcomes if o["status"] in (200, 201)]
    failed = [o for o in outcomes if o["status"] not in (200, 201)]
    print(f"uploads {len(outcomes)} of {sum(o['size'] for o in outcomes) / 1e6:.2f} MB: {dict(sorted(counts.items()))}")
    if failed:
        first = failed[0]
        said = json.loads(first["body"]).get("refused", "") if "json" in first["type"] else first["body"][:160]
        print(f"first refused upload: no. {first['n']} with {first['free'] / 1e3:.0f} kB free after it, "
              f"{first['status']} {first['type']}: {said!r}")
    rows = list(Recording.objects.all())
    shas = {o["sha"] for o in stored}
    intact = sum(1 for r in rows if (media / "recordings" / r.path).is_file()
                 and hashlib.sha256((media / "recordings" / r.path).read_bytes()).hexdigest() == r.sha256)
    stray = sorted(p.name for p in (media / "recordings").rglob("*") if p.is_file() and p.name.startswith(".up-"))
    print(f"recording rows {len(rows)} (uploads acknowledged {len(stored)}); rows whose file reads back with its "
          f"SHA-256: {intact}; rows for a refused upload: {sum(1 for r in rows if r.sha256 not in shas)}; "
          f"half-written temporary files left: {len(stray)}")
    return intact == len(rows) == len(stored) and not stray


def ensure_cluster(name: str, port: int) -> None:
    conf = Path(f"/etc/postgresql/15/{name}")
    if not conf.exists():
        subprocess.run(["pg_createcluster", "15", name, "-p", str(port)], check=True, capture_output=True)
        hba = conf / "pg_hba.conf"
        hba.write_text("local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n")
    subprocess.run(["pg_ctlcluster", "15", name, "start"], check=False, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fault", choices=["worker-kill", "server-kill", "db-restart", "disk-full"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--respondents", type=int, default=400)
    parser.add_argument("--before", type=float, default=8.0)
    parser.add_argument("--after", type=float, default=8.0)
    parser.add_argument("--cluster", default="faults", help="db-restart: the cluster of its own")
    parser.add_argument("--port", type=int, default=5433)
    parser.add_argument("--down", type=float, default=3.0, help="db-restart: seconds between stop and start")
    parser.add_argument("--keep-cluster", action="store_true")
    parser.add_argument("--media", default="/tmp/fulldisk")
    parser.add_argument("--media-size", default="1m")
    parser.add_argument("--db", default="jiance_bench_faults")
    args = parser.parse_args()
    if args.fault == "db-restart":
        ensure_cluster(args.cluster, args.port)
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{args.port}/postgres"
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL must name a PostgreSQL server (the production database)")
        return 2
    os.environ.update(answers.ENV)
    answers.PORT = PORT
    where, cleanup = prepare_database(args.db, keep=False)
    import django

    django.setup()
    tmp = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    answers.SERVER_LOG.append(tmp / "server.log")
    try:
        print(f"database: {where}; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f}; gunicorn {args.workers} sync workers")
        if args.fault == "disk-full":
            ok = disk_full(args)
        else:
            cookies = answers.build(args.respondents)
            from django.db import connections

            answers.collect_static()
            connections.close_all()
            ok = {"worker-kill": worker_kill, "server-kill": server_kill, "db-restart": db_restart}[args.fault](
                args, cookies)
        log = (tmp / "server.log").read_text(errors="replace") if (tmp / "server.log").exists() else ""
        print(f"server log: {len(log.splitlines())} lines; result: {'PASS' if ok else 'FAIL'}")
        return 0 if ok else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            cleanup()
        finally:
            if args.fault == "db-restart" and not args.keep_cluster:
                subprocess.run(["pg_dropcluster", "15", args.cluster, "--stop"], check=False)


if __name__ == "__main__":
    sys.exit(main())
