"""The weights page in a real browser: a city office opens it (desktop and phone), downloads the
pseudonymous weight file; screenshots in artifacts/screenshots/weights-*.png."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from jiance import clock
from tests.analysis.builders import AFTER_TEST, build, fill_schools, make_cycle, mark_absent
from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def after_test_clock() -> Any:
    with clock.frozen(AFTER_TEST):
        yield


def test_city_office_reads_the_weights_and_downloads_the_file(world: Any, settings: Any, page: Any, phone_page: Any,
                                                               live_server: Any, tmp_path: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    built = build(world, make_cycle(trim_ratio=1.5))
    fill_schools(built)
    mark_absent(built, next(iter(built.sampled)), 15)
    for tab, name in ((page, "weights-city"), (phone_page, "weights-city-phone")):
        login(tab, live_server, built.city_user.username)
        if name == "weights-city":
            with tab.expect_navigation():  # the table's rows are counted below: the whole page
                tab.click(".topnav a:text('学生权重')")
        else:
            tab.goto(f"{live_server.url}/analysis/weights/")
        tab.wait_for_selector("#weights-counties")
        assert tab.locator("#weights-counties tbody tr").count() == 2
        assert "JK2" in tab.content()
        screenshot(tab, name)
        if name == "weights-city":
            with tab.expect_download() as info:
                tab.click("a.button:text('CSV')")
            path = tmp_path / "w.csv"
            info.value.save_as(str(path))
            frame = pl.read_csv(path)
            assert frame.height == sum(len(v) for v in built.sampled.values()) - 15
            assert frame["final_weight"].sum() > 0
