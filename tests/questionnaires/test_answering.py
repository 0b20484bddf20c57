"""Saving answers (idempotent, newest sequence wins), windows decided by the server's clock,
practice kept apart, the role chosen in the roster, submission."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from jiance import clock
from jiance.questionnaires.models import (
    Answer,
    AnswerSave,
    Kind,
    Questionnaire,
    QuestionnaireError,
    Respondent,
    Response,
)
from jiance.questionnaires.selectors import codes_for
from jiance.questionnaires.services.answering import (
    answer_save,
    response_open,
    response_submit,
    window_state,
)
from jiance.questionnaires.services.respondents import (
    respondent_by_slip,
    respondent_for_account,
    slips_issue,
)
from tests.factories import World, make_user
from tests.questionnaires.builders import DAY, at, q_cycle, school_with_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world: World):  # type: ignore[no-untyped-def]
    cycle = q_cycle(world)
    school_with_people(cycle, world.school_a2)
    with clock.frozen(at("07:00")):
        slips_issue(cycle=cycle, school=world.school_a2, parents=True)
    return cycle


def student(cycle) -> Respondent:  # type: ignore[no-untyped-def]
    return Respondent.objects.filter(cycle=cycle, kind=Kind.STUDENT).order_by("pk").first()  # type: ignore[return-value]


def q(cycle, code: str) -> Questionnaire:  # type: ignore[no-untyped-def]
    return Questionnaire.objects.get(cycle=cycle, code=code)


def save(response: Response, name: str, raw: object, seq: int, cid: uuid.UUID | None = None):  # type: ignore[no-untyped-def]
    return answer_save(response=response, name=name, raw=raw, seq=seq, client_id=cid or uuid.uuid4(), at=clock.now())


def test_a_repeated_save_changes_nothing_and_the_newest_sequence_wins(setup) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(at("14:05")):
        response = response_open(respondent=student(setup), questionnaire=q(setup, "student_q1"), practice=False)
        cid = uuid.uuid4()
        first = save(response, "sex", "1", 1, cid)
        again = save(response, "sex", "1", 1, cid)
        assert not first.repeated and again.repeated
        assert AnswerSave.objects.filter(response=response).count() == 1
        # saves arriving out of order: 3 then 2 — the answer given last (seq 3) stays
        save(response, "sex", "2", 3)
        late = save(response, "sex", "1", 2)
        assert late.applied is False
        assert Answer.objects.get(response=response, name="sex").value == "2"
        response.refresh_from_db()
        assert response.last_seq == 3
        # a repeat of the late save, after everything: still nothing changes
        assert save(response, "sex", "1", 2, AnswerSave.objects.get(seq=2).client_id).repeated
        assert Answer.objects.get(response=response, name="sex").value == "2"


def test_a_save_is_checked_on_the_server(setup) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(at("14:05")):
        response = response_open(respondent=student(setup), questionnaire=q(setup, "student_q1"), practice=False)
        with pytest.raises(QuestionnaireError, match="请填写 8 到 18"):
            save(response, "age", "30", 1)
        with pytest.raises(QuestionnaireError, match="请填写整数"):
            save(response, "age", "1a", 2)
        with pytest.raises(QuestionnaireError, match="不在本题的选项中"):
            save(response, "sex", "7", 3)
        with pytest.raises(QuestionnaireError, match="没有题目"):
            save(response, "nope", "1", 4)
        with pytest.raises(QuestionnaireError, match="“以上都没有”"):
            save(response, "activities", ["1", "9"], 5)
        assert not Answer.objects.filter(response=response).exists()


def test_the_window_is_decided_by_the_servers_clock(setup) -> None:  # type: ignore[no-untyped-def]
    s, q1 = student(setup), q(setup, "student_q1")
    with clock.frozen(at("13:59")):
        assert window_state(s, q1) == "before"
        with pytest.raises(QuestionnaireError, match="填答时间尚未开始（05月22日 14:00至05月22日 14:29）"):
            response_open(respondent=s, questionnaire=q1, practice=False)
    with clock.frozen(at("14:00")):
        response = response_open(respondent=s, questionnaire=q1, practice=False)
        save(response, "sex", "1", 1)
    with clock.frozen(at("14:30")):  # the time limit ends the window: saves and submission refused
        assert window_state(s, q1) == "closed"
        with pytest.raises(QuestionnaireError, match="填答时间已结束"):
            save(response, "sex", "2", 2)
        with pytest.raises(QuestionnaireError, match="填答时间已结束"):
            response_submit(response=response)
    assert Answer.objects.get(response=response, name="sex").value == "1"


def test_a_repeat_is_acknowledged_after_the_window_and_an_id_from_another_page_is_refused(setup) -> None:  # type: ignore[no-untyped-def]
    first, second = Respondent.objects.filter(cycle=setup, kind=Kind.STUDENT).order_by("pk")[:2]
    q1 = q(setup, "student_q1")
    cid = uuid.uuid4()
    with clock.frozen(at("14:05")):
        mine = response_open(respondent=first, questionnaire=q1, practice=False)
        theirs = response_open(respondent=second, questionnaire=q1, practice=False)
        assert not save(mine, "sex", "1", 1, cid).repeated
        save(mine, "age", "12", 2)
        cleared = save(mine, "age", "", 3)  # an answer taken back: stored empty, newest wins as any other
        assert cleared.applied and Answer.objects.get(response=mine, name="age").value is None
        with pytest.raises(QuestionnaireError, match="保存编号冲突"):  # the same client id on another's page
            save(theirs, "sex", "2", 1, cid)
        assert not Answer.objects.filter(response=theirs).exists()
    with clock.frozen(at("14:40")):  # the window closed: the lost reply's save is acknowledged again
        again = save(mine, "sex", "1", 1, cid)
        assert again.repeated and again.applied
        with pytest.raises(QuestionnaireError, match="填答时间已结束"):
            save(mine, "sex", "2", 4)
    log = dict(AnswerSave.objects.filter(response=mine).values_list("seq", "applied"))
    assert log == {1: True, 2: True, 3: True}


def test_an_out_of_order_save_is_logged_as_not_applied(setup) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(at("14:05")):
        response = response_open(respondent=student(setup), questionnaire=q(setup, "student_q1"), practice=False)
        save(response, "climate_1", "4", 5)
        assert save(response, "climate_1", "1", 4).applied is False
        assert save(response, "climate_1", "2", 5).applied is False  # the same sequence does not win either
        assert save(response, "climate_1", "3", 6).applied is True
    assert Answer.objects.get(response=response, name="climate_1").value == "3"
    assert list(AnswerSave.objects.filter(response=response).order_by("pk").values_list("seq", "applied")) == [
        (5, True), (4, False), (5, False), (6, True)]
    response.refresh_from_db()
    assert response.last_seq == 6


def test_the_compiled_version_is_read_once_per_process(setup, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    from jiance.questionnaires.compiled import compiled

    version = q(setup, "student_q1").published()
    assert version is not None
    first = compiled(version.pk, version.sha256)
    with django_assert_num_queries(0):
        again = compiled(version.pk, version.sha256)
    assert again is first and "sex" in first.questions and first.form == version.form
    with pytest.raises(type(version).DoesNotExist):  # another hash under the same id is never taken for it
        compiled(version.pk, "0" * 64)


def test_staff_answer_from_the_session_start_until_the_end_of_the_day(setup, world: World) -> None:  # type: ignore[no-untyped-def]
    principal = respondent_for_account(cycle=setup, user=make_user("pr", "principal", world.school_a2),
                                       kind=Kind.PRINCIPAL, unit=world.school_a2)
    pq = q(setup, "principal")
    assert window_state(principal, pq, at("08:59")) == "before"
    assert window_state(principal, pq, at("09:00")) == "open"
    assert window_state(principal, pq, at("23:59")) == "open"
    assert window_state(principal, pq, at("00:00", DAY + dt.timedelta(days=1))) == "closed"
    manager = respondent_for_account(cycle=setup, user=make_user("cm", "county_admin", world.county_a),
                                     kind=Kind.COUNTY_MANAGER, unit=world.county_a)
    cq = q(setup, "county_manager")
    assert window_state(manager, cq, at("23:59", dt.date(2024, 5, 23))) == "before"
    assert window_state(manager, cq, at("00:00", dt.date(2024, 5, 24))) == "open"
    assert window_state(manager, cq, at("23:59", dt.date(2024, 5, 31))) == "open"
    assert window_state(manager, cq, at("00:00", dt.date(2024, 6, 1))) == "closed"


def test_practice_is_kept_apart_and_open_before_the_window(setup) -> None:  # type: ignore[no-untyped-def]
    s, q1 = student(setup), q(setup, "student_q1")
    with clock.frozen(at("10:00", DAY - dt.timedelta(days=2))):
        practice = response_open(respondent=s, questionnaire=q1, practice=True)
        save(practice, "sex", "2", 1)
    with clock.frozen(at("14:01")):
        real = response_open(respondent=s, questionnaire=q1, practice=False)
        assert real.pk != practice.pk and real.practice is False
        assert not Answer.objects.filter(response=real).exists()  # nothing carried over from practice
        save(real, "sex", "1", 1)
    assert Answer.objects.get(response=practice, name="sex").value == "2"
    assert Answer.objects.get(response=real, name="sex").value == "1"


def test_a_teacher_answers_the_questionnaire_of_the_role_chosen_in_the_roster(setup) -> None:  # type: ignore[no-untyped-def]
    by_name = {r.name: r for r in Respondent.objects.filter(cycle=setup, kind=Kind.TEACHER)}
    assert codes_for(by_name["王老师"]) == ["math_teacher"]  # head teacher and math: chose math
    assert codes_for(by_name["李老师"]) == ["head_teacher"]
    assert codes_for(by_name["赵老师"]) == ["math_teacher"]
    assert codes_for(student(setup)) == ["student_q1"]


def test_slips_sign_in_with_login_and_code_only(setup) -> None:  # type: ignore[no-untyped-def]
    s = student(setup)
    assert respondent_by_slip(login=s.login or "", code=(s.code or "").lower()) == s
    with pytest.raises(QuestionnaireError, match="登录号或登录码不正确"):
        respondent_by_slip(login=s.login or "", code="WRONG1")
    with pytest.raises(QuestionnaireError, match="登录号或登录码不正确"):
        respondent_by_slip(login="0000", code=s.code)
    with clock.frozen(at("07:00")):
        assert slips_issue(cycle=setup, school=setup and s.unit, parents=True) == 0  # issued once


def test_submission_checks_required_and_then_is_read_only(setup) -> None:  # type: ignore[no-untyped-def]
    parent = Respondent.objects.filter(cycle=setup, kind=Kind.PARENT).first()
    assert parent is not None
    with clock.frozen(at("20:00", dt.date(2024, 5, 25))):
        response = response_open(respondent=parent, questionnaire=q(setup, "parent"), practice=False)
        save(response, "relation", "1", 1)
        with pytest.raises(QuestionnaireError, match=r"还有 .* 题需要完成"):
            response_submit(response=response)
        for i, (name, value) in enumerate([("education", "5"), ("reading", "2"), ("tutoring", "2"), ("home_1", "4"),
                                           ("home_2", "3"), ("home_3", "3")], start=2):
            save(response, name, value, i)
        response_submit(response=response)
        with pytest.raises(QuestionnaireError, match="已提交"):
            save(response, "education", "1", 20)
    response.refresh_from_db()
    assert response.submitted_at is not None


def test_five_wrong_codes_lock_the_slip_for_half_an_hour(setup) -> None:  # type: ignore[no-untyped-def]
    s = student(setup)
    with clock.frozen(at("14:00")):
        for _ in range(5):
            with pytest.raises(QuestionnaireError, match="不正确"):
                respondent_by_slip(login=s.login or "", code="WRONG1")
        with pytest.raises(QuestionnaireError, match="暂时锁定"):
            respondent_by_slip(login=s.login or "", code=s.code)
    with clock.frozen(at("14:31")):
        assert respondent_by_slip(login=s.login or "", code=s.code) == s


def test_on_postgresql_a_saves_statements_are_prepared_and_the_connection_given_back_as_it_was(setup) -> None:  # type: ignore[no-untyped-def]
    """The save path binds on the server and keeps its plans (`jiance.saving.prepared_statements`);
    outside it the connection is Django's again: client-side binding, nothing prepared."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    with clock.frozen(at("14:05")):
        response = response_open(respondent=student(setup), questionnaire=q(setup, "student_q1"), practice=False)
        for seq in range(1, 5):
            save(response, "sex", str(1 + seq % 2), seq)
    assert Answer.objects.get(response=response, name="sex").value == "1"  # seq 4: the newest wins as before
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("FOR UPDATE" in s and "questionnaires_response" in s for s in prepared), prepared  # the lock
    assert any(s.startswith("WITH logged AS") for s in prepared), prepared  # the save's one statement
    from django.db.backends.postgresql.base import Cursor  # Django's client-side binding cursor

    raw = connection.connection
    assert raw.prepare_threshold is None and raw.cursor_factory is Cursor
    assert not connection.features.uses_server_side_binding
