"""The progress pages (问卷调查进度管理系统): figures per questionnaire and respondent kind at every
level, practice apart, who has not submitted, the polled part's ETag/304, pages of 50, and a
constant number of queries as the schools grow."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiance import clock
from jiance.questionnaires.models import Kind, Questionnaire, Respondent, Response
from jiance.questionnaires.services.answering import answer_save, response_open
from jiance.questionnaires.services.respondents import respondent_for_account, slips_issue
from jiance.questionnaires.tally import merged, subtree, tally
from jiance.units.models import Level
from tests.factories import World, make_unit, make_user
from tests.questionnaires.builders import DAY, at, q_cycle, school_with_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(world: World):  # type: ignore[no-untyped-def]
    cycle = q_cycle(world)
    school_with_people(cycle, world.school_a2, students=3)
    school_with_people(cycle, world.school_b2, students=2, start=100)
    with clock.frozen(at("07:00")):
        slips_issue(cycle=cycle, school=world.school_a2, parents=True)
        slips_issue(cycle=cycle, school=world.school_b2)
    return cycle


def people(cycle, school, kind):  # type: ignore[no-untyped-def]
    return list(Respondent.objects.filter(cycle=cycle, unit=school, kind=kind).order_by("pk"))


def submit(respondent: Respondent, code: str, *, practice: bool = False) -> Response:
    q = Questionnaire.objects.get(cycle=respondent.cycle, code=code)
    response = response_open(respondent=respondent, questionnaire=q, practice=practice)
    Response.objects.filter(pk=response.pk).update(submitted_at=clock.now())
    return response


def start(respondent: Respondent, code: str) -> Response:
    q = Questionnaire.objects.get(cycle=respondent.cycle, code=code)
    response = response_open(respondent=respondent, questionnaire=q, practice=False)
    answer_save(response=response, name="sex", raw="1", seq=1, client_id=uuid.uuid4(), at=clock.now())
    return response


def logged_in(username: str, role: str, unit) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_user(username, role, unit))
    return client


def row_of(page: str, table: str, label: str) -> list[str]:
    """The cells after `label` in the row of `table` (by id) that holds it."""
    body = page.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        if label in cells:
            return cells[cells.index(label) + 1:]
    raise AssertionError(f"{label} not in {table}")


def test_figures_per_questionnaire_and_kind_with_practice_apart(cycle, world: World) -> None:  # type: ignore[no-untyped-def]
    a_students = people(cycle, world.school_a2, Kind.STUDENT)
    a_teachers = people(cycle, world.school_a2, Kind.TEACHER)
    with clock.frozen(at("10:00", DAY - dt.timedelta(days=1))):
        submit(a_students[2], "student_q1", practice=True)
        submit(a_teachers[0], "math_teacher", practice=True)
    with clock.frozen(at("14:05")):
        start(a_students[0], "student_q1")
        submit(a_students[1], "student_q1")
        submit(people(cycle, world.school_b2, Kind.STUDENT)[0], "student_q1")
        submit(a_teachers[1], "head_teacher")
    real = merged(tally(cycle=cycle, units=subtree(world.county_a), by="county").values())
    practice = merged(tally(cycle=cycle, units=subtree(world.county_a), by="county", practice=True).values())
    # 南昌县: 3 students; teachers 王 (math, chosen), 李 (head teacher), 赵 (math); one principal; 3 parent links
    assert real[("student_q1", Kind.STUDENT)].values() == (3, 1, 1, 1)
    assert real[("math_teacher", Kind.TEACHER)].values() == (2, 2, 0, 0)
    assert real[("head_teacher", Kind.TEACHER)].values() == (1, 0, 0, 1)
    assert real[("principal", Kind.PRINCIPAL)].values() == (1, 1, 0, 0)
    assert real[("parent", Kind.PARENT)].values() == (3, 3, 0, 0)
    assert practice[("student_q1", Kind.STUDENT)].values() == (3, 2, 0, 1)
    assert practice[("math_teacher", Kind.TEACHER)].values() == (2, 1, 0, 1)
    county = logged_in("ci", "county_info", world.county_a)
    with clock.frozen(at("14:10")):
        page = county.get(reverse("questionnaires:progress", args=[world.county_a.code])).content.decode()
        # the cells after the questionnaire's name: kind, invited, not started, started, submitted, percent
        assert row_of(page, "by-questionnaire", "学生相关因素问卷（一）") == ["学生", "3", "1", "1", "1", "33%"]
        assert row_of(page, "progress", world.school_a2.name)[:4] == ["10", "7", "1", "2"]
        assert world.school_b2.name not in page
        practice_page = county.get(reverse("questionnaires:practice_progress", args=[world.county_a.code]))
        text = practice_page.content.decode()
        assert row_of(text, "by-questionnaire", "学生相关因素问卷（一）") == ["学生", "3", "2", "0", "1", "33%"]
        assert row_of(text, "by-questionnaire", "数学教师问卷") == ["教师", "2", "1", "0", "1", "50%"]
        assert "id=\"waiting\"" not in text  # the list of who has not submitted is about real answers
        city = logged_in("city", "city_admin", world.city)
        page = city.get(reverse("questionnaires:progress", args=[world.city.code])).content.decode()
        # 南昌县 also invites its county information officer (the county managers' questionnaire)
        assert row_of(page, "parts", world.county_a.name)[:4] == ["11", "8", "1", "2"]
        assert row_of(page, "parts", world.county_b.name)[:4] == ["6", "5", "0", "1"]  # 2 students, 3 teachers, 1 principal
        assert row_of(page, "by-questionnaire", "学生相关因素问卷（一）") == ["学生", "5", "2", "1", "2", "40%"]


def test_county_managers_are_invited_by_account_and_listed_by_name(cycle, world: World) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("ca", "county_admin", world.county_a, full_name="张科长")
    make_user("ci", "county_info", world.county_a, full_name="刘老师")
    real = merged(tally(cycle=cycle, units=subtree(world.county_a), by="county").values())
    assert real[("county_manager", Kind.COUNTY_MANAGER)].values() == (2, 2, 0, 0)
    with clock.frozen(at("09:00", dt.date(2024, 5, 25))):
        submit(respondent_for_account(cycle=cycle, user=admin, kind=Kind.COUNTY_MANAGER, unit=world.county_a),
               "county_manager")
        county = Client()
        county.force_login(admin)
        cache.clear()  # an account's role is not a reported change: it shows within JIANCE_LIVE_TTL
        page = county.get(reverse("questionnaires:progress", args=[world.county_a.code])).content.decode()
    assert row_of(page, "by-questionnaire", "区县教育管理人员问卷") == ["区县教育管理人员", "2", "1", "0", "1", "50%"]
    waiting = page.split('id="waiting"', 1)[1]
    assert "刘老师" in waiting and "张科长" not in waiting


def test_who_has_not_submitted_by_name_and_students_by_login_until_the_release(cycle, world: World) -> None:  # type: ignore[no-untyped-def]
    make_user("principal", "principal", world.school_a2, full_name="陈校长")
    student, done = people(cycle, world.school_a2, Kind.STUDENT)[:2]
    with clock.frozen(at("14:05")):
        start(student, "student_q1")
        submit(done, "student_q1")
    school = logged_in("si", "school_info", world.school_a2)
    url = reverse("questionnaires:progress", args=[world.school_a2.code])
    with clock.frozen(at("07:00")):  # before the release: login numbers only
        page = school.get(url).content.decode()
        waiting = page.split('id="waiting"', 1)[1]
        assert (student.login or "") in waiting and student.name not in page
        assert "王老师" in waiting and "陈校长" in waiting and "校长问卷" in waiting
        assert (done.login or "") not in waiting  # submitted
        county = logged_in("ci", "county_info", world.county_a)
        cpage = county.get(reverse("questionnaires:progress", args=[world.county_a.code])).content.decode()
        assert "王老师" in cpage and student.name not in cpage and (student.login or "") in cpage
    with clock.frozen(at("14:10")):
        waiting = school.get(url).content.decode().split('id="waiting"', 1)[1]
        assert f"{student.login} · {student.name}" in waiting and "填答中" in waiting
        assert "家长" not in waiting.split("</table>", 1)[0]  # parents answer anonymously: counted, never listed
    assert school.get(reverse("questionnaires:progress", args=[world.school_b2.code])).status_code == 404
    assert school.get(reverse("questionnaires:progress", args=[world.county_a.code])).status_code == 404


def test_a_school_user_sees_counts_never_answers(cycle, world: World) -> None:  # type: ignore[no-untyped-def]
    student = people(cycle, world.school_a2, Kind.STUDENT)[0]
    q = Questionnaire.objects.get(cycle=cycle, code="student_q1")
    with clock.frozen(at("14:05")):
        response = response_open(respondent=student, questionnaire=q, practice=False)
        answer_save(response=response, name="wish", raw="学生的秘密回答", seq=1, client_id=uuid.uuid4(), at=clock.now())
        Response.objects.filter(pk=response.pk).update(submitted_at=clock.now())
        school = logged_in("si", "school_info", world.school_a2)
        for name in ("questionnaires:progress", "questionnaires:practice_progress", "questionnaires:progress_figures"):
            body = school.get(reverse(name, args=[world.school_a2.code])).content.decode()
            assert "学生的秘密回答" not in body


def test_the_polled_part_answers_304_until_a_figure_moves(cycle, world: World) -> None:  # type: ignore[no-untyped-def]
    county = logged_in("ci", "county_info", world.county_a)
    url = reverse("questionnaires:progress_figures", args=[world.county_a.code])
    with clock.frozen(at("14:05")):
        first = county.get(url, HTTP_HX_REQUEST="true")
        assert first.status_code == 200 and "no-cache" in first["Cache-Control"]
        etag = first["ETag"]
        same = county.get(url, HTTP_IF_NONE_MATCH=etag, HTTP_HX_REQUEST="true")
        assert same.status_code == 304 and same["ETag"] == etag
        submit(people(cycle, world.school_a2, Kind.STUDENT)[0], "student_q1")
        moved = county.get(url, HTTP_IF_NONE_MATCH=etag, HTTP_HX_REQUEST="true")
        assert moved.status_code == 200 and moved["ETag"] != etag
        assert 'id="progress-figures"' in moved.content.decode()
        practice = county.get(reverse("questionnaires:practice_progress_figures", args=[world.county_a.code]),
                              HTTP_IF_NONE_MATCH=moved["ETag"])
        assert practice.status_code == 200  # the practice part never shares the real part's ETag
    Client().get(url)  # anonymous: to the login form, not an error
    anonymous = Client().get(url, HTTP_HX_REQUEST="true")
    assert anonymous.status_code == 204 and "?next=/questionnaires/progress/" in anonymous["HX-Redirect"]


def test_schools_fifty_to_a_page_and_constant_queries_as_schools_grow(cycle, world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    centre = logged_in("centre", "centre_admin", world.centre)
    county = logged_in("ci", "county_info", world.county_a)

    def grow(n: int, base: int) -> None:
        for i in range(n):
            school = make_unit(f"36012190{base + i:02d}", f"南昌县测试中学{base + i}", Level.SCHOOL, world.county_a)
            school_with_people(cycle, school, students=2, start=1000 + 10 * (base + i))
            with clock.frozen(at("07:00")):
                slips_issue(cycle=cycle, school=school)

    def count(client: Client, name: str, code: str, **query: str) -> int:
        cache.clear()  # the computation's queries, not a copy shared by an earlier request
        with clock.frozen(at("14:05")), CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name, args=[code]), query).status_code == 200
        return len(queries)

    pages = [(centre, "questionnaires:progress", world.centre.code), (centre, "questionnaires:practice_progress",
             world.province.code), (county, "questionnaires:progress", world.county_a.code),
             (county, "questionnaires:progress_figures", world.county_a.code)]
    grow(1, 0)
    before = [count(*p) for p in pages]
    grow(3, 10)
    assert [count(*p) for p in pages] == before
    monkeypatch.setattr("jiance.questionnaires.progress_views.PAGE_SIZE", 2)
    with clock.frozen(at("14:05")):
        page = county.get(reverse("questionnaires:progress", args=[world.county_a.code]), {"page": 3}).content.decode()
    assert "3/3" in page and 'rel="prev"' in page  # 5 schools of 南昌县, 2 to a page
    schools = page.split('id="progress"', 1)[1].split("</table>", 1)[0]
    assert schools.count("<tr><td>") == 1 and "南昌县测试中学12" in schools


def test_polls_share_the_areas_figures_until_a_reported_change(cycle, world: World) -> None:  # type: ignore[no-untyped-def]
    from jiance.apps_registry import progress_changed

    county = logged_in("ci", "county_info", world.county_a)
    other = logged_in("ci2", "county_info", world.county_a)
    url = reverse("questionnaires:progress_figures", args=[world.county_a.code])
    done = people(cycle, world.school_a2, Kind.STUDENT)[0]

    def poll(client: Client) -> tuple[int, str]:
        with clock.frozen(at("14:05")), CaptureQueriesContext(connection) as queries:
            reply = client.get(url, HTTP_HX_REQUEST="true")
        assert reply.status_code == 200
        return len(queries), reply.content.decode()

    cold, first = poll(county)
    warm, again = poll(other)  # another viewer of the same area: the figures come from the cache
    assert again == first and warm <= cold - 4  # at least the area's four GROUP BY queries saved
    with clock.frozen(at("14:05")):
        submit(done, "student_q1")  # (the test's transaction never commits: report the change by hand)
    progress_changed()
    recomputed, after = poll(county)
    assert recomputed == cold and after != first
