"""The test-day mix for Locust (issue 15), run headless by `bench/testday_load.py` (never by hand
without its data file): students saving questionnaire answers, check-in staff marking students
present or absent in their room, county and city offices polling the live progress figures and the
questionnaire progress figures (as htmx polls them), and staff signing in through the login form
(the production password hasher, Argon2).

The data file (`JIANCE_LOAD_DATA`, JSON, written by the driver) holds the signed-in sessions
(cookies), the rooms, the offices' URLs and the login accounts. Every request sends its own Cookie
header (a cookie jar adds nothing then), as the pre-built sessions are the browsers' state.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from typing import Any

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

DATA: dict[str, Any] = json.loads(open(os.environ["JIANCE_LOAD_DATA"], encoding="utf-8").read())  # noqa: SIM115
CSRF = DATA["csrf"]
WAIT = between(float(os.environ.get("JIANCE_LOAD_WAIT_MIN", "0.5")), float(os.environ.get("JIANCE_LOAD_WAIT_MAX", "1.5")))
_next = {k: itertools.count() for k in ("students", "rooms", "offices", "logins")}


def _take(kind: str) -> Any:
    items = DATA[kind]
    return items[next(_next[kind]) % len(items)]


def _seq() -> int:
    """A respondent's sequence number that grows across the steps (milliseconds since the run began)."""
    return int((time.time() - DATA["epoch"]) * 1000)


class Student(FastHttpUser):
    """A signed-in student answering the questionnaire: one save per answer, as answer.js posts it."""

    weight = int(os.environ.get("JIANCE_LOAD_W_STUDENT", "84"))
    wait_time = WAIT

    def on_start(self) -> None:
        self.cookie = _take("students")
        self.rng = random.Random(self.cookie)

    @task
    def save(self) -> None:
        name = self.rng.choice(DATA["items"])
        value = self.rng.randint(1, 2 if name == "sex" else 4)
        with self.client.post(DATA["save_path"], data={"client_id": str(uuid.uuid4()), "seq": _seq(), "name": name,
                                                       "value": value},
                              headers={"Cookie": self.cookie, "X-CSRFToken": CSRF, "X-Jiance-Queue": "1"},
                              name="save answer", catch_response=True) as reply:
            if reply.status_code != 200 or reply.text != "已保存":
                reply.failure(f"{reply.status_code} {reply.text[:60]}")


class CheckIn(FastHttpUser):
    """Check-in staff on the room's phone page: taps a seat present, or absent (ill) — each tap a
    change, posted by the offline queue with its id and time."""

    weight = int(os.environ.get("JIANCE_LOAD_W_CHECKIN", "6"))
    wait_time = WAIT

    def on_start(self) -> None:
        self.room = _take("rooms")
        self.k = random.randrange(1000)

    @task
    def tap(self) -> None:
        self.k += 1
        seat = self.k % self.room["seats"] + 1
        present = (self.k // self.room["seats"]) % 2 == 0
        body = {"status": "present" if present else "absent", "seat": seat, "how": "tap",
                "reason": "" if present else "sick", "client_id": str(uuid.uuid4())}
        with self.client.post(self.room["checkin"], data=body, name="check in",
                              headers={"Cookie": self.room["cookie"], "X-CSRFToken": CSRF, "X-Jiance-Queue": "1"},
                              catch_response=True) as reply:
            if reply.status_code != 200:
                reply.failure(f"{reply.status_code} {reply.text[:60]}")


class Office(FastHttpUser):
    """A county's or city's office with the live progress page and the questionnaire progress page
    open: both figures parts polled as htmx does, the live one revalidated with its ETag."""

    weight = int(os.environ.get("JIANCE_LOAD_W_OFFICE", "6"))
    wait_time = WAIT

    def on_start(self) -> None:
        self.office = _take("offices")
        self.etag = ""
        self.k = 0

    @task
    def poll(self) -> None:
        self.k += 1
        headers = {"Cookie": self.office["cookie"], "HX-Request": "true"}
        if self.k % 2:
            if self.etag:
                headers["If-None-Match"] = self.etag
            with self.client.get(self.office["live"], headers=headers, name="poll live figures",
                                 catch_response=True) as reply:
                if reply.status_code not in (200, 304):
                    reply.failure(str(reply.status_code))
                self.etag = reply.headers.get("ETag") or self.etag
        else:
            with self.client.get(self.office["progress"], headers=headers, name="poll questionnaire progress",
                                 catch_response=True) as reply:
                if reply.status_code != 200:
                    reply.failure(str(reply.status_code))


class Login(FastHttpUser):
    """Staff signing in: the login page, then the form posted (the password checked by Argon2)."""

    weight = int(os.environ.get("JIANCE_LOAD_W_LOGIN", "4"))
    wait_time = WAIT

    @task
    def login(self) -> None:
        username = _take("logins")
        headers = {"Cookie": f"csrftoken={CSRF}"}
        self.client.get("/login/", headers=headers, name="login page")
        with self.client.post("/login/", data={"username": username, "password": DATA["password"],
                                               "csrfmiddlewaretoken": CSRF},
                              headers={**headers, "Referer": DATA["base"] + "/login/"}, name="login post",
                              allow_redirects=False, catch_response=True) as reply:
            if reply.status_code != 302:
                reply.failure(f"{reply.status_code}: not signed in")
