"""The national test day's request mix at rising concurrency (issue 15): throughput per CPU core,
p50/p99 per step, the knee, and what the national test day needs.

Set-up (a fresh PostgreSQL database, production settings, Redis cache): `bench/answers.py`'s
`build` — an active cycle with the example student questionnaire open all day and `--respondents`
students signed in by slip —, plus test day in `--schools` of its schools (30 sampled students each,
the fixed seat plan of `rooms_plan`, one room per school, a signed-in chief proctor per room), the
county's and the city's office staff signed in, and `--logins` staff accounts whose password is
hashed by the production hasher (Argon2). gunicorn is started by `answers.serve` (sync workers).

The mix (`bench/testday_locustfile.py`, Locust headless, FastHttpUser, think time 0.5–1.5 s per
user): students saving answers (the questionnaire save API, as answer.js posts it), check-in staff
tapping seats present/absent (the room's check-in, as the offline queue posts it), offices polling
the live figures (ETag) and the questionnaire progress figures (HX-Request), staff signing in
(login page + form). Users weighted 84/6/6/4.

1. calibration (first worker count only): each kind of request alone, 8 users, `--calibrate` s:
   the server's and the database's CPU seconds per request of that kind;
2. for each `--workers` count: the mix at `--steps` users, `--duration` s each: requests/s, p50,
   p99 (all and per kind), failures, the server's CPU (gunicorn master + workers, from /proc) and
   the database backends' CPU, requests per server-core-second; the knee;
3. the projection for the national test day from the calibration (the arithmetic printed).

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/testday_load.py
[--workers 1,2] [--steps 8,32,96,192] [--duration 25]`` (Redis at 127.0.0.1:6379). The load
average is printed with each step: the 2 CPUs are shared with other sessions and with Locust.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import bench.answers as answers  # noqa: E402
from bench.benchdb import prepare_database  # noqa: E402

BENCH_DB = "jiance_bench_testday"
PORT = 8197
PASSWORD = "Bench-pass-2026"
KINDS = {"Student": ["save answer"], "CheckIn": ["check in"],
         "Office": ["poll live figures", "poll questionnaire progress"], "Login": ["login page", "login post"]}

# The national test day at its peak hour (see the projection's printout and docs/performance.md).
SCHOOLS = 7000
STUDENTS_PER_SCHOOL = 42  # the upper end of 30–42
SAVE_EVERY_S = 20  # a student answers a question every 20 s in the questionnaire session
CHECKIN_WINDOW_S = 30 * 60  # every student checked in within the half hour before the session
OFFICES = 2843 + 338 + 31 + 1  # counties, cities, provinces, the centre
VIEWERS_PER_OFFICE = 3
SCHOOL_VIEWERS = 1
POLL_EVERY_S = 30
STAFF_PER_SCHOOL = 4  # principal, information officer, chief proctor, a proctor
LOGIN_WINDOW_S = 30 * 60
UTILISATION = 0.6  # plan for 60 % busy at the peak


def add_testday(schools_n: int) -> dict[str, Any]:
    """Test day in `schools_n` of the built schools, office staff, and login accounts."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection, transaction
    from django.urls import reverse
    from django.utils import timezone

    from jiance import clock
    from jiance.accounts.models import Role, RoleAssignment, User
    from jiance.crypto import blind_index
    from jiance.cycles.models import Cycle
    from jiance.rosters.models import Roster, RosterStatus, SampledStudent, Student, StudentDraw
    from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool, SchoolDraw
    from jiance.testday.models import Seat
    from jiance.testday.services import rooms_plan
    from jiance.units.models import Level, Unit
    from jiance_core.idcard import make_id

    t = time.perf_counter()
    cycle = Cycle.objects.get(code="bench-answers")
    cycle.config = {**cycle.config, "sample_size": {"students_per_school": 30, "room_capacity": 42}}
    cycle.save(update_fields=["config"])
    city = Unit.objects.get(level=Level.CITY)
    county = Unit.objects.get(level=Level.COUNTY)
    schools = list(Unit.objects.filter(level=Level.SCHOOL).order_by("code")[:schools_n])
    now = clock.now()
    birth = dt.date(2012, 3, 1)

    def signed_in(user: Any) -> str:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.set_expiry(4 * 3600)
        session.create()
        return f"sessionid={session.session_key}; csrftoken={answers.CSRF}"

    fast = make_password("unused", hasher="pbkdf2_sha256")  # the signed-in staff never type it
    rooms = []
    with transaction.atomic():
        draw = SchoolDraw.objects.create(cycle=cycle, owner=city, seed=7, frame_hash="0" * 64, plan={},
                                         counties=[county.code], created_at=now)
        student_draw = StudentDraw.objects.create(cycle=cycle, owner=city, seed=1, created_at=now)
        for n, school in enumerate(schools):
            SampledSchool.objects.create(draw=draw, county=county, stage="junior", school=school, role="sample",
                                         selection_probability=0.5, base_weight=2.0, planned_students=30,
                                         school_type=school.school_type, area="城区", status=RowStatus.IN_SAMPLE)
            roster = Roster.objects.create(cycle=cycle, school=school, stage="junior", grade=8,
                                           status=RosterStatus.APPROVED, locked=True, created_at=now, updated_at=now)
            students = []
            for k in range(30):
                i = n * 30 + k
                national_id = make_id("360121", birth + dt.timedelta(days=i // 400), (i * 2 + 1) % 1000)
                students.append(Student(roster=roster, cycle=cycle, name=f"考生{i}", sex="男", birth_date=birth,
                                        national_id=national_id, id_index=blind_index(national_id),
                                        class_name="8年级（1）班", student_no=f"{cycle.year}{i:05d}", row=k + 1))
            students = Student.objects.bulk_create(students)
            SampledStudent.objects.bulk_create([
                SampledStudent(draw=student_draw, student=s, roster=roster, school=school, school_students=30,
                               sampled_students=30, selection_probability=1.0, within_school_weight=1.0)
                for s in students])
        SchoolDraw.objects.filter(pk=draw.pk).update(status=DrawStatus.PUBLISHED, published_hash="1" * 64,
                                                     sample_hash="1" * 64)
    for n, school in enumerate(schools):
        room = rooms_plan(school=school, cycle=cycle)[0]
        proctor = User.objects.create(username=f"bench.proctor{n:02d}", password=fast, must_change_password=False)
        RoleAssignment.objects.create(user=proctor, role=Role.CHIEF_PROCTOR, unit=school)
        rooms.append({"cookie": signed_in(proctor), "checkin": reverse("proctoring:checkin", args=[room.pk, "q1"]),
                      "seats": Seat.objects.filter(room=room, student__isnull=False).count()})
    offices = []
    day = timezone.localdate().isoformat()
    for n, (role, unit) in enumerate([(Role.COUNTY_ADMIN, county), (Role.COUNTY_INFO_OFFICER, county),
                                      (Role.CITY_ADMIN, city), (Role.CITY_INFO_OFFICER, city)]):
        user = User.objects.create(username=f"bench.office{n}", password=fast, must_change_password=False)
        RoleAssignment.objects.create(user=user, role=role, unit=unit)
        offices.append({"cookie": signed_in(user), "live": f"{reverse('live:page')}figures/?day={day}",
                        "progress": reverse("questionnaires:progress_figures", args=[unit.code])})
    hashed = make_password(PASSWORD)  # the production hasher: Argon2
    school = schools[0]
    logins = []
    for n in range(40):
        user = User.objects.create(username=f"bench.login{n:02d}", password=hashed, must_change_password=False)
        RoleAssignment.objects.create(user=user, role=Role.PROCTOR, unit=school)
        logins.append(user.username)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"test day: {len(rooms)} rooms of 30 students with a chief proctor signed in, {len(offices)} office "
          f"staff signed in, {len(logins)} login accounts ({hashed.split('$')[0]}), in {time.perf_counter() - t:.1f} s")
    return {"rooms": rooms, "offices": offices, "logins": logins, "hasher": hashed.split("$")[0]}


# --- CPU of the server and of the database's backends --------------------------------------------
def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def server_pids(master: int) -> list[int]:
    pids = [master]
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if int(p.joinpath("stat").read_text().rsplit(")", 1)[1].split()[1]) == master:
                    pids.append(int(p.name))
            except (OSError, IndexError):
                pass
    return pids


def db_pids(db: str) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                cmd = p.joinpath("cmdline").read_bytes()
            except OSError:
                continue
            if cmd.startswith(b"postgres: ") and f" {db} ".encode() in cmd:
                out.append(int(p.name))
    return out


def cpu_snapshot(master: int, db: str) -> dict[str, dict[int, float]]:
    return {"server": {p: _cpu(p) for p in server_pids(master)}, "db": {p: _cpu(p) for p in db_pids(db)}}


def cpu_delta(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    return {k: sum(v - before[k].get(p, 0.0) for p, v in after[k].items()) for k in after}


# --- one Locust run --------------------------------------------------------------------------------
def locust(users: int, duration: int, data: Path, tmp: Path, classes: list[str], tag: str) -> dict[str, Any]:
    prefix = tmp / tag
    cmd = [str(ROOT / ".venv/bin/locust"), "-f", str(ROOT / "bench/testday_locustfile.py"), "--headless",
           "-u", str(users), "-r", str(users), "-t", f"{duration}s", "--host", f"http://127.0.0.1:{PORT}",
           "--csv", str(prefix), "--only-summary", "--loglevel", "ERROR", "--stop-timeout", "5", *classes]
    subprocess.run(cmd, env={**os.environ, "JIANCE_LOAD_DATA": str(data)}, capture_output=True, text=True,
                   timeout=duration + 120, check=False)
    rows = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = {"n": int(row["Request Count"]), "fail": int(row["Failure Count"]),
                                 "rps": float(row["Requests/s"]), "p50": float(row["50%"] or 0),
                                 "p99": float(row["99%"] or 0)}
    with open(f"{prefix}_failures.csv", encoding="utf-8") as f:
        failures = [f"{r['Name']}: {r['Error'][:80]} ×{r['Occurrences']}" for r in csv.DictReader(f)]
    return {"rows": rows, "failures": failures}


def run_step(users: int, duration: int, data: Path, tmp: Path, classes: list[str], tag: str,
             master: int, db: str) -> dict[str, Any]:
    load = os.getloadavg()[0]
    before, wall = cpu_snapshot(master, db), time.perf_counter()
    res = locust(users, duration, data, tmp, classes, tag)
    cpu = cpu_delta(before, cpu_snapshot(master, db))
    wall = time.perf_counter() - wall
    total = res["rows"].get("Aggregated", {"n": 0, "fail": 0, "rps": 0.0, "p50": 0.0, "p99": 0.0})
    return {**res, "users": users, "total": total, "server_cpu": cpu["server"], "db_cpu": cpu["db"],
            "load": (load, os.getloadavg()[0]), "wall": wall}


def show_step(r: dict[str, Any], duration: int) -> None:
    t = r["total"]
    n = t["n"] or 1
    server_cores = r["server_cpu"] / duration
    print(f"{r['users']:5d} {t['rps']:8.1f} {t['p50']:6.0f}ms {t['p99']:6.0f}ms {t['fail']:5d} "
          f"{server_cores:6.2f} {r['db_cpu'] / duration:6.2f} {t['n'] / max(r['server_cpu'], 1e-9):9.1f} "
          f"{r['server_cpu'] / n * 1000:7.1f}ms {r['db_cpu'] / n * 1000:6.1f}ms  "
          f"{r['load'][0]:4.1f}→{r['load'][1]:4.1f}  "
          + "  ".join(f"{name} {row['rps']:.1f}/s p50 {row['p50']:.0f} p99 {row['p99']:.0f}"
                      for name, row in r["rows"].items() if name != "Aggregated"))
    for f in r["failures"][:4]:
        print(f"      failure: {f}")


def knee(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The step after which more users stop adding throughput at a usable latency: the last step
    whose throughput grew by at least 15 % over the previous one's with the median under 500 ms
    (else the first step). p99 is printed beside it: on this shared machine it is the CPU queue's."""
    best = results[0]
    for prev, cur in itertools.pairwise(results):
        if cur["total"]["rps"] >= 1.15 * prev["total"]["rps"] and cur["total"]["p50"] < 500:
            best = cur
        else:
            break
    return best


def projection(cal: dict[str, dict[str, float]]) -> None:
    students = SCHOOLS * STUDENTS_PER_SCHOOL
    rates = {
        "Student": students / SAVE_EVERY_S,
        "CheckIn": students / CHECKIN_WINDOW_S,
        "Office": (OFFICES * VIEWERS_PER_OFFICE + SCHOOLS * SCHOOL_VIEWERS) / POLL_EVERY_S,
        # two requests per login: the page and the form
        "Login": 2 * (SCHOOLS * STAFF_PER_SCHOOL + OFFICES * VIEWERS_PER_OFFICE) / LOGIN_WINDOW_S,
    }
    print(f"\n3. projection: {SCHOOLS:,} schools × {STUDENTS_PER_SCHOOL} students = {students:,} students "
          "in the same hour; the plan at 60 % busy")
    server = db = 0.0
    for kind, rate in rates.items():
        c = cal.get(kind)
        if not c:
            continue
        server += rate * c["server"]
        db += rate * c["db"]
        print(f"   {kind:<8} {rate:9,.0f} req/s × {c['server'] * 1000:6.1f} ms server CPU = {rate * c['server']:7.1f} "
              f"cores; × {c['db'] * 1000:5.1f} ms DB CPU = {rate * c['db']:6.1f} cores")
    total = sum(rates.values())
    web_cores = server / UTILISATION
    print(f"   peak {total:,.0f} req/s; server CPU {server:.1f} cores busy → {web_cores:.0f} cores at 60 % → "
          f"{math.ceil(web_cores / 16)} web nodes of 16 cores (2 × 16 + 1 = 33 sync workers each)")
    print(f"   database CPU {db:.1f} cores busy → {db / UTILISATION:.0f} cores at 60 %; connections: "
          f"{math.ceil(web_cores / 16) * 33} workers × 1 connection in use each (through PgBouncer)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2", help="gunicorn sync workers of each series")
    parser.add_argument("--steps", default="8,32,96,192", help="Locust users of each step")
    parser.add_argument("--duration", type=int, default=25, help="seconds per step")
    parser.add_argument("--calibrate", type=int, default=12, help="seconds per kind alone (0: skip)")
    parser.add_argument("--respondents", type=int, default=2000)
    parser.add_argument("--schools", type=int, default=12)
    parser.add_argument("--db", default=BENCH_DB)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL must name a PostgreSQL server (the production database)")
        return 2
    os.environ.update(answers.ENV)
    answers.PORT = PORT  # answers.serve starts the server on the module's port
    where, cleanup = prepare_database(args.db, keep=args.keep)
    import django

    django.setup()
    tmp = Path(tempfile.mkdtemp(prefix="bench-testday-"))
    server = None
    try:
        print(f"database: {where}; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f} (other sessions share it)")
        cookies = answers.build(args.respondents)
        extra = add_testday(args.schools)
        from django.db import connections

        answers.collect_static()
        connections.close_all()
        data = tmp / "data.json"
        data.write_text(json.dumps({
            "csrf": answers.CSRF, "students": cookies, "items": answers.ITEMS, "save_path": answers.SAVE_PATH,
            "epoch": time.time() - 1, "password": PASSWORD, "base": f"http://127.0.0.1:{PORT}", **extra}))
        answers.SERVER_LOG.append(tmp / "server.log")
        cal: dict[str, dict[str, float]] = {}
        series: dict[int, list[dict[str, Any]]] = {}
        for w_i, workers in enumerate(int(x) for x in args.workers.split(",")):
            server = answers.serve(workers)
            locust(4, 3, data, tmp, [], f"warm{workers}")  # warm every worker's per-process stores
            if w_i == 0 and args.calibrate:
                print(f"\n1. calibration ({workers} worker(s)): each kind alone, 8 users, {args.calibrate} s")
                for kind, names in KINDS.items():
                    r = run_step(8, args.calibrate, data, tmp, [kind], f"cal-{kind}", server.pid, args.db)
                    n = r["total"]["n"] or 1
                    cal[kind] = {"server": r["server_cpu"] / n, "db": r["db_cpu"] / n}
                    rows = "; ".join(f"{nm} p50 {r['rows'][nm]['p50']:.0f} ms" for nm in names if nm in r["rows"])
                    print(f"   {kind:<8} {r['total']['rps']:6.1f} req/s, {r['total']['fail']} failed; per request: "
                          f"server CPU {cal[kind]['server'] * 1000:6.1f} ms, DB CPU {cal[kind]['db'] * 1000:5.1f} ms; "
                          f"{rows}; load {r['load'][0]:.1f}")
            print(f"\n2. the mix, {workers} sync worker(s), {args.duration} s per step")
            print(f"{'users':>5} {'req/s':>8} {'p50':>8} {'p99':>8} {'fail':>5} {'srvCPU':>6} {'dbCPU':>6} "
                  f"{'req/core-s':>9} {'srv/req':>9} {'db/req':>8}  load      per kind (ms)")
            series[workers] = []
            for users in (int(x) for x in args.steps.split(",")):
                r = run_step(users, args.duration, data, tmp, [], f"w{workers}-u{users}", server.pid, args.db)
                series[workers].append(r)
                show_step(r, args.duration)
            k = knee(series[workers])
            print(f"   knee: {k['users']} users, {k['total']['rps']:.1f} req/s, p99 {k['total']['p99']:.0f} ms, "
                  f"{k['total']['n'] / max(k['server_cpu'], 1e-9):.1f} requests per server-core-second")
            answers.stop(server)
            server = None
        if len(series) > 1:
            (w1, s1), (w2, s2) = list(series.items())[:2]
            b1 = max(r["total"]["rps"] for r in s1)
            b2 = max(r["total"]["rps"] for r in s2)
            print(f"\nscaling: best {b1:.1f} req/s with {w1} worker(s), {b2:.1f} with {w2}: × {b2 / b1:.2f}")
        if cal:
            projection(cal)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), pg_total_relation_size('questionnaires_answersave') "
                           "FROM questionnaires_answersave")
            rows, size = cursor.fetchone()
        print(f"\nanswer-save log: {rows:,} rows, {size / 1e6:.1f} MB with indexes = {size / max(rows, 1):.0f} B/row; "
              f"the national day's saves ({SCHOOLS * STUDENTS_PER_SCHOOL:,} students × 60 answers) "
              f"≈ {SCHOOLS * STUDENTS_PER_SCHOOL * 60 * size / max(rows, 1) / 1e9:.1f} GB per questionnaire")
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
        return 0
    finally:
        answers.stop(server)
        shutil.rmtree(tmp, ignore_errors=True)
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
