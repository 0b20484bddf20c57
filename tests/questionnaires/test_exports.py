"""Exports of a questionnaire version (CSV, XLSX, SPSS .sav, codebook): layout against the compiled
example, value labels read back with pyreadstat, practice never exported, pseudonyms stable and
keyed, identified exports for the cycle's owner only (with a reason) and audited, one file per version,
formula-safe cells."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import tempfile
import uuid
from typing import Any

import pyreadstat
import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jiance import clock
from jiance.audit.models import Action, AuditEntry
from jiance.questionnaires.examples import example_xlsx
from jiance.questionnaires.models import Kind, Questionnaire, Respondent, Response
from jiance.questionnaires.services.answering import answer_save, response_open, response_submit
from jiance.questionnaires.services.respondents import slips_issue
from jiance.questionnaires.services.versions import version_publish, version_upload
from tests.factories import World, make_user
from tests.questionnaires.builders import DAY, at, q_cycle, school_with_people

pytestmark = pytest.mark.django_db

FULL = {"sex": "1", "age": "13", "boarding": "1", "boarding_days": "5", "live_with": "2", "homework": "3",
        "activities": ["1", "4"], **{f"climate_{i}": "3" for i in range(1, 6)}, **{f"feel_{i}": "2" for i in range(1, 5)},
        "sleep_hours": "8.5", "wish": "=HYPERLINK(\"http://x\",\"y\")"}


def save_all(response: Response, answers: dict[str, Any], start: int = 1) -> None:
    for seq, (name, raw) in enumerate(answers.items(), start=start):
        answer_save(response=response, name=name, raw=raw, seq=seq, client_id=uuid.uuid4(), at=clock.now())


@pytest.fixture
def data(world: World) -> dict[str, Any]:
    """Three students of school a2 on v1: one submitted (then boarding changed to no: the nights
    are hidden), one started, one practice only; a student of b2 on v2 after a new version."""
    cycle = q_cycle(world)
    school_with_people(cycle, world.school_a2)
    school_with_people(cycle, world.school_b2, start=100)
    with clock.frozen(at("07:00")):
        slips_issue(cycle=cycle, school=world.school_a2)
        slips_issue(cycle=cycle, school=world.school_b2)
    q = Questionnaire.objects.get(cycle=cycle, code="student_q1")
    a2 = list(Respondent.objects.filter(cycle=cycle, kind=Kind.STUDENT, unit=world.school_a2).order_by("pk"))
    b2 = list(Respondent.objects.filter(cycle=cycle, kind=Kind.STUDENT, unit=world.school_b2).order_by("pk"))
    with clock.frozen(at("14:05")):
        first = response_open(respondent=a2[0], questionnaire=q, practice=False)
        save_all(first, FULL)
        save_all(first, {"boarding": "2"}, start=100)
        response_submit(response=first)
        second = response_open(respondent=a2[1], questionnaire=q, practice=False)
        save_all(second, {"sex": "2", "activities": ["9"]})
    with clock.frozen(at("10:00")):  # practice, before the window: never exported
        for r in (a2[0], a2[2]):
            practice = response_open(respondent=r, questionnaire=q, practice=True)
            save_all(practice, {**FULL, "sex": "2", "wish": "PRACTICE"})
    with clock.frozen(at("14:10")):
        content = example_xlsx(q.code, "学生相关因素问卷（一）修订", ["student"])
        v2, _ = version_upload(questionnaire=q, content=content, filename="v2.xlsx", actor=None)
        version_publish(version=v2, actor=None)
        third = response_open(respondent=b2[0], questionnaire=q, practice=False)
        save_all(third, {"sex": "1"})
    return {"cycle": cycle, "q": q, "a2": a2, "b2": b2, "first": first, "second": second, "third": third}


def centre(world: World) -> Client:
    from jiance.accounts.models import User

    client = Client()
    client.force_login(User.objects.filter(username="centre").first() or make_user("centre", "centre_admin", world.centre))
    return client


def get_csv(client: Client, number: int = 1) -> list[dict[str, str]]:
    r = client.get(reverse("questionnaires:export_answers", args=["student_q1", number, "csv"]))
    assert r.status_code == 200
    assert r["Cache-Control"].startswith("no-store") and "attachment" in r["Content-Disposition"]
    text = b"".join(r.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_columns_follow_the_compiled_version_and_practice_is_never_exported(data, world: World) -> None:  # type: ignore[no-untyped-def]
    rows = get_csv(centre(world))
    assert list(rows[0]) == [
        "resp_id", "resp_kind", "school_code", "county_code", "started_at", "submitted_at", "status", "version",
        "version_hash", "sex", "age", "boarding", "boarding_days", "live_with", "homework", "activities_1",
        "activities_2", "activities_3", "activities_4", "activities_5", "activities_9",
        *(f"climate_{i}" for i in range(1, 6)), *(f"feel_{i}" for i in range(1, 5)), "sleep_hours", "wish"]
    assert len(rows) == 2  # the two real responses on v1; the practice ones and v2's are elsewhere
    first, second = rows
    v1 = data["first"].version
    assert first["status"] == "submitted" and second["status"] == "started" and second["submitted_at"] == ""
    assert first["version"] == "1" and first["version_hash"] == v1.sha256
    assert first["school_code"] == world.school_a2.code and first["county_code"] == world.county_a.code
    assert first["resp_kind"] == "student" and first["started_at"] == "2024-05-22 14:05:00"
    assert first["sex"] == "1" and first["age"] == "13" and first["boarding"] == "2"
    assert first["boarding_days"] == ""  # answered, then hidden by boarding = no: does not count
    assert [first[f"activities_{c}"] for c in "123459"] == ["1", "0", "0", "1", "0", "0"]
    assert second["activities_9"] == "1" and second["activities_1"] == "0" and second["age"] == ""
    assert first["sleep_hours"] == "8.5"
    assert first["wish"].startswith("'=HYPERLINK")  # formula-safe
    assert not any("PRACTICE" in v for row in rows for v in row.values())


def test_one_file_per_version(data, world: World) -> None:  # type: ignore[no-untyped-def]
    client = centre(world)
    v1, v2 = get_csv(client, 1), get_csv(client, 2)
    assert len(v1) == 2 and len(v2) == 1
    assert v2[0]["version"] == "2" and v2[0]["school_code"] == world.school_b2.code
    assert v2[0]["version_hash"] == data["third"].version.sha256 != v1[0]["version_hash"]
    assert not {r["resp_id"] for r in v1} & {r["resp_id"] for r in v2}


def test_pseudonyms_are_stable_keyed_and_never_the_real_ids(data, world: World, settings: Any) -> None:  # type: ignore[no-untyped-def]
    client = centre(world)
    once, again = get_csv(client), get_csv(client)
    ids = [r["resp_id"] for r in once]
    assert ids == [r["resp_id"] for r in again] and len(set(ids)) == 2
    people = data["a2"][:2]
    for pid, person in zip(ids, people, strict=True):
        assert pid not in (str(person.pk), person.login, person.name, person.code)
        assert str(person.login) not in pid and person.name not in pid
    body = "".join(",".join(r.values()) for r in once)
    assert not any(p.login in body or p.name in body for p in people)
    settings.FIELD_ENCRYPTION_KEY = base64.urlsafe_b64encode(b"another secret of 32 bytes......").decode()
    assert [r["resp_id"] for r in get_csv(client)] != ids  # keyed: another secret, other pseudonyms


def test_the_sav_carries_variable_and_value_labels(data, world: World) -> None:  # type: ignore[no-untyped-def]
    r = centre(world).get(reverse("questionnaires:export_answers", args=["student_q1", 1, "sav"]))
    assert r.status_code == 200 and r["Cache-Control"].startswith("no-store")
    with tempfile.NamedTemporaryFile(suffix=".sav") as f:
        f.write(r.content)
        f.flush()
        frame, meta = pyreadstat.read_sav(f.name, output_format="dict")
    labels = meta.column_names_to_labels
    assert labels["sex"] == "你的性别 / Your sex"
    assert labels["activities_4"].startswith("课余时间你常做哪些事")
    assert "上网或游戏" in labels["activities_4"]
    values = meta.variable_value_labels
    assert values["sex"] == {1.0: "男 / Male", 2.0: "女 / Female"}
    assert values["climate_1"][4.0] == "非常同意 / Strongly agree"
    assert values["activities_1"] == {0.0: "未选 / Not selected", 1.0: "选中 / Selected"}
    assert values["resp_kind"]["student"] == "学生 / Student"
    first = {name: column[0] for name, column in frame.items()}
    assert list(frame["sex"]) == [1.0, 2.0] and first["activities_4"] == 1.0
    assert first["boarding_days"] is None  # system-missing: hidden by relevant
    assert first["age"] == 13.0 and first["sleep_hours"] == 8.5
    assert frame["started_at"][0] == dt.datetime(2024, 5, 22, 14, 5)
    assert meta.original_variable_types["started_at"].startswith("DATETIME")
    assert frame["wish"][0].startswith("=HYPERLINK")  # SPSS evaluates nothing: the text as given
    assert len(frame["resp_id"]) == 2


def test_the_xlsx_has_labels_a_codebook_and_safe_cells(data, world: World) -> None:  # type: ignore[no-untyped-def]
    r = centre(world).get(reverse("questionnaires:export_answers", args=["student_q1", 1, "xlsx"]))
    wb = load_workbook(io.BytesIO(r.content))
    sheet = wb["数据 data"]
    header = [c.value for c in sheet[1]]
    labels = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert labels["sex"] == "你的性别" and labels["resp_id"] == "填答者编号（假名）"
    rows = [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(min_row=3)]
    assert len(rows) == 2 and rows[0]["sex"] == 1 and rows[0]["wish"].startswith("'=")
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    book = wb["变量说明 codebook"]
    codebook = {row[0].value: [c.value for c in row] for row in book.iter_rows(min_row=2)}
    assert codebook["sex"][6] == "1 = 男 / Male\n2 = 女 / Female"
    assert codebook["boarding_days"][8] == "${boarding} = '1'"
    assert codebook["activities_9"][1] == "activities = 9"
    assert codebook["sex"][10] == data["first"].version.sha256
    csv_book = centre(world).get(reverse("questionnaires:codebook", args=["student_q1", 1, "csv"]))
    lines = list(csv.reader(io.StringIO(csv_book.content.decode("utf-8-sig"))))
    assert [line[0] for line in lines[1:]] == header


def test_every_export_is_audited_and_identified_exports_need_the_owner_and_a_reason(data, world: World) -> None:  # type: ignore[no-untyped-def]
    client = centre(world)
    before = AuditEntry.objects.count()
    get_csv(client)
    entry = AuditEntry.objects.order_by("-pk").first()
    assert AuditEntry.objects.count() == before + 1 and entry is not None
    assert entry.action == Action.EXPORT and "假名" in entry.detail and "2 份答卷" in entry.detail
    url = reverse("questionnaires:export_identified", args=["student_q1", 1])
    no_reason = client.post(url, {"fmt": "csv", "reason": ""})
    assert no_reason.status_code == 400 and AuditEntry.objects.count() == before + 1
    r = client.post(url, {"fmt": "csv", "reason": "核查两名学生的登录号是否串号"})
    text = b"".join(r.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(text)))
    people = data["a2"][:2]
    assert [row["resp_name"] for row in rows] == [p.name for p in people]
    assert [row["login"] for row in rows] == [p.login for p in people]
    assert rows[0]["student_no"] == people[0].student.student_no
    assert r["Cache-Control"].startswith("no-store")
    entry = AuditEntry.objects.order_by("-pk").first()
    assert entry is not None and "实名" in entry.detail and "核查两名学生的登录号是否串号" in entry.detail
    assert entry.actor is not None and entry.actor.username == "centre"

    other = Client()
    other.force_login(make_user("prov", "province_admin", world.province))
    assert other.get(reverse("questionnaires:export", args=["student_q1", 1])).status_code == 200
    refused = other.post(url, {"fmt": "csv", "reason": "想看看"})
    assert refused.status_code == 403 and "resp_name" not in refused.content.decode()
    denied = AuditEntry.objects.order_by("-pk").first()
    assert denied is not None and denied.result == "denied" and denied.actor.username == "prov"  # type: ignore[union-attr]
    page = other.get(reverse("questionnaires:export", args=["student_q1", 1])).content.decode()
    assert "实名导出" not in page
    assert len(get_csv(other)) == 2  # the province's own schools, pseudonymous


def test_schools_and_counties_cannot_export(data, world: World) -> None:  # type: ignore[no-untyped-def]
    for role, unit in (("school_info", world.school_a2), ("county_admin", world.county_a), ("principal", world.school_a2)):
        client = Client()
        client.force_login(make_user(f"u-{role}", role, unit))
        for name, args in (("export", ["student_q1", 1]), ("export_answers", ["student_q1", 1, "csv"]),
                           ("codebook", ["student_q1", 1, "xlsx"])):
            assert client.get(reverse(f"questionnaires:{name}", args=args)).status_code == 403
        r = client.post(reverse("questionnaires:export_identified", args=["student_q1", 1]), {"fmt": "csv",
                                                                                             "reason": "xxxxxxxx"})
        assert r.status_code == 403


def test_the_export_page_counts_and_links(data, world: World) -> None:  # type: ignore[no-untyped-def]
    client = centre(world)
    home = client.get(reverse("questionnaires:home")).content.decode()
    assert reverse("questionnaires:export", args=["student_q1", 1]) in home
    page = client.get(reverse("questionnaires:export", args=["student_q1", 1])).content.decode()
    assert reverse("questionnaires:export_answers", args=["student_q1", 1, "sav"]) in page
    assert "实名导出" in page
    assert client.get(reverse("questionnaires:export_answers", args=["student_q1", 1, "pdf"])).status_code == 404
    assert client.get(reverse("questionnaires:export", args=["student_q1", 9])).status_code == 404
    assert DAY
