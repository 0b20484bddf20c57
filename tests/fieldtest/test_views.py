"""The pages: who sees names and values, who sees figures only, the row save and check, the
centre's export."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from django.test import Client
from django.urls import reverse

from jiance.audit.models import AuditEntry
from jiance.cycles.models import Cycle
from jiance.fieldtest.models import CardStatus, FieldCard
from jiance.rosters.models import Student
from tests.factories import World, client_for
from tests.fieldtest.conftest import GOOD, People


def post_row(c: Client, world: World, student: Student, version: int = 0, htmx: bool = True, **extra: Any) -> Any:
    data = {"version": str(version), "attendance": "present", "reason": ""} | {f"v_{k}": v for k, v in GOOD.items()}
    data |= extra
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return c.post(reverse("fieldtest:save", args=[world.school_a1.code, student.pk]), data, **headers)


def test_officer_page_lists_the_students_with_one_row_each(world: World, p: People, cycle: Cycle,
                                                            students: list[Student]) -> None:
    r = client_for(p.officer).get(reverse("fieldtest:unit", args=[world.school_a1.code]))
    assert r.status_code == 200
    body = r.content.decode()
    assert body.count('class="card-row') == 6 and students[0].name in body
    assert 'name="v_run50"' in body and 'name="v_pull_up"' not in body  # grade 4 card


def test_row_save_and_out_of_range_confirmation(world: World, p: People, cycle: Cycle,
                                                students: list[Student]) -> None:
    c = client_for(p.officer)
    r = post_row(c, world, students[0], v_height="199.0")
    assert r.status_code == 200 and "超出合理范围" in r.content.decode() and 'name="confirm"' in r.content.decode()
    assert not FieldCard.objects.exists()
    r = post_row(c, world, students[0], v_height="199.0", confirm="height")
    assert r.status_code == 200 and "已保存" in r.content.decode()
    card = FieldCard.objects.get()
    assert card.confirmed == ["height"] and card.values["height"] == "199.0"
    # without htmx: back to the page at the row
    r = post_row(c, world, students[1], htmx=False)
    assert r.status_code == 302 and r["Location"].endswith(f"#s{students[1].pk}")


def test_proctor_checks_but_not_their_own(world: World, p: People, cycle: Cycle, students: list[Student]) -> None:
    post_row(client_for(p.officer), world, students[0])
    card = FieldCard.objects.get()
    proctor = client_for(p.proctor)
    page = proctor.get(reverse("fieldtest:unit", args=[world.school_a1.code])).content.decode()
    assert 'value="approve"' in page and 'name="v_run50"' not in page  # checks, does not enter
    r = proctor.post(reverse("fieldtest:check", args=[world.school_a1.code, card.pk]),
                     {"action": "approve", "version": str(card.version)}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    card.refresh_from_db()
    assert card.status == CardStatus.CHECKED and card.checked_by == p.proctor


def test_county_city_and_principal_see_figures_not_values(world: World, p: People, cycle: Cycle,
                                                           students: list[Student]) -> None:
    post_row(client_for(p.officer), world, students[0], v_run50="12.3")
    for who, unit in ((p.county, world.county_a), (p.city, world.city), (p.principal, world.school_a1),
                      (p.county, world.school_a1)):
        body = client_for(who).get(reverse("fieldtest:unit", args=[unit.code])).content.decode()
        assert 'id="fieldtest-progress"' in body
        assert students[0].name not in body and "12.3" not in body
    county = client_for(p.county).get(reverse("fieldtest:unit", args=[world.county_a.code])).content.decode()
    assert world.school_a1.name in county
    # saving and checking are not theirs
    assert post_row(client_for(p.county), world, students[1]).status_code == 403
    assert post_row(client_for(p.principal), world, students[1]).status_code == 403


def test_export_for_the_centre_only(world: World, p: People, cycle: Cycle, students: list[Student]) -> None:
    post_row(client_for(p.officer), world, students[0], v_rope="=1+1")  # refused: not a number
    post_row(client_for(p.officer), world, students[0])
    post_row(client_for(p.officer), world, students[1], attendance="absent", reason="=HYPERLINK(\"x\")")
    for card in FieldCard.objects.all():
        client_for(p.proctor).post(reverse("fieldtest:check", args=[world.school_a1.code, card.pk]),
                                   {"action": "approve", "version": str(card.version)})
    assert client_for(p.city).get(reverse("fieldtest:export", args=[world.city.code])).status_code == 403
    r = client_for(p.centre).get(reverse("fieldtest:export", args=[world.city.code]))
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 3 and rows[0][0] == "student_id"
    flat = " ".join(str(v) for row in rows for v in row)
    assert students[0].name not in flat and students[0].student_no not in flat
    assert all(str(row[0]).startswith("S") for row in rows[1:])
    assert any(v == "'=HYPERLINK(\"x\")" for row in rows for v in row)  # formula-safe
    assert AuditEntry.objects.filter(action="export", detail__contains="体育现场测试").count() == 1


def test_a_cycle_without_field_test(world: World, p: People) -> None:
    from tests.testday.builders import testday_cycle

    testday_cycle(world)
    r = client_for(p.officer).get(reverse("fieldtest:unit", args=[world.school_a1.code]))
    assert r.status_code == 200 and 'id="no-fieldtest"' in r.content.decode()
