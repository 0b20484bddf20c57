"""The respondents' pages and the centre's: slips, the parent link, saving over HTTP (the offline
queue's contract), submission, uploads refused with sheet/row/reason, who sees what."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jiance import clock
from jiance.questionnaires.examples import example_xlsx
from jiance.questionnaires.models import Answer, Kind, Questionnaire, Respondent, Response
from jiance.questionnaires.services.respondents import slips_issue
from tests.factories import World, make_user
from tests.questionnaires.builders import DAY, at, q_cycle, school_with_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(world: World):  # type: ignore[no-untyped-def]
    cycle = q_cycle(world)
    school_with_people(cycle, world.school_a2)
    school_with_people(cycle, world.school_b2, start=100)
    with clock.frozen(at("07:00")):
        slips_issue(cycle=cycle, school=world.school_a2, parents=True)
        slips_issue(cycle=cycle, school=world.school_b2, parents=True)
    return cycle


def slip_client(respondent: Respondent) -> Client:
    client = Client()
    response = client.post(reverse("questionnaires:start"), {"login": respondent.login, "code": respondent.code})
    assert response.status_code == 302
    return client


def post_save(client: Client, name: str, value: object, seq: int, cid: str | None = None, *, qcode: str = "student_q1",
              practice: bool = False):  # type: ignore[no-untyped-def]
    values = value if isinstance(value, list) else [value]
    data = {"client_id": cid or str(uuid.uuid4()), "client_at": clock.now().isoformat(), "seq": seq, "name": name,
            "value": values}
    if isinstance(value, list):
        data["multiple"] = "1"
    url = reverse("questionnaires:practice_save" if practice else "questionnaires:save", args=[qcode])
    return client.post(url, data, HTTP_X_JIANCE_QUEUE="1")


def students(cycle, school) -> list[Respondent]:  # type: ignore[no-untyped-def]
    return list(Respondent.objects.filter(cycle=cycle, kind=Kind.STUDENT, unit=school).order_by("pk"))


def test_a_student_signs_in_answers_and_the_save_is_acknowledged_after_commit(cycle, world: World) -> None:  # type: ignore[no-untyped-def]
    me = students(cycle, world.school_a2)[0]
    with clock.frozen(at("14:05")):
        client = slip_client(me)
        page = client.get(reverse("questionnaires:start")).content.decode()
        assert "学生相关因素问卷（一）" in page and "开始填答" in page
        page = client.get(reverse("questionnaires:answer", args=["student_q1"])).content.decode()
        assert "示例问卷" in page and 'data-q="climate_1"' in page and "xlsexpr.js" in page
        cid = str(uuid.uuid4())
        ok = post_save(client, "sex", "2", 1, cid)
        assert ok.status_code == 200 and ok.content.decode() == "已保存"
        assert post_save(client, "sex", "2", 1, cid).status_code == 200  # the same save again: acknowledged
        assert post_save(client, "activities", ["1", "3"], 2).status_code == 200
        refused = post_save(client, "age", "40", 3)
        assert refused.status_code == 409 and "请填写 8 到 18" in refused.content.decode()
        answers = dict(Answer.objects.filter(response__respondent=me).values_list("name", "value"))
        assert answers == {"sex": "2", "activities": ["1", "3"]}
        # resume on another device: the page shows the saved answers and the sequence reached
        other = slip_client(me)
        page = other.get(reverse("questionnaires:answer", args=["student_q1"])).content.decode()
        assert 'data-last-seq="2"' in page and 'value="2" checked' in page


def test_wrong_slip_and_closed_window(cycle, world: World) -> None:  # type: ignore[no-untyped-def]
    me = students(cycle, world.school_a2)[0]
    client = Client()
    page = client.post(reverse("questionnaires:start"), {"login": me.login, "code": "ZZZZZZ"}).content.decode()
    assert "登录号或登录码不正确" in page
    with clock.frozen(at("13:00")):
        client = slip_client(me)
        assert "未到填答时间" in client.get(reverse("questionnaires:start")).content.decode()
        response = client.get(reverse("questionnaires:answer", args=["student_q1"]), follow=True)
        assert "填答时间尚未开始" in response.content.decode()
        refused = post_save(client, "sex", "1", 1)
        assert refused.status_code == 409 and "填答时间尚未开始" in refused.content.decode()
        # practice is open before the test, and kept apart
        assert client.get(reverse("questionnaires:practice", args=["student_q1"])).status_code == 200
        assert post_save(client, "sex", "1", 1, practice=True).status_code == 200
    assert Response.objects.get(respondent=me).practice is True


def test_a_respondent_reads_only_their_own_answers(cycle, world: World) -> None:  # type: ignore[no-untyped-def]
    mine, theirs = students(cycle, world.school_a2)[:2]
    with clock.frozen(at("14:05")):
        a = slip_client(theirs)
        post_save(a, "wish", "只有我知道的答案", 1)
        b = slip_client(mine)
        page = b.get(reverse("questionnaires:answer", args=["student_q1"])).content.decode()
        assert "只有我知道的答案" not in page
        # a questionnaire that is not mine answers like a missing one
        assert b.get(reverse("questionnaires:answer", args=["principal"])).status_code == 404
        assert b.get(reverse("questionnaires:answer", args=["no-such"])).status_code == 404
        assert post_save(b, "wish", "x", 1, qcode="principal").status_code == 404


def test_school_staff_never_see_answers(cycle, world: World) -> None:  # type: ignore[no-untyped-def]
    me = students(cycle, world.school_a2)[0]
    with clock.frozen(at("14:05")):
        post_save(slip_client(me), "wish", "学生的秘密回答", 1)
        for role in ("school_info", "principal"):
            client = Client()
            client.force_login(make_user(f"u-{role}", role, world.school_a2))
            for url in (reverse("questionnaires:start"), reverse("questionnaires:answer", args=["student_q1"])):
                response = client.get(url)
                assert "学生的秘密回答" not in response.content.decode()
            assert client.get(reverse("questionnaires:answer", args=["student_q1"])).status_code == 404


def test_the_parent_link_stops_working_once_submitted(cycle, world: World) -> None:  # type: ignore[no-untyped-def]
    parent = Respondent.objects.filter(cycle=cycle, kind=Kind.PARENT, unit=world.school_a2).first()
    assert parent is not None
    url = reverse("questionnaires:parent", args=[parent.token])
    with clock.frozen(at("20:00", dt.date(2024, 5, 25))):
        client = Client()
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("questionnaires:answer", args=["parent"])
        for i, (name, value) in enumerate([("relation", "1"), ("education", "5"), ("reading", "2"), ("tutoring", "2"),
                                           ("home_1", "4"), ("home_2", "3"), ("home_3", "3")], start=1):
            assert post_save(client, name, value, i, qcode="parent").status_code == 200
        done = client.post(reverse("questionnaires:submit", args=["parent"]), follow=True).content.decode()
        assert "已提交" in done
        gone = Client().get(url)
        assert gone.status_code == 410 and "链接已失效" in gone.content.decode()
        assert client.get(url).status_code == 410
        assert Client().get(reverse("questionnaires:parent", args=["wrong-token"])).status_code == 404


def test_submit_refuses_missing_answers_and_then_the_page_is_read_only(cycle, world: World) -> None:  # type: ignore[no-untyped-def]
    teacher = Respondent.objects.get(cycle=cycle, kind=Kind.TEACHER, unit=world.school_a2, name="李老师")
    with clock.frozen(at("10:00")):
        client = slip_client(teacher)
        assert "班主任问卷" in client.get(reverse("questionnaires:start")).content.decode()
        page = client.post(reverse("questionnaires:submit", args=["head_teacher"]), follow=True).content.decode()
        assert "题需要完成" in page
        for i, (name, value) in enumerate([("sex", "2"), ("birth_date", "1985-03-02"), ("education", "5"), ("years", "15"),
                                           ("rank", "3"), ("class_size", "45"), ("home_visit", "2"), ("class_1", "3"),
                                           ("class_2", "3"), ("class_3", "4")], start=1):
            assert post_save(client, name, value, i, qcode="head_teacher").status_code == 200, name
        client.post(reverse("questionnaires:submit", args=["head_teacher"]))
        page = client.get(reverse("questionnaires:answer", args=["head_teacher"])).content.decode()
        assert "答案不能再修改" in page and "disabled" in page and "提交问卷" not in page
        assert post_save(client, "sex", "1", 20, qcode="head_teacher").status_code == 409


def test_a_principal_answers_with_the_account(cycle, world: World) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_user("pr", "principal", world.school_a2))
    with clock.frozen(at("09:10")):
        page = client.get(reverse("questionnaires:start")).content.decode()
        assert "校长问卷" in page and "学生相关因素问卷" not in page
        assert post_save(client, "sex", "1", 1, qcode="principal").status_code == 200
    assert Respondent.objects.get(kind=Kind.PRINCIPAL).unit == world.school_a2


def upload(client: Client, content: bytes, code: str = "principal"):  # type: ignore[no-untyped-def]
    f = io.BytesIO(content)
    f.name = "form.xlsx"
    return client.post(reverse("questionnaires:upload", args=[code]), {"file": f})


def test_the_centre_uploads_previews_and_publishes(world: World) -> None:
    cycle = q_cycle(world, publish=False)
    client = Client()
    client.force_login(make_user("centre", "centre_admin", world.centre))
    assert "校长问卷" in client.get(reverse("questionnaires:home")).content.decode()
    assert upload(client, example_xlsx("principal", "校长问卷", ["principal"])).status_code == 302
    q = Questionnaire.objects.get(cycle=cycle, code="principal")
    assert q.versions.count() == 1 and q.published() is None
    page = client.get(reverse("questionnaires:preview", args=["principal", 1])).content.decode()
    assert "示例问卷" in page and "您的出生日期" in page
    client.post(reverse("questionnaires:publish", args=["principal", 1]))
    assert q.published() is not None
    wb = load_workbook(io.BytesIO(example_xlsx("principal", "校长问卷", ["principal"])))
    wb["survey"].append(["geopoint", "where", "学校位置"])
    buf = io.BytesIO()
    wb.save(buf)
    refused = upload(client, buf.getvalue())
    body = refused.content.decode()
    assert refused.status_code == 400 and "survey" in body and "不支持定位题（geopoint）" in body
    assert f"<td>{wb['survey'].max_row}</td>" in body
    assert q.versions.count() == 1
    example = client.get(reverse("questionnaires:example", args=["principal"]))
    assert example.status_code == 200 and example["Cache-Control"].startswith("no-store")


def test_only_the_cycle_manager_manages_questionnaires(world: World) -> None:
    q_cycle(world, publish=False)
    for role, unit in (("school_info", world.school_a1), ("county_admin", world.county_a)):
        client = Client()
        client.force_login(make_user(f"u-{role}", role, unit))
        assert client.get(reverse("questionnaires:home")).status_code == 403
        assert upload(client, example_xlsx("principal", "校长问卷", ["principal"])).status_code == 403
    # A city office reads the national cycle's questionnaires it implements, and changes nothing.
    client = Client()
    client.force_login(make_user("u-city", "city_admin", world.city))
    page = client.get(reverse("questionnaires:home"))
    assert page.status_code == 200
    assert "校长问卷" in page.content.decode() and 'type="file"' not in page.content.decode()
    assert upload(client, example_xlsx("principal", "校长问卷", ["principal"])).status_code == 403
    assert not Questionnaire.objects.get(code="principal").versions.exists()
    assert DAY  # the cycle's test day is the builders' one


def test_the_school_sees_slips_students_only_after_release_and_never_answers(world: World) -> None:
    cycle = q_cycle(world)
    school_with_people(cycle, world.school_a2)
    client = Client()
    client.force_login(make_user("info", "school_info", world.school_a2))
    url = reverse("questionnaires:slips", args=[world.school_a2.code])
    with clock.frozen(at("07:00")):  # before the release (07:30)
        client.post(reverse("questionnaires:issue", args=[world.school_a2.code]))
        page = client.get(url).content.decode()
        assert "王老师" in page and "数学教师问卷" in page and "班主任问卷" in page
        student = Respondent.objects.filter(kind=Kind.STUDENT).first()
        assert student is not None and student.name not in page and student.login not in page
    with clock.frozen(at("07:31")):
        page = client.get(url).content.decode()
        assert student.name in page and student.login in page and student.code in page
    foreign = reverse("questionnaires:slips", args=[world.school_b2.code])
    assert client.get(foreign).status_code == 404


def test_the_county_watches_progress_and_the_school_sees_who_has_not_submitted(cycle, world: World) -> None:  # type: ignore[no-untyped-def]
    me = students(cycle, world.school_a2)[0]
    with clock.frozen(at("14:05")):
        post_save(slip_client(me), "wish", "学生的秘密回答", 1)
        county = Client()
        county.force_login(make_user("ci", "county_info", world.county_a))
        page = county.get(reverse("questionnaires:progress", args=[world.county_a.code])).content.decode()
        assert world.school_a2.name in page and world.school_b2.name not in page
        assert "按问卷和填答对象" in page and "学生的秘密回答" not in page
        school = Client()
        school.force_login(make_user("si", "school_info", world.school_a2))
        page = school.get(reverse("questionnaires:progress", args=[world.school_a2.code])).content.decode()
        assert "尚未提交" in page and "王老师" in page and "学生的秘密回答" not in page
        assert school.get(reverse("questionnaires:progress", args=[world.school_b2.code])).status_code == 404
    with clock.frozen(at("07:00")):  # before the release: students by login number, never by name
        page = school.get(reverse("questionnaires:progress", args=[world.school_a2.code])).content.decode()
        assert me.name not in page and (me.login or "") in page


def test_a_save_from_another_respondents_page_is_refused(cycle, world: World) -> None:  # type: ignore[no-untyped-def]
    first, second = students(cycle, world.school_a2)[:2]
    with clock.frozen(at("14:05")):
        a = slip_client(first)
        a.get(reverse("questionnaires:answer", args=["student_q1"]))
        key_a = f"{Response.objects.get(respondent=first).pk}-"
        b = slip_client(second)
        data = {"client_id": str(uuid.uuid4()), "client_at": clock.now().isoformat(), "seq": 1, "name": "sex",
                "value": "1", "response": key_a + "0" * 12}
        refused = b.post(reverse("questionnaires:save", args=["student_q1"]), data, HTTP_X_JIANCE_QUEUE="1")
        assert refused.status_code == 409 and "另一位填答者" in refused.content.decode()
        assert not Answer.objects.filter(response__respondent=second).exists()


def test_a_save_takes_few_queries_and_renews_the_session_once_a_minute(cycle, world: World,  # type: ignore[no-untyped-def]
                                                                       django_assert_max_num_queries) -> None:
    from django.contrib.sessions.models import Session

    me = students(cycle, world.school_a2)[0]
    with clock.frozen(at("14:05")):
        client = slip_client(me)
        client.get(reverse("questionnaires:answer", args=["student_q1"]))  # opens the response

        def stored() -> str:
            return Session.objects.get(pk=client.session.session_key).session_data

        assert post_save(client, "sex", "1", 1).status_code == 200
        before = stored()
        # session, response locked with what the checks read, save logged, answer upserted, response's
        # sequence (+ the test transaction's savepoint and its release)
        with django_assert_max_num_queries(7):
            assert post_save(client, "climate_1", "2", 2).status_code == 200
        assert stored() == before  # not written back within the minute
    with clock.frozen(at("14:06")):
        assert post_save(client, "climate_2", "3", 3).status_code == 200
        assert stored() != before  # renewed: the idle timeout follows the saves
    assert dict(Answer.objects.filter(response__respondent=me).values_list("name", "value")) == {
        "sex": "1", "climate_1": "2", "climate_2": "3"}
