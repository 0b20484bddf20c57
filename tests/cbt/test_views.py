"""The pages: the item bank (import with every problem listed, export, example), the console
(htmx seat map, a stale page answered 409, another school's room 404), the student's PC (slip
sign-in at the seat's PC, booklet number, paper items, queued saves, the old PC refused after a
move)."""

from __future__ import annotations

import io
import json
import uuid
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from jiance import clock
from jiance.accounts.models import Role
from jiance.cbt.models import Delivery, ItemBank
from tests.cbt.builders import EXAMPLE, SESSION, Lab, at
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db


def staff(user: object) -> Client:
    c = Client()
    c.force_login(user)  # type: ignore[arg-type]
    return c


def console_url(s: Lab, name: str = "console", **kw: object) -> str:
    return reverse(f"cbt:{name}", kwargs={"test_room_id": s.room.pk, "session": SESSION, **kw})


def pc_url(s: Lab, seat: int, name: str = "pc") -> str:
    return reverse(f"cbt:{name}", kwargs={"test_room_id": s.room.pk, "seat": seat})


def sign_in(s: Lab, seat: int, pc: int | None = None) -> Client:
    c = Client()
    slip = s.slips[seat]
    r = c.post(pc_url(s, pc or seat), {"login": slip.login, "code": slip.code})
    assert r.status_code == 302, r.content.decode()[:500]
    return c


def test_bank_import_lists_every_problem_and_exports_zip(world: World, s: Lab) -> None:
    centre = make_user("centre", Role.CENTRE_ADMIN, world.centre)
    c = staff(centre)
    bad = json.loads(EXAMPLE.read_text())
    bad["items"][0]["prompt"] = ""
    bad["forms"][0]["items"].append("NOPE")
    with clock.frozen(at(8, 0, day=20)):
        r = c.post(reverse("cbt:bank"), {"file": _upload(bad)})
    body = r.content.decode()
    assert r.status_code == 200 and "题目 EX-M-001：字段 prompt：缺少题干" in body and "题本 1：字段 items：没有题目“NOPE”" in body
    assert ItemBank.objects.get(cycle=s.cycle).items["EX-M-001"]["prompt"]  # nothing stored
    r = c.get(reverse("cbt:export", kwargs={"subject": "math"}))
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    assert "items.json" in zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert c.get(reverse("cbt:example")).status_code == 200
    assert staff(s.proctor).get(reverse("cbt:bank")).status_code == 403


def _upload(data: dict) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("bank.json", json.dumps(data, ensure_ascii=False).encode(), "application/json")


def test_console_flow_with_htmx_and_stale_page(world: World, s: Lab) -> None:
    t, p = staff(s.tech), staff(s.proctor)
    with clock.frozen(at(8, 50)):
        r = t.post(console_url(s, "sitting_act"), {"action": "prepare", "version": 0}, HTTP_HX_REQUEST="true")
        assert r.status_code == 200 and "已准备" in r.content.decode()
        r = p.post(console_url(s, "sitting_act"), {"action": "start", "version": 1}, HTTP_HX_REQUEST="true")
        assert r.status_code == 403  # a proctor is not the technician (the 403 names who may)
    sign_in(s, 1)
    d = Delivery.objects.get()
    with clock.frozen(at(8, 55)):
        r = p.post(console_url(s, "seat_act", seat=1), {"action": "authorise", "version": d.version},
                   HTTP_HX_REQUEST="true")
        assert r.status_code == 200 and "已授权" in r.content.decode()
        r = p.post(console_url(s, "seat_act", seat=1), {"action": "authorise", "version": d.version},
                   HTTP_HX_REQUEST="true")
        assert r.status_code == 409 and "页面已过期" in r.content.decode()
        page = p.get(console_url(s)).content.decode()
    assert "王子涵" in page and "题本 1" in page and "备用机" in page


def test_another_schools_room_is_missing(world: World, s: Lab) -> None:
    other = make_user("other", Role.PROCTOR, world.school_b1)
    assert staff(other).get(console_url(s)).status_code == 404


def test_student_screen_saves_and_old_pc_refused_after_move(world: World, s: Lab) -> None:
    t, p = staff(s.tech), staff(s.proctor)
    with clock.frozen(at(8, 50)):
        t.post(console_url(s, "sitting_act"), {"action": "prepare", "version": 0})
    student = sign_in(s, 1)
    d = Delivery.objects.get()
    with clock.frozen(at(8, 55)):
        p.post(console_url(s, "seat_act", seat=1), {"action": "authorise", "version": d.version})
    with clock.frozen(at(9, 0)):
        t.post(console_url(s, "sitting_act"), {"action": "start", "version": 1})
    with clock.frozen(at(9, 10)):
        page = student.get(pc_url(s, 1)).content.decode()
        assert "题本号 1" in page and "本题请在答题卡上作答" in page and "EX-M-001" in page
        assert 'data-remaining="4200"' in page and '"correct"' not in page
        cid = str(uuid.uuid4())
        post = {"client_id": cid, "client_at": at(9, 10).isoformat(), "seq": 1, "name": "EX-M-001", "value": "B"}
        r = student.post(pc_url(s, 1, "pc_save"), post, HTTP_X_JIANCE_QUEUE="1")
        assert r.status_code == 200 and r.content.decode() == "已保存"
        assert student.post(pc_url(s, 1, "pc_save"), post, HTTP_X_JIANCE_QUEUE="1").status_code == 200
        state = student.get(pc_url(s, 1, "pc_state")).json()
        assert state["status"] == "in_progress" and state["remaining"] == 4200
    spare = s.spares[0].seat
    d.refresh_from_db()
    with clock.frozen(at(9, 20)):
        p.post(console_url(s, "seat_act", seat=1), {"action": "move", "version": d.version, "reason": "死机",
                                                    "to_seat": spare})
        r = student.get(pc_url(s, 1))
        assert r.status_code == 409 and f"{spare:02d} 号机" in r.content.decode()
        post = {**post, "client_id": str(uuid.uuid4()), "seq": 2}
        assert student.post(pc_url(s, 1, "pc_save"), post, HTTP_X_JIANCE_QUEUE="1").status_code == 409
    with clock.frozen(at(9, 30)):
        moved = sign_in(s, 1, pc=spare)
        page = moved.get(pc_url(s, spare)).content.decode()
    assert 'data-remaining="3600"' in page and "作答中" in page


def test_pc_page_tells_nothing_before_sign_in(s: Lab) -> None:
    body = Client().get(pc_url(s, 1)).content.decode()
    assert "学生登录" in body and s.room.school.name not in body and "王子涵" not in body


def test_responses_export_scored_pseudonymous_formula_safe_and_audited(world: World, s: Lab) -> None:
    import csv as csvlib

    from jiance.accounts.scoping import Scope
    from jiance.audit.models import Action, AuditEntry
    from jiance.cbt.services.console import delivery_act, sitting_act

    with clock.frozen(at(8, 50)):
        sitting_act(scope=Scope(s.tech), room=s.room, session=SESSION, action="prepare", actor=s.tech, version=None)
    pc = sign_in(s, 1)
    d = Delivery.objects.get()
    with clock.frozen(at(8, 55)):
        delivery_act(scope=Scope(s.proctor), delivery=d, action="authorise", actor=s.proctor, version=d.version)
    with clock.frozen(at(9, 0)):
        sitting_act(scope=Scope(s.tech), room=s.room, session=SESSION, action="start", actor=s.tech, version=None)
    booklet = ItemBank.objects.get().forms[str(Delivery.objects.get().booklet)]
    with clock.frozen(at(9, 5)):
        pc.get(pc_url(s, 1))
        for n, (name, value) in enumerate([("EX-M-001", "B"), ("EX-M-003", "=1+2")], start=1):
            assert name in booklet
            r = pc.post(pc_url(s, 1, "pc_save"), {"name": name, "value": value, "seq": n, "client_id": str(uuid.uuid4()),
                                                   "client_at": at(9, 5).isoformat()}, HTTP_X_JIANCE_QUEUE="1")
            assert r.status_code == 200, r.content.decode()
    centre = staff(make_user("centre", Role.CENTRE_ADMIN, world.centre))
    r = centre.get(reverse("cbt:responses_csv", kwargs={"subject": "math"}))
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    rows = list(csvlib.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["resp_id"].startswith("R") and s.slips[1].login not in r.content.decode()
    assert s.seats[0].student.name not in r.content.decode()  # pseudonymous
    assert row["EX-M-001"] == "B" and row["EX-M-001_score"] == "1"
    assert row["EX-M-003"] == "'=1+2" and row["EX-M-003_score"] == "0"  # formula-safe, wrong
    assert row["EX-M-006"] == "" and row["EX-M-006_score"] == ""  # on paper: not scored here
    assert row["score_total"] == "1" and row["score_max"] == "4"
    x = centre.get(reverse("cbt:responses_xlsx", kwargs={"subject": "math"}))
    assert x.status_code == 200 and x.content[:2] == b"PK"
    assert AuditEntry.objects.filter(action=Action.EXPORT, detail__contains="网络测试作答导出").count() == 2
    assert staff(s.proctor).get(reverse("cbt:responses_csv", kwargs={"subject": "math"})).status_code == 403


def test_room_slips_pdf_printable_no_store_and_audited(world: World, s: Lab) -> None:
    from jiance.audit.models import Action, AuditEntry
    from tests.printouts.pdftools import squash, text

    with clock.frozen(at(8, 40)):
        r = staff(s.proctor).get(console_url(s, "slips_pdf"))
    assert r.status_code == 200 and r.content[:5] == b"%PDF-" and "no-store" in r["Cache-Control"]
    body = squash(text(r.content))
    assert s.slips[1].code in body and (s.slips[1].login or "") in body and squash("01 号机") in body
    assert f"/cbt/pc/{s.room.pk}/1/" in body
    assert AuditEntry.objects.filter(action=Action.EXPORT, detail__contains="计算机测试登录条").exists()
    other = staff(make_user("other", Role.PROCTOR, world.school_b1))
    assert other.get(console_url(s, "slips_pdf")).status_code in (403, 404)
