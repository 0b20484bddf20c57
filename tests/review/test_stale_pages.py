"""A click on a review page drawn before someone else acted is refused over HTTP, in every chain.

The reviewer opens the page; in another tab the record is returned and submitted again; the first
page's "approve" (or "return") is posted as the browser would post it, hidden version included.
On the code before the engine the forms posted no version and the click was accepted."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from tests.factories import World
from tests.review.chains import CASES, build, case_clock

pytestmark = pytest.mark.django_db


def _form_of(html: str, marker: str) -> dict[str, str]:
    """The hidden fields of the form that holds `marker` (the review form)."""
    start = html.index(marker)
    form = html[html.rindex("<form", 0, start):html.index("</form>", start)]
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))


@pytest.mark.parametrize("decision", ["approve", "return"])
@pytest.mark.parametrize("chain", CASES)
def test_a_stale_review_page_is_refused_naming_what_changed(world: World, chain: str, decision: str) -> None:
    with case_clock(chain):
        case = build(chain, world)
        browser = Client()
        browser.force_login(case.reviewer)
        page = browser.get(case.page)
        assert page.status_code == 200
        posted = _form_of(page.content.decode(), 'name="comment"')
        assert posted["version"] == str(case.obj.version)

        # another tab: returned and submitted again, so the status is what the page shows
        other = case.return_(case.colleague, case.fresh(), "请补充")
        case.resubmit(other)
        before: Any = case.fresh()
        events = case.events()
        assert before.status == case.obj.status and before.version > case.obj.version

        url, data = ((case.approve_url, case.approve_data) if decision == "approve"
                     else (case.return_url, case.return_data))
        response = browser.post(url, {**posted, **data})

    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(shown) == 1 and "页面已过期" in shown[0], shown
    assert "已于" in shown[0] and "提交" in shown[0]  # what changed, when, by whom
    after: Any = case.fresh()
    assert (after.status, after.version, case.events()) == (before.status, before.version, events)


@pytest.mark.parametrize("chain", CASES)
def test_a_current_review_page_is_accepted(world: World, chain: str) -> None:
    """The same form from a page drawn now goes through (the version is what the engine compares)."""
    with case_clock(chain):
        case = build(chain, world)
        browser = Client()
        browser.force_login(case.reviewer)
        posted = _form_of(browser.get(case.page).content.decode(), 'name="comment"')
        response = browser.post(case.approve_url, {**posted, **case.approve_data})
    assert response.status_code == 302
    after: Any = case.fresh()
    assert after.version == case.obj.version + 1 and after.status != case.obj.status
