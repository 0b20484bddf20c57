"""The security baseline: hashing, password rules, lockout, idle timeout, CSRF, CSP, cookies,
and Django's deployment checks under production settings."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jiance.accounts.models import Role, User
from tests.factories import PASSWORD, World, make_user

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/login/"


def login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- hashing and password rules ---------------------------------------------------------


def test_passwords_are_stored_with_argon2(db: None) -> None:
    user = User.objects.create_user(username="hash-check", password=PASSWORD)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert PASSWORD not in user.password
    assert user.check_password(PASSWORD)


def _codes(password: str, user: User | None = None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {e.code for e in exc.error_list}
    return set()


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1#xyz", "password_too_short"),  # 7 characters, four classes
        ("abcdefgh12", "password_too_simple"),  # two classes only
        ("ABCDEFGH!!", "password_too_simple"),
        ("Password1", "password_too_common"),  # three classes, but on the common list
        ("Qwerty123", "password_too_common"),
    ],
)
def test_weak_passwords_are_rejected(db: None, password: str, code: str) -> None:
    assert code in _codes(password)


@pytest.mark.parametrize("password", ["Lt9-mkq2vz", "kaoshi#2026X", "Sh4ng-hai-pass"])
def test_strong_passwords_pass(db: None, password: str) -> None:
    assert _codes(password) == set()


def test_password_similar_to_username_is_rejected(db: None) -> None:
    user = User(username="lianxiaoming", full_name="")
    assert "password_too_similar" in _codes("Lianxiaoming1", user)


# --- lockout (django-axes, username + IP) ----------------------------------------------


@pytest.fixture
def people(world: World) -> tuple[User, User]:
    return (
        make_user("zhang", Role.SCHOOL_INFO_OFFICER, world.school_a1),
        make_user("li", Role.PRINCIPAL, world.school_a1),
    )


def test_five_failures_lock_username_on_that_address(people: tuple[User, User]) -> None:
    client = Client()
    for _ in range(5):
        response = login(client, "zhang", "wrong-Password-1")
        assert not logged_in(client)
    # Right password now, same username and address: still refused.
    response = login(client, "zhang", PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    assert "锁定" in response.content.decode()


def test_four_failures_do_not_lock(people: tuple[User, User]) -> None:
    client = Client()
    for _ in range(4):
        login(client, "zhang", "wrong-Password-1")
    response = login(client, "zhang", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_lockout_spares_same_user_from_another_address(people: tuple[User, User]) -> None:
    for _ in range(5):
        login(Client(), "zhang", "wrong-Password-1", ip="10.0.0.1")
    client = Client()
    response = login(client, "zhang", PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302
    assert logged_in(client)


def test_lockout_spares_other_users_behind_the_same_address(people: tuple[User, User]) -> None:
    # A whole school goes online through one address: one person's typos lock only them.
    for _ in range(5):
        login(Client(), "zhang", "wrong-Password-1", ip="10.0.0.1")
    client = Client()
    response = login(client, "li", PASSWORD, ip="10.0.0.1")
    assert response.status_code == 302
    assert logged_in(client)


# --- idle timeout ----------------------------------------------------------------------


def _at(moment: dt.datetime):
    """Shift the clock the session machinery reads."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_session_idle_over_30_minutes_is_logged_out(people: tuple[User, User]) -> None:
    client = Client()
    start = timezone.now()
    with _at(start):
        assert login(client, "li", PASSWORD).status_code == 302
        assert client.get("/").status_code == 200
    with _at(start + dt.timedelta(minutes=31)):
        response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_activity_renews_the_idle_timeout(people: tuple[User, User]) -> None:
    client = Client()
    start = timezone.now()
    with _at(start):
        assert login(client, "li", PASSWORD).status_code == 302
    with _at(start + dt.timedelta(minutes=25)):
        assert client.get("/").status_code == 200
    # 50 minutes after login but only 25 idle: still in.
    with _at(start + dt.timedelta(minutes=50)):
        assert client.get("/").status_code == 200
    with _at(start + dt.timedelta(minutes=81)):
        assert client.get("/").status_code == 302


# --- CSRF, CSP, cookies ---------------------------------------------------------------


def test_post_without_csrf_token_is_refused(people: tuple[User, User]) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "li", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 403
    assert not logged_in(client)


def test_post_with_csrf_token_is_accepted(people: tuple[User, User]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    token = client.cookies["csrftoken"].value
    response = client.post(
        LOGIN, {"username": "li", "password": PASSWORD, "csrfmiddlewaretoken": token}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 302
    assert logged_in(client)


def test_logged_in_post_without_token_is_refused(people: tuple[User, User]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people[1])
    response = client.post(reverse("password_change"), {"old_password": PASSWORD})
    assert response.status_code == 403


def _csp(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def test_content_security_policy_forbids_inline_scripts(db: None) -> None:
    response = Client().get(LOGIN)
    csp = _csp(response)
    assert csp, "no Content-Security-Policy header"
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts is not None
    assert "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts
    assert csp.get("object-src") == ["'none'"]
    assert csp.get("frame-ancestors") == ["'none'"]


def test_pages_carry_security_headers(db: None) -> None:
    response = Client().get(LOGIN)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_and_csrf_cookies_are_httponly_and_samesite(people: tuple[User, User]) -> None:
    client = Client()
    response = client.get(LOGIN)
    csrf = response.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    response = login(client, "li", PASSWORD)
    session = response.cookies["sessionid"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert not session["max-age"]  # ends with the browser; the server enforces the idle limit


def production_env() -> dict[str, str]:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a production check.
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("JIANCE_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    env.update(
        JIANCE_ENV="production",
        JIANCE_SECRET_KEY=secrets.token_urlsafe(50),
        JIANCE_FIELD_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        JIANCE_ALLOWED_HOSTS="jiance.example.cn",
        DJANGO_SETTINGS_MODULE="jiance.settings",
    )
    return env


def test_production_cookies_are_secure() -> None:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ("
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'SESSION_COOKIE_SAMESITE', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'DEBUG')}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr
    values = json.loads(out.stdout.strip().splitlines()[-1])
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["DEBUG"] is False


def test_production_refuses_to_start_without_keys() -> None:
    env = production_env()
    del env["JIANCE_SECRET_KEY"]
    out = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert out.returncode != 0
    assert "JIANCE_SECRET_KEY" in out.stderr


def test_check_deploy_is_clean_under_production_settings() -> None:
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, out.stdout + out.stderr
