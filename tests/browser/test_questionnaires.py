"""Online questionnaires in Chromium: the page's expression evaluator over the same table as the
server's; a student answering on a phone, offline for several answers, reloading offline, every
answer arriving; a teacher with two roles; a parent through the link."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jiance import clock
from jiance.questionnaires.models import Answer, Kind, Respondent, Response
from jiance.questionnaires.services.respondents import slips_issue
from tests.browser.conftest import screenshot
from tests.core.questionnaire_expr_table import TABLE
from tests.factories import World
from tests.questionnaires.builders import q_cycle, school_with_people

XLSEXPR = Path(__file__).resolve().parents[2] / "jiance" / "questionnaires" / "static" / "questionnaires" / "xlsexpr.js"


@pytest.mark.browser
def test_the_page_evaluates_the_table_like_the_server(page: Any) -> None:
    page.set_content("<!doctype html><title>xlsexpr</title>")
    page.add_script_tag(path=str(XLSEXPR))
    rows = [[text, answers, current] for text, answers, current, _ in TABLE]
    results = page.evaluate(
        "rows => rows.map(([t, a, c]) => { const v = XlsExpr.evaluate(XlsExpr.parse(t), a, c); return [typeof v, v]; })",
        rows,
    )
    for (text, _a, _c, expected), (kind, value) in zip(TABLE, results, strict=True):
        if isinstance(expected, bool):
            assert kind == "boolean" and value is expected, text
        else:
            assert kind == "number" and math.isclose(value, float(expected)), text
    refused = page.evaluate("t => { try { XlsExpr.parse(t); return ''; } catch (e) { return e.message; } }", "today() > 1")
    assert refused


@pytest.fixture
def ten_oclock(request: pytest.FixtureRequest) -> Iterator[dt.datetime]:
    """10:00 today on the server's clock and on the test's browser pages (the browser's clock stamps
    queued saves, and the server refuses a stamp more than 5 minutes ahead of its own): the student
    session `_cycle_now` makes (09:00-11:00) is open whatever the hour the suite runs. On the real
    clock the session was cut at 23:59 and the day changed at midnight."""
    moment = timezone.make_aware(dt.datetime.combine(clock.today(), dt.time(10, 0)))
    for name in ("page", "phone_page"):
        if name in request.fixturenames:
            request.getfixturevalue(name).clock.set_fixed_time(moment)
    with clock.frozen(moment):
        yield moment


def _cycle_now(world: World):  # type: ignore[no-untyped-def]
    """A cycle whose student session is open now (the browser's clock stamps queued saves)."""
    now = timezone.localtime(clock.now())
    start = max(now - dt.timedelta(hours=1), now.replace(hour=0, minute=0))
    end = min(now + dt.timedelta(hours=1), now.replace(hour=23, minute=59))
    cycle = q_cycle(world, day=now.date(), student_span=(f"{start:%H:%M}", f"{end:%H:%M}"), staff_start=f"{start:%H:%M}",
                    county_window={"start": (now.date() - dt.timedelta(days=1)).isoformat(),
                                   "end": (now.date() + dt.timedelta(days=1)).isoformat()})
    school_with_people(cycle, world.school_a2)
    slips_issue(cycle=cycle, school=world.school_a2, parents=True)
    return cycle


def _slip_login(page: Any, live_server: Any, r: Respondent) -> None:
    page.goto(f"{live_server.url}/questionnaires/answer/")
    page.fill("input[name=login]", r.login)
    page.fill("input[name=code]", r.code)
    with page.expect_navigation():
        page.click("form.r-form button")


def _answers(r: Respondent) -> dict[str, Any]:
    return dict(Answer.objects.filter(response__respondent=r, response__practice=False).values_list("name", "value"))


def _a_save(response: Any) -> bool:
    return response.request.method == "POST" and response.url.endswith("/save/") and response.ok


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("ten_oclock")
def test_a_student_answers_on_a_phone_through_a_network_loss(phone_page: Any, live_server: Any) -> None:
    world = World()
    cycle = _cycle_now(world)
    student = Respondent.objects.filter(cycle=cycle, kind=Kind.STUDENT).order_by("pk").first()
    assert student is not None
    page = phone_page
    _slip_login(page, live_server, student)
    screenshot(page, "questionnaires-start-phone")
    with page.expect_navigation():
        page.click("text=开始填答")
    status = page.locator("[data-answer-status]")
    page.click("#q-sex input[value='2']")
    page.fill("#q-age input", "13")
    page.locator("#q-age input").blur()
    status.get_by_text("所有答案已保存").wait_for()
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=15000)
    assert _answers(student) == {"sex": "2", "age": 13}
    page.fill("#q-age input", "30")
    page.locator("#q-age input").blur()
    page.get_by_text("请填写 8 到 18 之间的整数").wait_for()
    page.fill("#q-age input", "14")
    page.locator("#q-age input").blur()
    assert page.locator("#q-boarding_days").is_hidden()
    page.wait_for_function("() => document.querySelector('[data-answer-status]').textContent === '所有答案已保存'")
    screenshot(page, "questionnaires-answer-phone")

    page.context.set_offline(True)
    page.click("#q-boarding input[value='1']")
    page.locator("#q-boarding_days").wait_for(state="visible")  # skip logic in the page
    page.fill("#q-boarding_days input", "5")
    page.locator("#q-boarding_days input").blur()
    page.click("#q-live_with input[value='1']")
    page.click("#q-climate_1 input[value='3']")  # the Likert grid: one statement per screen on a phone
    page.locator("#q-climate_2").wait_for(state="visible")
    assert page.locator("#q-climate_1").is_hidden()
    # each answer is queued (IndexedDB, asynchronous) and counted after it: "3 条" may show first
    expect(status).to_have_text(re.compile(r"^4 条答案待发送"))  # boarding, days, live_with, climate_1
    screenshot(page, "questionnaires-offline-phone")
    page.reload()  # offline: the service worker shows the kept page, the queue is still in IndexedDB
    page.locator("#q-boarding_days").wait_for(state="visible")
    expect(page.locator("#q-boarding_days input")).to_have_value("5")  # restored from the queue by answer.js
    status.get_by_text("4 条答案待发送").wait_for()
    assert _answers(student) == {"sex": "2", "age": 14}  # nothing of the offline part reached the server yet

    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    status.get_by_text("所有答案已保存").wait_for(timeout=20000)
    assert _answers(student) == {"sex": "2", "age": 14, "boarding": "1", "boarding_days": 5, "live_with": "1",
                                 "climate_1": "3"}
    response = Response.objects.get(respondent=student, practice=False)
    assert response.last_seq == 7 and response.saves.count() == 7  # age 30 was refused in the page, never sent


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("ten_oclock")
def test_a_teacher_with_two_roles_gets_the_chosen_questionnaire_and_the_grid_is_a_matrix(page: Any, live_server: Any) -> None:
    world = World()
    cycle = _cycle_now(world)
    teacher = Respondent.objects.get(cycle=cycle, kind=Kind.TEACHER, name="王老师")  # head teacher + math, chose math
    _slip_login(page, live_server, teacher)
    offers = page.locator(".r-offer-name").all_inner_texts()
    assert offers == ["数学教师问卷"]
    with page.expect_navigation():
        page.click("text=开始填答")
    assert page.locator("table.r-matrix thead").is_visible()  # wide screen: the matrix
    with page.expect_response(_a_save):  # the status reads "all saved" before the first answer too
        page.click("#q-teach_1 input[value='3']")
    page.locator("[data-answer-status]").get_by_text("所有答案已保存").wait_for()
    screenshot(page, "questionnaires-teacher-desktop")
    assert _answers(teacher) == {"teach_1": "3"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("ten_oclock")
def test_a_parent_answers_through_the_link(phone_page: Any, live_server: Any) -> None:
    world = World()
    cycle = _cycle_now(world)
    parent = Respondent.objects.filter(cycle=cycle, kind=Kind.PARENT).first()
    assert parent is not None
    page = phone_page
    page.goto(f"{live_server.url}/questionnaires/p/{parent.token}/")
    page.get_by_text("家长问卷（示例）").first.wait_for()
    for q, choice in [("relation", "1"), ("education", "5"), ("reading", "2"), ("tutoring", "2")]:
        page.click(f"#q-{q} input[value='{choice}']")
    for i in range(1, 4):
        page.click(f"#q-home_{i} input[value='3']")
        if i < 3:  # on a phone the grid shows the next statement 250 ms after an answer (answer.js)
            expect(page.locator(f"#q-home_{i + 1}")).to_be_visible()
            expect(page.locator(f"#q-home_{i}")).to_be_hidden()
    page.locator("[data-answer-status]").get_by_text("所有答案已保存").wait_for()
    with page.expect_navigation():
        page.click("text=提交问卷")
    page.get_by_text("答案不能再修改").wait_for()
    screenshot(page, "questionnaires-parent-submitted-phone")
    page.goto(f"{live_server.url}/questionnaires/p/{parent.token}/")
    page.get_by_text("链接已失效").wait_for()
    assert Response.objects.get(respondent=parent).submitted_at is not None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("ten_oclock")
def test_the_centre_sees_a_refused_upload_and_the_school_its_slips(page: Any, live_server: Any, tmp_path: Path) -> None:
    import io

    from openpyxl import load_workbook

    from jiance.questionnaires.examples import example_xlsx
    from tests.browser.conftest import login
    from tests.factories import make_user

    world = World()
    cycle = _cycle_now(world)
    make_user("centre.q", "centre_admin", world.centre)
    make_user("school.q", "school_info", world.school_a2)
    login(page, live_server, "centre.q")
    page.goto(f"{live_server.url}/questionnaires/")
    page.get_by_text("下载示例 XLSForm").first.wait_for()
    screenshot(page, "questionnaires-centre-home")
    wb = load_workbook(io.BytesIO(example_xlsx("principal", "校长问卷", ["principal"])))
    wb["survey"].append(["begin_repeat", "kids", "子女"])
    wb["survey"].append(["text", "kid_name", "子女姓名", None, None, None, None, None, "x"])
    buf = io.BytesIO()
    wb.save(buf)
    bad = tmp_path / "校长问卷-有误.xlsx"
    bad.write_bytes(buf.getvalue())
    row = page.locator("tr", has_text="校长问卷").first
    row.locator("input[type=file]").set_input_files(str(bad))
    with page.expect_navigation():
        row.get_by_role("button", name="上传").click()
    page.get_by_text("不支持重复组（begin_repeat）").wait_for()
    screenshot(page, "questionnaires-upload-refused")
    assert cycle.code
    page.context.clear_cookies()
    login(page, live_server, "school.q")
    page.goto(f"{live_server.url}/questionnaires/slips/{world.school_a2.code}/")
    page.get_by_text("王老师").wait_for()
    screenshot(page, "questionnaires-slips")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("ten_oclock")
def test_the_county_watches_progress_without_reloading(page: Any, phone_page: Any, live_server: Any,
                                                        settings: Any) -> None:
    """The county's progress page polls its figures part: a student answering on a phone and a
    teacher submitting show up in the same document, without a reload; practice stays apart."""
    from jiance.apps_registry import progress_changed
    from jiance.questionnaires.models import Questionnaire
    from jiance.questionnaires.services.answering import response_open
    from tests.browser.conftest import login
    from tests.factories import make_user

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.JIANCE_LIVE_POLL_SECONDS = 0.3
    world = World()
    cycle = _cycle_now(world)
    make_user("county.q", "county_info", world.county_a)
    login(page, live_server, "county.q")
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if "/progress/" in r.url and "/figures/" in r.url else None)
    page.goto(f"{live_server.url}/questionnaires/progress/{world.county_a.code}/")
    student_row = page.locator("#by-questionnaire tr", has_text="学生相关因素问卷")
    assert student_row.locator("td[data-key=invited]").inner_text() == "3"
    assert page.locator("#total-started").inner_text() == "0"
    page.evaluate("window.__sameDocument = true")
    for _ in range(2):  # polls revalidate: nothing changed yet
        with page.expect_response(lambda r: "/figures/" in r.url):
            pass
    assert len(statuses) >= 2 and set(statuses) <= {200, 304}  # 304 itself: tests/questionnaires/test_progress_pages

    student = Respondent.objects.filter(cycle=cycle, kind=Kind.STUDENT).order_by("pk").first()
    assert student is not None
    _slip_login(phone_page, live_server, student)
    with phone_page.expect_navigation():
        phone_page.click("text=开始填答")
    phone_page.click("#q-sex input[value='1']")
    phone_page.locator("[data-answer-status]").get_by_text("所有答案已保存").wait_for()
    page.wait_for_function("() => document.querySelector('#by-questionnaire tr:nth-child(1) td[data-key=started]')"
                           "?.textContent === '1'")
    assert student_row.locator("td[data-key=not_started]").inner_text() == "2"

    teacher = Respondent.objects.filter(cycle=cycle, kind=Kind.TEACHER, teacher_role="head_teacher").first()
    assert teacher is not None  # 李老师 submits the head teachers' questionnaire (on her own phone)
    q = Questionnaire.objects.get(cycle=cycle, code="head_teacher")
    done = response_open(respondent=teacher, questionnaire=q, practice=False)
    Response.objects.filter(pk=done.pk).update(submitted_at=clock.now())
    progress_changed()  # as `response_submit` reports it after commit: the shared figures are renewed
    head_row = page.locator("#by-questionnaire tr", has_text="班主任问卷")
    head_row.locator("td[data-key=submitted]", has_text="1").wait_for()
    page.locator("#total-submitted", has_text="1").wait_for()
    assert page.evaluate("window.__sameDocument") is True
    assert "李老师" not in page.locator("#waiting").inner_text() and "王老师" in page.locator("#waiting").inner_text()
    screenshot(page, "questionnaires-progress-county")
    # practice is its own page: the real figures above are not in it
    with page.expect_navigation():
        page.click("text=查看模拟练习进度")
    assert page.locator("#total-submitted").inner_text() == "0" and page.locator("#total-started").inner_text() == "0"
    screenshot(page, "questionnaires-practice-progress-county")
    # the school's own page on a phone: figures and who has not submitted, never an answer
    make_user("school.p", "school_info", world.school_a2)
    phone_page.context.clear_cookies()
    login(phone_page, live_server, "school.p")
    phone_page.goto(f"{live_server.url}/questionnaires/progress/{world.school_a2.code}/")
    assert "王老师" in phone_page.locator("#waiting").inner_text()
    screenshot(phone_page, "questionnaires-progress-school-phone")
    # the pages poll every 0.3 s: left before the database is emptied (SQLite's shared test database
    # refuses the flush while a poll reads it)
    page.goto("about:blank")
    phone_page.goto("about:blank")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("ten_oclock")
def test_the_answer_page_speaks_english_when_english_is_chosen(phone_page: Any, live_server: Any) -> None:
    """The answer page's own messages (answer.js) follow the language switch, like queue.js."""
    world = World()
    cycle = _cycle_now(world)
    student = Respondent.objects.filter(cycle=cycle, kind=Kind.STUDENT).order_by("pk").first()
    assert student is not None
    phone_page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    _slip_login(phone_page, live_server, student)
    phone_page.goto(f"{live_server.url}/questionnaires/answer/student_q1/")
    assert phone_page.evaluate("document.documentElement.lang") == "en"
    status = phone_page.locator("[data-answer-status]")
    with phone_page.expect_response(_a_save):  # committed before the network goes: else two wait
        phone_page.click("#q-sex input[value='1']")
    status.get_by_text("All answers saved").wait_for()
    phone_page.context.set_offline(True)
    phone_page.click("#q-sex input[value='2']")
    status.get_by_text("1 answer(s) waiting to be sent").wait_for()
    assert "条答案待发送" not in status.inner_text()
    screenshot(phone_page, "questionnaires-answer-phone-english")
    phone_page.context.set_offline(False)
