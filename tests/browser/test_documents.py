"""Implementation documents in a real browser: a school files its self-check list and submits its
test record with the stamped scan; the county returns it with a reason, the school submits again,
the county approves and downloads every approved record as one ZIP."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from jiance import clock
from jiance.accounts.models import Role
from jiance.apps_registry import DocumentTable
from jiance.documents.models import DocStatus, Submission
from jiance.documents.printing import table_pdf
from tests.browser.conftest import login, screenshot
from tests.documents.conftest import TEMPLATE, at, publish_sample
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RECORD = "school_test_record"


@pytest.fixture(autouse=True)
def test_day_clock() -> Any:
    with clock.frozen(at("2024-05-23")):
        yield


@pytest.fixture
def setup(world: Any, settings: Any) -> Any:
    from jiance.cycles.models import Cycle, CycleStatus
    from jiance_core.cycles import load_template

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cycle = Cycle.objects.create(code="national-2024", year=2024, name="2024 年国家义务教育质量监测",
                                 status=CycleStatus.ACTIVE, config=load_template(TEMPLATE).model_dump(mode="json"))
    publish_sample(cycle, world, [world.school_a1, world.school_a2])
    make_user("a1_xx", Role.SCHOOL_INFO_OFFICER, world.school_a1, full_name="莲塘一小信息员")
    make_user("nc_county", Role.COUNTY_INFO_OFFICER, world.county_a, full_name="南昌县信息员")
    return cycle


def _scan(tmp_path: Path) -> Path:
    pdf = table_pdf(DocumentTable(title="样本校测试情况记录表（盖章）", header=("项目", "内容"), rows=(("实测学生数", "58"),)),
                    cycle_name="2024 年国家义务教育质量监测")
    path = tmp_path / "记录表盖章扫描件.pdf"
    path.write_bytes(pdf)
    return path


def test_school_submits_county_returns_approves_and_downloads(page: Any, live_server: Any, setup: Any, world: Any,
                                                             tmp_path: Path) -> None:
    login(page, live_server, "a1_xx")
    page.goto(f"{live_server.url}/documents/")
    screenshot(page, "documents-school-home")
    # the self-check list: every line ticked, one with a note; filed (late: its deadline was 05-20)
    with page.expect_navigation():  # `.all()` does not wait: the list must be there, all of it
        page.locator("#row-school_self_check a").click()
    for box in page.locator("#checklist input[type=checkbox]").all():
        box.check()
    page.locator("#item-5 input[name$='-note']").fill("应急预案已于 5 月 15 日报县级备案")
    with page.expect_navigation():
        page.locator("#save-button").click()
    with page.expect_navigation():
        page.locator("#submit-button").click()
    assert "已备案" in page.locator("#doc-status").inner_text()
    screenshot(page, "documents-self-check")

    # the test record: fill the form, upload the stamped scan, submit
    page.goto(f"{live_server.url}/documents/unit/{world.school_a1.code}/{RECORD}/")
    for key, value in {"rooms": "2", "expected": "60", "tested": "58", "absent": "2", "started": "08:30",
                       "ended": "11:40", "course": "测试顺利，2 名学生病假缺考"}.items():
        page.locator(f"#f-{key}").fill(value)
    page.locator("#f-test_date").fill("2024-05-22")
    page.locator("#f-incidents").select_option("无")
    with page.expect_navigation():
        page.locator("#save-button").click()
    page.locator("#upload-scan").set_input_files(str(_scan(tmp_path)))
    with page.expect_navigation():
        page.locator("#upload-scan-button").click()
    assert page.locator("#files-scan img").count() == 1
    with page.expect_navigation():
        page.locator("#submit-button").click()
    assert "待审核" in page.locator("#doc-status").inner_text()
    screenshot(page, "documents-school-submitted")

    # the county returns it with a reason
    page.context.clear_cookies()
    login(page, live_server, "nc_county")
    page.goto(f"{live_server.url}/documents/")
    assert page.locator(f"#count-{RECORD}").inner_text().split()[-4:]  # the row is there
    screenshot(page, "documents-county-home")
    with page.expect_navigation():
        page.locator(f"#count-{RECORD} a").click()
    screenshot(page, "documents-kind-overview")
    with page.expect_navigation():
        page.get_by_role("link", name="审核", exact=True).click()
    page.locator("#id_comment").fill("扫描件缺少校长签字，请签字后重新上传")
    with page.expect_navigation():
        page.locator("#return-button").click()
    assert "已退回" in page.locator("#doc-status").inner_text()

    # the school sees the reason and submits again
    page.context.clear_cookies()
    login(page, live_server, "a1_xx")
    page.goto(f"{live_server.url}/documents/unit/{world.school_a1.code}/{RECORD}/")
    assert "缺少校长签字" in page.locator("#return-reason").inner_text()
    screenshot(page, "documents-returned")
    with page.expect_navigation():
        page.locator("#submit-button").click()

    # the county approves and downloads the ZIP
    page.context.clear_cookies()
    login(page, live_server, "nc_county")
    page.goto(f"{live_server.url}/documents/unit/{world.school_a1.code}/{RECORD}/")
    screenshot(page, "documents-review")
    with page.expect_navigation():
        page.locator("#approve-button").click()
    assert "已通过" in page.locator("#doc-status").inner_text()
    screenshot(page, "documents-approved")
    page.goto(f"{live_server.url}/documents/overview/{world.county_a.code}/{RECORD}/")
    with page.expect_download() as dl:
        page.locator("#zip-link").click()
    names = zipfile.ZipFile(io.BytesIO(Path(dl.value.path()).read_bytes())).namelist()
    assert sorted(names) == [f"{world.school_a1.code}_{world.school_a1.name}_样本校测试情况记录表.pdf",
                             f"{world.school_a1.code}_{world.school_a1.name}_样本校测试情况记录表_盖章扫描件.pdf"]
    sub = Submission.objects.get(kind_code=RECORD, unit=world.school_a1)
    assert sub.status == DocStatus.APPROVED and sub.versions.count() == 2
