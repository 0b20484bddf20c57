"""The response a save locks (`jiance.questionnaires.services.locking`): the same rows the ORM
would read, nothing found where nothing matches, other fields loaded on access, and on
PostgreSQL a real row lock that another connection waits for."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, connections, transaction

from jiance import clock
from jiance.cycles.models import CycleStatus
from jiance.questionnaires.models import Kind, Questionnaire, Respondent, Response
from jiance.questionnaires.services.answering import response_open
from jiance.questionnaires.services.locking import response_locked, response_locked_for
from jiance.questionnaires.services.respondents import slips_issue
from tests.concurrency import POSTGRES_RACE
from tests.factories import World
from tests.questionnaires.builders import at, q_cycle, school_with_people


@pytest.fixture
def opened(world: World) -> Response:
    cycle = q_cycle(world)
    school_with_people(cycle, world.school_a2)
    with clock.frozen(at("07:00")):
        slips_issue(cycle=cycle, school=world.school_a2, parents=True)
    student = Respondent.objects.filter(cycle=cycle, kind=Kind.STUDENT).order_by("pk").first()
    assert student is not None
    with clock.frozen(at("14:05")):
        return response_open(respondent=student, questionnaire=Questionnaire.objects.get(cycle=cycle, code="student_q1"),
                             practice=False)


@pytest.mark.django_db
def test_the_locked_response_carries_what_the_checks_read(opened: Response) -> None:
    expected = Response.objects.select_related("respondent__cycle", "questionnaire", "version").get(pk=opened.pk)
    with transaction.atomic():
        by_id = response_locked(response_id=opened.pk)
        by_respondent = response_locked_for(respondent_id=opened.respondent_id, qcode="student_q1", practice=False)
    for locked in (by_id, by_respondent):
        assert locked is not None and locked.pk == opened.pk
        assert (locked.version_id, locked.practice, locked.submitted_at, locked.last_seq) == (
            expected.version_id, False, None, 0)
        assert locked.version.sha256 == expected.version.sha256
        assert (locked.questionnaire.code, locked.questionnaire.name, locked.questionnaire.cycle_id) == (
            "student_q1", expected.questionnaire.name, expected.questionnaire.cycle_id)
        r = locked.respondent
        assert (r.pk, r.kind, r.stage, r.teacher_role, r.cycle_id) == (
            expected.respondent.pk, Kind.STUDENT, expected.respondent.stage, expected.respondent.teacher_role,
            expected.respondent.cycle_id)
        assert r.cycle.config == expected.respondent.cycle.config  # the JSON decoded, as the ORM does
        assert r.cycle.status == CycleStatus.ACTIVE
        # a field not read is loaded when asked for, never a default standing in for it
        assert r.name == expected.respondent.name and r.unit_id == expected.respondent.unit_id
        assert locked.started_at == expected.started_at


@pytest.mark.django_db
def test_nothing_is_locked_where_nothing_matches(opened: Response) -> None:
    rid = opened.respondent_id
    with transaction.atomic():
        assert response_locked(response_id=opened.pk + 1000) is None
        assert response_locked_for(respondent_id=rid, qcode="principal", practice=False) is None  # not theirs
        assert response_locked_for(respondent_id=rid, qcode="student_q1", practice=True) is None  # not begun
        assert response_locked_for(respondent_id=rid + 1000, qcode="student_q1", practice=False) is None
    opened.respondent.cycle.__class__.objects.filter(pk=opened.respondent.cycle_id).update(status=CycleStatus.CLOSED)
    with transaction.atomic():
        assert response_locked_for(respondent_id=rid, qcode="student_q1", practice=False) is None  # cycle closed


@pytest.mark.parametrize("by", ["response", "respondent"])
@POSTGRES_RACE[0]
@POSTGRES_RACE[1]
@POSTGRES_RACE[2]
def test_on_postgresql_the_row_stays_locked_until_the_save_commits(opened: Response, by: str) -> None:
    held, release = threading.Event(), threading.Event()

    def save_holding_the_lock() -> None:
        try:
            with transaction.atomic():
                if by == "response":
                    assert response_locked(response_id=opened.pk) is not None
                else:
                    assert response_locked_for(respondent_id=opened.respondent_id, qcode="student_q1",
                                               practice=False) is not None
                held.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    saver = threading.Thread(target=save_holding_the_lock)
    saver.start()
    try:
        assert held.wait(timeout=30)
        with pytest.raises(DatabaseError, match="lock"), transaction.atomic():
            Response.objects.select_for_update(nowait=True).get(pk=opened.pk)  # e.g. a submission
        with transaction.atomic():  # the respondent's own row is not locked: only the response's
            Respondent.objects.select_for_update(nowait=True).get(pk=opened.respondent_id)
    finally:
        release.set()
        saver.join(timeout=30)
    with transaction.atomic():
        assert Response.objects.select_for_update(nowait=True).get(pk=opened.pk) == opened
