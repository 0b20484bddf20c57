"""The platform's own 403, 404 and 500 pages: in its layout, with a way back, never a debug page."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from jiance import errors
from jiance.accounts.models import Role
from jiance.accounts.scoping import Scope
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return World()


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_missing_page_is_the_platforms_404_with_a_way_home(world: World) -> None:
    client = login(make_user("officer", Role.SCHOOL_INFO_OFFICER, world.school_a1))
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "找不到这个页面" in body and 'href="/"' in body
    assert "URLconf" not in body and "Using the URLconf" not in body


def test_a_view_s_own_404_reason_is_shown(world: World) -> None:
    # No cycle is active: the page says so instead of a bare 404.
    client = login(make_user("county", Role.COUNTY_INFO_OFFICER, world.county_a))
    response = client.get("/reporting/frame/county/360121/")
    assert response.status_code == 404
    assert "当前没有进行中的监测周期" in response.content.decode()


def test_refusal_names_the_roles_who_may_act(world: World) -> None:
    proctor = make_user("proctor", Role.PROCTOR, world.school_a1)
    scope = Scope(proctor)
    with pytest.raises(errors.RoleRequired) as refused:
        scope.require([Role.PRINCIPAL], world.school_a1)
    request = RequestFactory().get("/x/", HTTP_REFERER="/testday/")
    request.user = proctor
    response = errors.forbidden(request, refused.value)
    body = response.content.decode()
    assert response.status_code == 403
    assert "无权进行此操作" in body and "校长" in body and 'href="/testday/"' in body


def test_plain_permission_denied_still_gets_the_styled_page(world: World) -> None:
    client = login(make_user("officer", Role.SCHOOL_INFO_OFFICER, world.school_a1))
    response = client.get("/accounts/people/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "无权进行此操作" in body and "返回首页" in body


def test_server_error_page_renders_without_database_or_session() -> None:
    request = RequestFactory().get("/boom/")
    response = errors.server_error(request)
    assert response.status_code == 500
    body = response.content.decode()
    assert "服务器出错了" in body and 'href="/"' in body


def test_favicon_is_served(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.ico")


def test_an_objects_404_tells_nothing_about_it(world: World) -> None:
    # A foreign object must answer exactly like a missing one: no view's reason on the page.
    from django.http import Http404

    request = RequestFactory().get("/x/")
    request.user = make_user("officer", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    foreign = errors.not_found(request, Http404("学校 3601210002 不在您的范围内"))
    missing = errors.not_found(request, Http404())
    import re

    def page(response) -> str:  # the CSRF token differs per render
        return re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": "|<meta name="jiance-now" content=")[^"]*"', "", response.content.decode())

    assert "不在您的范围内" not in page(foreign) and page(foreign) == page(missing)


# --- the database unreachable (a PostgreSQL restart): 503 with Retry-After, never a 500 ----------
LOST = "terminating connection due to administrator command"


@pytest.fixture
def database_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every session read fails as when PostgreSQL restarts under the server."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError

    def lost(self: object) -> None:
        raise OperationalError(LOST)

    monkeypatch.setattr(SessionStore, "_get_session_from_db", lost)


def _signed_in_client() -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a" * 32
    return client


def test_a_browser_gets_the_chinese_retry_page_when_the_database_is_down(database_down: None) -> None:
    response = _signed_in_client().get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(errors.RETRY_AFTER)
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert "服务暂时不可用" in body and "没有保存" in body and "503" in body
    assert LOST not in body  # the database's words stay in the log


def test_the_api_gets_json_when_the_database_is_down(database_down: None) -> None:
    response = _signed_in_client().get("/api/cycles")
    assert response.status_code == 503 and response["Retry-After"] == str(errors.RETRY_AFTER)
    data = response.json()
    assert data["code"] == "database_unavailable" and data["retry_after"] == errors.RETRY_AFTER
    assert "数据库暂时无法连接" in data["detail"]


def test_the_offline_queue_gets_plain_text_and_retries(database_down: None) -> None:
    response = _signed_in_client().post("/questionnaires/answer/student_q1/save/", {"seq": "1"},
                                        HTTP_X_JIANCE_QUEUE="1")
    assert response.status_code == 503 and response["Retry-After"] == str(errors.RETRY_AFTER)
    assert response["Content-Type"].startswith("text/plain") and "稍候" in response.content.decode()


def test_other_errors_stay_a_500() -> None:
    request = RequestFactory().get("/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = errors.server_error(request)
    assert response.status_code == 500 and not response.has_header("Retry-After")


def test_a_session_lost_with_the_database_is_a_503_not_a_400() -> None:
    from django.contrib.sessions.backends.base import UpdateError
    from django.contrib.sessions.exceptions import SessionInterrupted
    from django.db import OperationalError

    request = RequestFactory().post("/questionnaires/answer/student_q1/save/", HTTP_X_JIANCE_QUEUE="1")
    try:
        try:
            try:
                raise OperationalError(LOST)
            except OperationalError:
                raise UpdateError
        except UpdateError:
            raise SessionInterrupted("The request's session was deleted before the request completed.")
    except SessionInterrupted as exc:
        response = errors.bad_request(request, exc)
    assert response.status_code == 503 and response["Retry-After"] == str(errors.RETRY_AFTER)
    other = errors.bad_request(RequestFactory().get("/"), SessionInterrupted("deleted by a logout"))
    assert other.status_code == 400
