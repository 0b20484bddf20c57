"""Printed slips: students' login slips by test room only after the release time, teachers' and the
principal's, parents' QR slips (one single-use link per tested student); no-store and audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jiance import clock
from jiance.audit.models import AuditEntry
from jiance.printouts import slips as slips_module
from jiance.questionnaires.models import Kind, Respondent
from jiance.questionnaires.services.respondents import slips_issue
from jiance.testday.models import Seat
from jiance.testday.services import rooms_plan
from tests.factories import World, make_user
from tests.printouts.pdftools import is_pdf, pages, squash, text
from tests.questionnaires.builders import at, q_cycle, school_with_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(world: World):  # type: ignore[no-untyped-def]
    cycle = q_cycle(world)
    school_with_people(cycle, world.school_a2, students=12)
    with clock.frozen(at("07:00")):
        rooms_plan(school=world.school_a2, cycle=cycle)
        slips_issue(cycle=cycle, school=world.school_a2, parents=True)
    return cycle


def text_of(content: bytes) -> str:
    assert is_pdf(content)
    return squash(text(content))


def school_client(world: World) -> Client:
    client = Client()
    client.force_login(make_user("si", "school_info", world.school_a2))
    return client


def test_student_slips_only_after_the_release_by_room_with_codes(cycle, world: World) -> None:  # type: ignore[no-untyped-def]
    client = school_client(world)
    url = reverse("questionnaires:slips_students_pdf", args=[world.school_a2.code])
    with clock.frozen(at("07:00")):  # before the release time: like a school without slips
        assert client.get(url).status_code == 404
        assert client.get(reverse("questionnaires:slips_parents_pdf", args=[world.school_a2.code])).status_code == 404
        assert not AuditEntry.objects.filter(object_type="questionnaires.slips").exists()
    with clock.frozen(at("07:31")):
        response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    body = text_of(response.content)
    students = Respondent.objects.filter(cycle=cycle, unit=world.school_a2, kind=Kind.STUDENT)
    assert students.count() == 12
    for s in students:
        assert s.name in body and f"登录号：{s.login}" in body and s.code in body
    seat = Seat.objects.filter(room__school=world.school_a2, student__isnull=False).select_related("room").first()
    assert seat is not None and f"第{seat.room.number}监测室" in body
    teacher = Respondent.objects.filter(unit=world.school_a2, kind=Kind.TEACHER).first()
    assert teacher is not None and teacher.code not in body
    entry = AuditEntry.objects.get(object_type="questionnaires.slips", object_id=f"{world.school_a2.code}:students")
    assert "12 张" in entry.detail


def test_teacher_and_principal_slips(cycle, world: World) -> None:  # type: ignore[no-untyped-def]
    make_user("pr", "principal", world.school_a2, full_name="陈校长")
    with clock.frozen(at("07:00")):  # no student on them: printable before the release
        response = school_client(world).get(reverse("questionnaires:slips_staff_pdf", args=[world.school_a2.code]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    body = text_of(response.content)
    for t in Respondent.objects.filter(unit=world.school_a2, kind=Kind.TEACHER):
        assert t.name in body and f"登录号：{t.login}" in body and t.code in body
    assert "陈校长" in body and "使用本人账号登录" in body and "数学教师问卷" in body and "班主任问卷" in body
    assert not any(s.name in body for s in Respondent.objects.filter(kind=Kind.STUDENT))
    assert AuditEntry.objects.filter(object_id=f"{world.school_a2.code}:staff").count() == 1


def test_parent_qr_slips_carry_each_single_use_link(cycle, world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    drawn: list[str] = []
    real_qr = slips_module._qr

    def recording_qr(canvas: Any, value: str, *args: Any) -> None:
        drawn.append(value)
        real_qr(canvas, value, *args)

    monkeypatch.setattr(slips_module, "_qr", recording_qr)
    with clock.frozen(at("07:31")):
        response = school_client(world).get(reverse("questionnaires:slips_parents_pdf", args=[world.school_a2.code]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    body = text_of(response.content)
    parents = list(Respondent.objects.filter(unit=world.school_a2, kind=Kind.PARENT).select_related("student"))
    assert len(parents) == 12 and pages(response.content) == 2  # eight to a sheet
    assert "2024-05-24至2024-05-30" in body and "提交后即失效" in body
    for p in parents:
        assert p.student is not None and p.student.name in body
        assert p.token and p.token not in body  # only in the QR code
    # each QR code is one parent's own link, once
    assert sorted(drawn) == sorted(f"http://testserver/questionnaires/p/{p.token}/" for p in parents)
    assert AuditEntry.objects.filter(object_id=f"{world.school_a2.code}:parents").count() == 1


def test_another_schools_slips_are_missing_and_counties_cannot_print(cycle, world: World) -> None:  # type: ignore[no-untyped-def]
    other = Client()
    other.force_login(make_user("sb", "school_info", world.school_b2))
    county = Client()
    county.force_login(make_user("ci", "county_info", world.county_a))
    with clock.frozen(at("07:31")):
        for name in ("questionnaires:slips_students_pdf", "questionnaires:slips_staff_pdf",
                     "questionnaires:slips_parents_pdf"):
            url = reverse(name, args=[world.school_a2.code])
            assert other.get(url).status_code == 404
            assert county.get(url).status_code == 403
