"""A county report in a real browser: a city office opens the reports page, the county's report
(with its questionnaire indicators), and downloads its PDF; screenshots in
artifacts/screenshots/report-*.png (the indicators' section alone: report-county-questionnaire.png),
the PDF's pages as report-pdf-*.png (pdftoppm)."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.analysis.synthetic import synthetic_scores_import
from tests.analysis.builders import (
    AFTER_TEST,
    add_student_answers,
    build,
    fill_schools,
    make_cycle,
    mark_absent,
)
from tests.browser.conftest import SCREENSHOTS, login, screenshot
from tests.printouts.pdftools import is_pdf, squash, text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def after_test_clock() -> Any:
    with clock.frozen(AFTER_TEST):
        yield


def test_city_office_opens_a_county_report_and_downloads_the_pdf(world: Any, settings: Any, page: Any,
                                                                 phone_page: Any, live_server: Any, tmp_path: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    built = build(world, make_cycle(min_students=30, min_schools=2))
    fill_schools(built)
    mark_absent(built, next(iter(built.sampled)), 5)
    synthetic_scores_import(scope=Scope(built.city_user), cycle=built.cycle, stage="primary",
                            counties=[world.county_a, world.county_b], seed=7, actor=built.city_user)
    add_student_answers(built)
    login(page, live_server, built.city_user.username)
    with page.expect_navigation():  # the click returns once the page starts loading, not when it has
        page.click(".topnav a:text('监测报告')")
    page.wait_for_selector("#report-units")
    screenshot(page, "report-index-city")
    with page.expect_navigation():  # the charts and tables below #report-results: the whole page
        page.click(f"#report-units tr:has-text('{world.county_a.name}') a")
    page.wait_for_selector("#report-results")
    assert page.locator("svg.chart").count() == 4 + 3  # scores; the select_one indicators' bars
    assert world.county_a.name in page.locator("h1").inner_text()
    screenshot(page, "report-county")
    section = page.locator("#questionnaire-indicators")
    assert "名参测学生提交了问卷" in section.inner_text() and section.locator("table").count() == 8
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(SCREENSHOTS / "report-county-questionnaire.png"))
    with page.expect_download() as info:
        page.click("a.button:text('下载 PDF')")
    path = tmp_path / "report.pdf"
    info.value.save_as(str(path))
    content = path.read_bytes()
    assert is_pdf(content) and "各学科结果" in squash(text(content)) and "问卷指标" in squash(text(content))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("report-pdf-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(SCREENSHOTS / "report-pdf")], check=True)
    page.goto(f"{live_server.url}/analysis/scores/")
    bad = tmp_path / "scores.csv"
    bad.write_text("student_id,数学_PV1,数学_PV2\nS-NOBODY,500,x\n", encoding="utf-8")
    page.set_input_files("#scores-primary input[type=file]", str(bad))
    with page.expect_navigation():
        page.click("#scores-primary button[type=submit]")
    page.wait_for_selector("#score-errors")
    assert "数学_PV2" in page.locator("#score-errors").inner_text() and "S-NOBODY" in page.content()
    screenshot(page, "scores-upload-refused")
    login(phone_page, live_server, built.city_user.username)
    phone_page.goto(f"{live_server.url}/analysis/reports/primary/{world.county_a.code}/")
    phone_page.wait_for_selector("#report-results")
    screenshot(phone_page, "report-county-phone")
