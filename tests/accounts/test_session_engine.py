"""Where sessions live: the database by default; JIANCE_SESSION_ENGINE=cache keeps them in the
cache (Redis in production: JIANCE_CACHE_URL, or a Redis of their own with
JIANCE_SESSION_CACHE_URL), "cached_db" in both. Signing in, staying signed in and signing out work
the same with the cache engine, and no session row is written; production refuses a cache engine on
a per-process cache (a person would be signed out whenever another worker answers)."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, World, make_user

SETTINGS = Path(__file__).resolve().parents[2] / "jiance" / "settings.py"


def settings_with(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    for name in ("JIANCE_SESSION_ENGINE", "JIANCE_SESSION_CACHE_URL", "JIANCE_CACHE_URL", "JIANCE_ENV"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings_with(monkeypatch)["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    got = settings_with(monkeypatch, JIANCE_SESSION_ENGINE="cache", JIANCE_CACHE_URL="redis://127.0.0.1:6379/1")
    assert got["SESSION_ENGINE"] == "django.contrib.sessions.backends.cache" and got["SESSION_CACHE_ALIAS"] == "default"
    got = settings_with(monkeypatch, JIANCE_SESSION_ENGINE="cached_db", JIANCE_SESSION_CACHE_URL="redis://127.0.0.1:6379/3")
    assert got["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert got["SESSION_CACHE_ALIAS"] == "sessions" and got["CACHES"]["sessions"]["LOCATION"] == "redis://127.0.0.1:6379/3"
    with pytest.raises(RuntimeError, match="JIANCE_SESSION_ENGINE must be one of"):
        settings_with(monkeypatch, JIANCE_SESSION_ENGINE="file")
    production = {"JIANCE_ENV": "production", "JIANCE_SECRET_KEY": "k" * 50, "JIANCE_FIELD_KEY": "f" * 44,
                  "JIANCE_SESSION_ENGINE": "cache"}
    with pytest.raises(RuntimeError, match="needs a shared cache"):
        settings_with(monkeypatch, **production)
    assert settings_with(monkeypatch, **production, JIANCE_CACHE_URL="redis://127.0.0.1:6379/1")["SESSION_ENGINE"].endswith(".cache")


@pytest.mark.django_db
def test_signed_in_through_the_cache(world: World, settings: Any) -> None:
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    make_user("head", "principal", world.school_a1)
    client = Client()
    r = client.post(reverse("login"), {"username": "head", "password": PASSWORD})
    assert r.status_code == 302
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert caches[settings.SESSION_CACHE_ALIAS].get(f"django.contrib.sessions.cache{key}") is not None
    assert client.get(reverse("home")).status_code == 200  # still signed in on the next request
    assert not Session.objects.exists()  # nothing in the database
    client.post(reverse("logout"))
    assert caches[settings.SESSION_CACHE_ALIAS].get(f"django.contrib.sessions.cache{key}") is None
    assert client.get(reverse("home")).status_code == 302  # to the login form
