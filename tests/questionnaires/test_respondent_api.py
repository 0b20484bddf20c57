"""docs/respondent-api.yaml (the respondent API as OpenAPI, for crash tests run from outside) against the
real views: every documented path reaches the documented view with the documented methods, the flow
it describes works as written (CSRF cookie, slip sign-in, save acknowledged, idempotent, refusals as
409, the answer page's data, submission), and each required field of a save is really required."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from django.urls import resolve

from jiance import clock
from jiance.questionnaires import respond_views
from jiance.questionnaires.models import Kind, Respondent
from jiance.questionnaires.services.respondents import slips_issue
from tests.factories import World
from tests.questionnaires.builders import at, q_cycle, school_with_people

pytestmark = pytest.mark.django_db
SPEC = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs" / "respondent-api.yaml").read_text("utf-8"))
VIEWS = {"start_page": "start", "slip_sign_in": "start", "parent_link": "parent_link", "answer_page": "answer",
         "save_answer": "save", "submit_response": "submit", "save_practice_answer": "save", "sign_out": "leave"}


def concrete(path: str) -> str:
    return path.replace("{qcode}", "student_q1").replace("{token}", "t0ken")


def test_every_documented_operation_is_served_by_its_view() -> None:
    assert SPEC["openapi"].startswith("3.")
    seen = set()
    for path, item in SPEC["paths"].items():
        match = resolve(concrete(path))
        for method, op in item.items():
            assert match.func.__module__ == respond_views.__name__, path
            assert match.func.__name__ == VIEWS[op["operationId"]], (path, method)
            seen.add(match.func.__name__)
            if op["operationId"] == "save_practice_answer":
                assert match.kwargs["practice"] is True
    assert {"start", "parent_link", "answer", "save", "submit", "leave"} <= seen
    save = SPEC["paths"]["/questionnaires/answer/{qcode}/save/"]["post"]
    assert set(save["responses"]) == {"200", "409", "403", "404"}


@pytest.fixture
def student(world: World) -> Respondent:
    cycle = q_cycle(world)
    school_with_people(cycle, world.school_a2)
    with clock.frozen(at("07:00")):
        slips_issue(cycle=cycle, school=world.school_a2)
    return Respondent.objects.filter(cycle=cycle, kind=Kind.STUDENT).order_by("pk").first()  # type: ignore[return-value]


def signed_in(me: Respondent) -> tuple[Client, str]:
    """Steps 1 and 2 of the description: the CSRF cookie, then the slip sign-in."""
    client = Client(enforce_csrf_checks=True)
    assert client.get("/questionnaires/answer/").status_code == 200
    token = client.cookies["csrftoken"].value
    r = client.post("/questionnaires/answer/", {"login": me.login, "code": me.code, "csrfmiddlewaretoken": token})
    assert r.status_code == 302 and "sessionid" in client.cookies
    return client, token


def post_save(client: Client, token: str, fields: dict[str, Any], *, csrf: bool = True):  # type: ignore[no-untyped-def]
    headers = {"HTTP_X_JIANCE_QUEUE": "1", **({"HTTP_X_CSRFTOKEN": token} if csrf else {})}
    return client.post("/questionnaires/answer/student_q1/save/", fields, **headers)


def test_the_documented_flow_works_as_written(student: Respondent) -> None:
    schema = SPEC["components"]["schemas"]["Save"]
    with clock.frozen(at("14:05")):
        client, token = signed_in(student)
        page = client.get("/questionnaires/answer/student_q1/").content.decode()
        assert 'data-last-seq="0"' in page
        full = {"client_id": str(uuid.uuid4()), "client_at": clock.now().isoformat(), "seq": 1, "name": "sex",
                "value": "2"}
        assert set(schema["required"]) <= set(full) and set(full) <= set(schema["properties"])
        for field in schema["required"]:  # each required field is required
            partial = {k: v for k, v in full.items() if k != field}
            r = post_save(client, token, partial)
            assert r.status_code == 409 and r["Content-Type"].startswith("text/plain"), field
        assert post_save(client, token, full, csrf=False).status_code == 403
        r = post_save(client, token, full)
        assert r.status_code == 200 and r.content.decode() == "已保存" and r["X-Jiance-Seq"] == "1"
        again = post_save(client, token, {**full, "value": "1"})  # the same client_id: changes nothing
        assert again.status_code == 200 and again.content.decode() == "已保存"
        older = post_save(client, token, {**full, "client_id": str(uuid.uuid4()), "seq": 0})
        assert older.status_code == 409
        bad = post_save(client, token, {**full, "client_id": str(uuid.uuid4()), "seq": 2, "value": "7"})
        assert bad.status_code == 409 and "不在本题的选项中" in bad.content.decode()
        multi = post_save(client, token, {"client_id": str(uuid.uuid4()), "seq": 3, "name": "activities",
                                          "value": ["1", "4"], "multiple": "1"})
        assert multi.status_code == 200
        page = client.get("/questionnaires/answer/student_q1/").content.decode()
        assert 'data-last-seq="3"' in page
        data = re.search(r'<script id="answers-data" type="application/json">(.*?)</script>', page, re.S)
        assert data is not None and json.loads(data.group(1)) == {"sex": "2", "activities": ["1", "4"]}
        assert client.get("/questionnaires/answer/student_q1/save/").status_code == 405
        assert post_save(Client(), token, full).status_code in (403, 404)  # no session: not this respondent
        r = client.post("/questionnaires/answer/student_q1/submit/", {}, HTTP_X_CSRFTOKEN=token)
        assert r.status_code == 302  # refused (answers missing): back to the page with the reason
        practice = client.post("/questionnaires/practice/student_q1/save/",
                               {**full, "client_id": str(uuid.uuid4())}, HTTP_X_JIANCE_QUEUE="1",
                               HTTP_X_CSRFTOKEN=token)
        assert practice.status_code == 200
        leave = client.post("/questionnaires/answer/leave/", {}, HTTP_X_CSRFTOKEN=token)
        assert leave.status_code == 302
