from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiance import clock
from jiance.questionnaires.models import Kind, Questionnaire, Respondent
from jiance.questionnaires.progress import COLUMNS, school_progress
from jiance.questionnaires.services.answering import answer_save, response_open, response_submit
from jiance.questionnaires.services.respondents import slips_issue
from tests.factories import World
from tests.questionnaires.builders import DAY, at, q_cycle, school_with_people

pytestmark = pytest.mark.django_db


def test_counts_per_school_and_a_constant_number_of_queries(world: World) -> None:
    cycle = q_cycle(world)
    school_with_people(cycle, world.school_a2, students=4)
    school_with_people(cycle, world.school_b2, students=2, start=100)
    with clock.frozen(at("07:00")):
        slips_issue(cycle=cycle, school=world.school_a2, parents=True)
        slips_issue(cycle=cycle, school=world.school_b2)
    q1 = Questionnaire.objects.get(cycle=cycle, code="student_q1")
    students = list(Respondent.objects.filter(unit=world.school_a2, kind=Kind.STUDENT).order_by("pk"))
    with clock.frozen(at("10:00", DAY - dt.timedelta(days=1))):
        practice = response_open(respondent=students[3], questionnaire=q1, practice=True)
    with clock.frozen(at("14:05")):
        started = response_open(respondent=students[0], questionnaire=q1, practice=False)
        answer_save(response=started, name="sex", raw="1", seq=1, client_id=uuid.uuid4(), at=clock.now())
        response_open(respondent=students[1], questionnaire=q1, practice=False)
    from jiance.questionnaires.models import Response

    Response.objects.filter(pk=practice.pk).update(submitted_at=clock.now())
    done = Response.objects.get(respondent=students[1], practice=False)
    Response.objects.filter(pk=done.pk).update(submitted_at=at("14:20"))
    assert response_submit  # submission itself is tested in test_answering
    with CaptureQueriesContext(connection) as few:
        two = school_progress(cycle=cycle, school_ids=[world.school_a2.pk, world.school_b2.pk], day=DAY)
    with CaptureQueriesContext(connection) as more:
        school_progress(cycle=cycle, school_ids=[s.pk for s in (world.school_a1, world.school_a2, world.school_b1,
                                                                 world.school_b2)], day=DAY)
    assert len(few) == len(more) <= 3
    a2 = two[world.school_a2.pk]
    # day 1: 4 students (q1) + 3 teachers + the principal; parents answer on other days
    assert a2 == {"questionnaires_invited": 8, "questionnaires_started": 1, "questionnaires_submitted": 1,
                  "questionnaires_not_started": 6, "questionnaires_practice": 1}
    assert two[world.school_b2.pk]["questionnaires_invited"] == 6
    assert set(a2) == {k for k, _ in COLUMNS}
    parents_day = school_progress(cycle=cycle, school_ids=[world.school_a2.pk], day=dt.date(2024, 5, 25))
    assert parents_day[world.school_a2.pk]["questionnaires_invited"] == 4  # one link per student
    assert school_progress(cycle=cycle, school_ids=[world.school_a1.pk], day=DAY) == {
        world.school_a1.pk: {"questionnaires_invited": 1, "questionnaires_started": 0, "questionnaires_submitted": 0,
                             "questionnaires_not_started": 1, "questionnaires_practice": 0}}
