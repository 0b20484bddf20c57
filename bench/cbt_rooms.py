"""`bench/answers.py --cbt`: rooms of 42 students saving test responses every few seconds (issue 13).

Built in the bench's database with the test builders' world (`tests.factories`, the example
math item bank, `tests/cbt/builders.py`'s cycle whose math session is taken on screen on
2022-05-25 09:00–10:20): `rooms` sample schools of 南昌县, each with one computer room of 42 seats
(+3 spares) and 42 sampled students. In-process, as the room's staff and students would over
HTTP: the technician prepares the sitting (08:50), each student signs in at their PC with their
slip (08:55: a session each, as the browser holds it), the proctor authorises the room and the
technician starts it (09:00). The server then runs with its clock started at 09:05 of that day
(`bench/cbt_settings.py`; it runs from there), so every delivery is in progress for the bench's few minutes.

The load (`CBT_LUA_TEXT`): one wrk connection per student; each posts a save to its own PC's URL
(`/cbt/pc/<room>/<seat>/save/`: the text-entry item EX-M-003 or the multiple-response EX-M-002,
both in every booklet), a fresh client id and the student's next sequence number, then waits
`every` seconds ± 50 % (wrk's `delay()`): an open loop of `rooms × 42 / every` saves offered per
second, as a room of students answering does."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import time
from pathlib import Path
from typing import Any

from django.utils import timezone

from bench import wrk_lua

BJ = dt.timezone(dt.timedelta(hours=8))
SEATS = 42
SERVER_NOW = "2022-05-25T09:05:00+08:00"  # JIANCE_NOW for the server: five minutes into the sitting

CBT_LUA_TEXT = wrk_lua.PRELUDE + r"""
-- one connection per student: save, then wait `every` s +- 50 %; the student's own PC URL and seq
local students, seqs, n = {}, {}, 0
function init(args)
  id = tid or 1
  students = mine(args[1])
  every = tonumber(args[2]) * 1000
  math.randomseed(os.time() * 7 + id)
  n = math.random(#students)
end
function delay() return math.floor(every * (0.5 + math.random())) end
function request()
  n = n % #students + 1
  local path, cookie = students[n]:match("^(%S+)\t(.+)$")
  seqs[n] = (seqs[n] or 0) + 1
  local body = "client_id=" .. client_id() .. "&seq=" .. (id * 100000000 + seqs[n])
  if seqs[n] % 3 == 0 then
    body = body .. "&name=EX-M-002&multiple=1&value=A&value=C"
  else
    body = body .. "&name=EX-M-003&value=" .. tostring(math.random(1, 99))
  end
  return wrk.format("POST", path, {["Cookie"] = cookie, ["X-CSRFToken"] = "%CSRF%", ["X-Jiance-Queue"] = "1",
    ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
""" + wrk_lua.COUNTS


def _at(hh: int, mm: int = 0, day: int = 25) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2022, 5, day, hh, mm), timezone=BJ)


def build_rooms(rooms: int, csrf: str) -> list[str]:
    """The rooms, their students signed in and working; one line per student: `path<TAB>cookie`."""
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from jiance import clock
    from jiance.accounts.models import Role
    from jiance.cbt.models import Delivery, Sitting
    from jiance.cbt.services.bank import bank_import
    from jiance.cbt.services.student import slips_issue
    from jiance.questionnaires.models import Respondent
    from jiance.testday.models import ComputerRoom, Seat
    from jiance.testday.services import rooms_plan
    from jiance.units.models import Level
    from tests.cbt.builders import CBT_SESSIONS, CBT_SUBJECTS, EXAMPLE, SESSION
    from tests.factories import World, make_unit, make_user
    from tests.testday.builders import sample_school, testday_cycle

    call_command("migrate", verbosity=0)
    lines: list[str] = []
    with clock.frozen(_at(8, 0, day=20)):
        world = World()
        cycle = testday_cycle(world, sessions=CBT_SESSIONS, subjects=CBT_SUBJECTS)
        bank_import(cycle=cycle, content=EXAMPLE.read_bytes(), filename="math-example.json", actor=None)
    for r in range(rooms):
        with clock.frozen(_at(8, 0, day=20)):
            school = make_unit(f"3601219{r:03d}", f"南昌县压测学校{r}", Level.SCHOOL, world.county_a)
            sample_school(cycle, school, SEATS, start=1000 * (r + 1))
            ComputerRoom.objects.create(cycle=cycle, school=school, name="一号机房", pcs=SEATS + 3,
                                        created_at=clock.now())
            room = rooms_plan(school=school, cycle=cycle)[0]
            slips_issue(room=room)
        staff = {}
        for name, role in (("tech", Role.TECHNICIAN), ("proctor", Role.PROCTOR)):
            c = Client(HTTP_HOST="127.0.0.1")
            c.force_login(make_user(f"{name}{r}", role, school))
            staff[name] = c

        def act(who: str, url: str, data: dict[str, Any], room: Any = room, staff: dict[str, Any] = staff) -> None:
            version = Sitting.objects.filter(room=room).values_list("version", flat=True).first() or 0
            reply = staff[who].post(url, {**data, "version": version})
            assert reply.status_code in (200, 302), (url, reply.status_code)

        kw = {"test_room_id": room.pk, "session": SESSION}
        with clock.frozen(_at(8, 50)):
            act("tech", reverse("cbt:sitting_act", kwargs=kw), {"action": "prepare"})
        with clock.frozen(_at(8, 55)):
            for seat in Seat.objects.filter(room=room, student__isnull=False).order_by("seat"):
                slip = Respondent.objects.get(student=seat.student)
                browser = Client(HTTP_HOST="127.0.0.1")
                pc = {"test_room_id": room.pk, "seat": seat.seat}
                signed = browser.post(reverse("cbt:pc", kwargs=pc), {"login": slip.login, "code": slip.code})
                assert signed.status_code == 302, signed.content.decode()[:300]
                lines.append(f"{reverse('cbt:pc_save', kwargs=pc)}\tsessionid={browser.cookies['sessionid'].value}; "
                             f"csrftoken={csrf}")
            act("proctor", reverse("cbt:room_act", kwargs=kw), {"action": "authorise_all"})
        with clock.frozen(_at(9, 0)):
            act("tech", reverse("cbt:sitting_act", kwargs=kw), {"action": "start"})
        working = Delivery.objects.filter(sitting__room=room, status="in_progress").count()
        assert working == SEATS, f"room {r}: {working} of {SEATS} deliveries in progress"
    return lines


def report(rooms: int, every: float, result: dict[str, Any], schools: int = 7000) -> None:
    """The sustained rate against what `schools` rooms of 42 saving every `every` s need."""
    per_room = SEATS / every
    offered = rooms * per_room
    carried = result["rps"]
    need = schools * per_room
    print(f"{rooms} rooms × {SEATS} students, a save every {every:g} s each (± 50 %): offered "
          f"{offered:.1f} saves/s, carried {carried:.1f} saves/s, p50 {result['p50'] * 1000:.0f} ms, "
          f"p99 {result['p99'] * 1000:.0f} ms; statuses {result['statuses']} {result['errors']}")
    rooms_carried = carried / per_room
    print(f"one room needs {SEATS} / {every:g} s = {per_room:.1f} saves/s; this server carried {carried:.1f} "
          f"saves/s = {rooms_carried:.1f} rooms at once")
    print(f"{schools:,} schools × one room of {SEATS} at the same time: {schools:,} × {per_room:.1f} = "
          f"{need:,.0f} saves/s = {need / carried if carried else float('inf'):,.0f} servers like this one "
          f"({rooms_carried:.1f} rooms each)")


def cbt_run(args: argparse.Namespace, tmp: Path) -> subprocess.Popen[bytes]:
    """Rooms of 42 students saving every few seconds (`bench/cbt_rooms.py`), against hello world."""
    from django.db import connections

    from bench.answers import CSRF, LUA, PORT, SAVE_PATH, SERVER_LOG, serve, wrk

    t = time.perf_counter()
    lines = build_rooms(args.cbt, CSRF)
    print(f"built: {args.cbt} rooms, {len(lines):,} students signed in at their PCs and working, "
          f"in {time.perf_counter() - t:.1f} s; the server's clock from {SERVER_NOW}")
    jar, cookies = tmp / "students.txt", tmp / "cookies.txt"
    jar.write_text("\n".join(lines) + "\n")
    cookies.write_text("\n".join(line.split("\t", 1)[1] for line in lines) + "\n")
    hello_lua, cbt_lua = tmp / "hello.lua", tmp / "cbt.lua"
    hello_lua.write_text(LUA.replace("%ITEMS%", '"x"').replace("%SAVE%", SAVE_PATH).replace("%CSRF%", CSRF))
    cbt_lua.write_text(CBT_LUA_TEXT.replace("%CSRF%", CSRF))
    connections.close_all()
    SERVER_LOG.append(tmp / "server.log")
    os.environ.update(JIANCE_BENCH_NOW=SERVER_NOW, DJANGO_SETTINGS_MODULE="bench.cbt_settings")
    server = serve(args.workers)
    base = f"http://127.0.0.1:{PORT}"
    wrk(f"{base}/bench/hello/", cookies, mode="hello", connections=8, duration=3, script=hello_lua)  # warm
    hello = wrk(f"{base}/bench/hello/", cookies, mode="hello", connections=64, duration=args.duration,
                script=hello_lua)
    print(f"hello world, signed in, 64 connections closed loop: {hello['rps']:.1f}/s, p99 {hello['p99'] * 1000:.0f} ms")
    saves = wrk(f"{base}/", jar, mode=str(args.cbt_every), connections=len(lines), duration=args.duration,
                script=cbt_lua)
    report(args.cbt, args.cbt_every, saves)
    print(f"carried ÷ hello world: {saves['rps'] / hello['rps']:.2f}; load average {os.getloadavg()[0]:.1f}")
    return server
