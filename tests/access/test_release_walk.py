"""The "before release" walk: with the clock frozen a minute before the release time, every route
and partial (GET and POST, htmx header on and off) rendered as every school and county role of the
walk world must not show the name of any sampled student (issue 8, item 11).

The sample lives in the active walk cycle, in a roster of its own: the roster pages the access
walk opens (`tests.access.params_rosters`) list the reported students, which is the school's own
data, while *who was sampled* is the secret. Files are read as text (PDF through pdftotext, XLSX
cell by cell), so a printout cannot hide a name in a binary.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jiance import clock
from jiance.accounts.models import Role
from jiance.crypto import blind_index
from jiance.cycles.models import Cycle, CycleStatus
from jiance.rosters.models import Roster, RosterStatus, SampledStudent, Student, StudentDraw
from jiance.units.models import Level
from jiance_core.idcard import make_id
from tests.access.registry import PARAMS, PUBLIC_ROUTES
from tests.access.walk import Route, all_routes
from tests.access.walk_world import WalkWorld, role_cases
from tests.factories import make_user
from tests.printouts.pdftools import is_pdf, squash, text
from tests.rosters.builders import BEFORE_RELEASE, CONFIG
from tests.testday.builders import SESSIONS, SUBJECTS

# Names no other walk object carries, so any of them in a response is the sample leaking.
SECRET_NAMES = ("甄秘甲", "甄秘乙", "甄秘丙")
# What a plausible form of any route posts (each view reads the fields it knows).
POST_DATA = {
    "absent": "on", "attendance": "absent", "reason": "走查", "note": "走查", "comment": "走查",
    "label": "走查", "number": "12345678", "name": "走查", "pcs": "45", "stage": "primary", "version": "1",
}
PRINTOUTS = [("checkin", "pdf"), ("checkin", "xlsx"), ("roomlist", "pdf"), ("roomlist", "xlsx"),
             ("labels", "pdf"), ("barcodes", "pdf"), ("notice", "pdf"), ("boxes", "pdf")]


class SampleWorld(WalkWorld):
    """The walk world plus a published student sample of 莲塘一小 (a1) in the active cycle, seated
    in a test room and reported after the test, with ids the access-walk factories hand out."""

    def __init__(self) -> None:
        super().__init__()
        from tests.access import params_aftertest, params_testday

        now = clock.now()
        self.cycle = Cycle.objects.create(
            code="walk-2022", year=2022, name="走查周期", status=CycleStatus.ACTIVE,
            config={**CONFIG, "sessions": SESSIONS, "subjects": SUBJECTS},
        )
        school = self.a1
        self.roster = Roster.objects.create(cycle=self.cycle, school=school, stage="primary", grade=4,
                                            status=RosterStatus.APPROVED, locked=True, created_at=now,
                                            updated_at=now)
        draw = StudentDraw.objects.create(cycle=self.cycle, owner=self.c1, seed=1, created_at=now)
        birth = dt.date(2012, 3, 1)
        self.sampled: list[SampledStudent] = []
        for i, name in enumerate(SECRET_NAMES):
            national_id = make_id("360121", birth, 900 + 2 * i + 1)
            student = Student.objects.create(
                roster=self.roster, cycle=self.cycle, name=name, sex="女", birth_date=birth,
                national_id=national_id, id_index=blind_index(national_id), class_name="4年级（9）班",
                student_no=f"SECRET{i}", row=i + 1,
            )
            self.sampled.append(SampledStudent.objects.create(
                draw=draw, student=student, roster=self.roster, school=school, school_students=3,
                sampled_students=3, selection_probability=1.0, within_school_weight=1.0,
            ))
        self._seat_the_sample(params_testday.ID_BASE, now)
        self._report_the_sample(params_aftertest.ID_BASE, now)

    def _seat_the_sample(self, base: int, now: dt.datetime) -> None:
        from jiance.testday.models import Seat, TestRoom

        room = TestRoom.objects.create(
            pk=base + 100_000 + self.a1.pk, cycle=self.cycle, school=self.a1, stage="primary", number=1,
            kind="paper", students=3, rows=7, columns=6, pattern="vertical", created_at=now,
        )
        for i, s in enumerate(self.sampled):
            # the first seat has the id the access walk's `seat_id` factory hands out
            Seat.objects.create(pk=base + 200_000 + self.a1.pk if i == 0 else None, room=room, seat=i + 1,
                                row=1, column=i + 1, student=s.student, booklets={"语文": i + 1})

    def _report_the_sample(self, base: int, now: dt.datetime) -> None:
        from jiance.aftertest.models import TestedReport, TestedStudent

        report = TestedReport.objects.create(pk=base + 100_000 + self.a1.pk, roster=self.roster, cycle=self.cycle,
                                             school=self.a1, stage="primary", created_at=now, updated_at=now)
        for i, s in enumerate(self.sampled):
            TestedStudent.objects.create(pk=base + self.a1.pk if i == 0 else None, report=report, sampled=s,
                                         school=self.a1, row=i + 1, updated_at=now)


def release_cases() -> list[tuple[str, str]]:
    """The roles that must wait for the release: every school and county role of the walk."""
    return [(role, str(level)) for role, level in role_cases() if level in (Level.SCHOOL, Level.COUNTY)]


def response_text(response: Any) -> str:
    """What a person could read in a response: pages as text, PDFs and XLSX files unpacked."""
    content = getattr(response, "streaming_content", None)
    data = b"".join(content) if content is not None else response.content
    if is_pdf(data):
        return squash(text(data))
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    return data.decode("utf-8", "replace")


def urls_for(route: Route, world: SampleWorld, level: str) -> list[str]:
    """The route filled with the person's own objects, plus the sample's own objects where the
    access walk's factories would miss them. A `code` names the school, and for a county role
    its county too (higher units are not theirs: the access walk covers those)."""
    own = {p: PARAMS[p](world.a1) for p in route.params}
    variants = {p: [v] if isinstance(v, str) else list(v) for p, v in own.items()}
    if "code" in variants:
        variants["code"] = variants["code"][: 2 if level == Level.COUNTY else 1]
    if "roster_id" in variants and route.name.startswith("rosters:sampled"):
        variants["roster_id"].append(str(world.roster.pk))
    n = max((len(v) for v in variants.values()), default=1)
    kwargs_list = [{p: v[min(i, len(v) - 1)] for p, v in variants.items()} for i in range(n)]
    if route.name == "testday:printout":
        kwargs_list = [{**k, "kind": kind, "fmt": fmt} for k in kwargs_list[:1] for kind, fmt in PRINTOUTS]
    return [reverse(route.name, kwargs=k or None) for k in kwargs_list]


def release_problems(client: Client, world: SampleWorld, level: str) -> list[str]:
    problems: list[str] = []
    for route in all_routes():
        if route.name in PUBLIC_ROUTES:
            continue
        for url in urls_for(route, world, level):
            for method in ("get", "post"):
                for htmx in (False, True):
                    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
                    data = POST_DATA if method == "post" else None
                    response = getattr(client, method)(url, data, **headers)
                    body = response_text(response)
                    leaked = [n for n in SECRET_NAMES if n in body]
                    if leaked:
                        problems.append(f"{method.upper()} {url} ({route.name}, htmx={htmx}) "
                                        f"{response.status_code} shows {'、'.join(leaked)}")
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "level"), release_cases())
def test_no_sampled_name_before_release(role: str, level: str, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with clock.frozen(BEFORE_RELEASE):
        world = SampleWorld()
        unit = world.branch_for(level).unit
        client = Client(raise_request_exception=False)
        client.force_login(make_user(f"{role}-{level}", role, unit))
        problems = release_problems(client, world, level)
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_the_sample_is_there_to_leak(settings: Any) -> None:
    """The walk's world is not empty: the city sees the sample before release, on the seat plan
    and the sampled-student page, so a clean walk above means the rule held, not that there was
    nothing to find."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with clock.frozen(BEFORE_RELEASE):
        world = SampleWorld()
        client = Client()
        client.force_login(make_user("city", Role.CITY_ADMIN, world.c1))
        page = client.get(reverse("rosters:sampled", kwargs={"roster_id": world.roster.pk}))
        assert all(n in page.content.decode() for n in SECRET_NAMES)
        checkin = client.get(reverse("testday:printout", kwargs={
            "code": world.a1.code, "stage": "primary", "kind": "checkin", "fmt": "pdf"}))
        assert all(n in response_text(checkin) for n in SECRET_NAMES)
