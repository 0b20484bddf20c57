"""Health and readiness, the request id and the JSON log line (issue 15, serving)."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client
from django.urls import reverse

from jiance import health
from jiance.accounts.models import Role
from jiance.audit.models import AuditEntry
from jiance.requestlog import JsonFormatter, request_id_of
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db


def test_healthz_and_readyz_answer_without_a_login_and_are_not_cached() -> None:
    client = Client()
    alive = client.get("/healthz")
    ready = client.get("/readyz")
    assert alive.status_code == 200 and alive.json() == {"status": "ok"}
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"
    assert ready.json()["checks"]["replica"] == "none" and ready.json()["checks"]["files"] == "local"
    assert "no-store" in ready["Cache-Control"] and "no-store" in alive["Cache-Control"]
    assert "sessionid" not in ready.cookies


def test_readyz_names_the_failing_check_with_503(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> str:
        raise ConnectionError("postgres://secret@db/jiance refused")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "failed: ConnectionError"
    assert "secret" not in response.content.decode()  # no connection string in a public answer


def test_a_proxys_request_id_is_kept_and_a_bad_one_replaced() -> None:
    client = Client()
    given = "3f2a9c1e5b7d4e8fa0b1c2d3e4f5a6b7"
    assert client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    made = client.get("/healthz", HTTP_X_REQUEST_ID="<script>\nx")["X-Request-ID"]
    assert made != "<script>\nx" and len(made) == 32 and made.isalnum()
    assert client.get("/healthz")["X-Request-ID"] != client.get("/healthz")["X-Request-ID"]


def test_the_audit_entry_carries_the_request_id_of_its_request(world: World) -> None:
    client = Client()
    client.force_login(make_user("ca", Role.COUNTY_ADMIN, world.county_a))
    given = "req-people-list-0001"
    response = client.get(reverse("accounts:people"), HTTP_X_REQUEST_ID=given)
    assert response.status_code == 200
    entry = AuditEntry.objects.order_by("-pk").first()
    assert entry is not None and entry.request_id == given


def test_each_request_is_logged_once_with_its_fields(caplog: pytest.LogCaptureFixture, world: World) -> None:
    client = Client()
    client.force_login(make_user("ca", Role.COUNTY_ADMIN, world.county_a))
    with caplog.at_level(logging.INFO, logger="jiance.request"):
        response = client.get(reverse("units:detail", args=[world.county_a.code]))
    lines = [r for r in caplog.records if r.name == "jiance.request"]
    assert len(lines) == 1
    record = lines[0]
    assert record.request_id == response["X-Request-ID"]  # type: ignore[attr-defined]
    assert record.status == response.status_code  # type: ignore[attr-defined]
    assert record.unit == world.county_a.code  # type: ignore[attr-defined]
    assert record.user_id is not None and record.slow is False  # type: ignore[attr-defined]
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "INFO" and line["path"] == record.path  # type: ignore[attr-defined]
    assert line["time"].endswith("+00:00") and line["duration_ms"] >= 0


def test_a_slow_request_is_a_warning(caplog: pytest.LogCaptureFixture, settings: object) -> None:
    settings.JIANCE_SLOW_REQUEST_MS = 0  # type: ignore[attr-defined]
    with caplog.at_level(logging.INFO, logger="jiance.request"):
        Client().get("/healthz")
    (record,) = [r for r in caplog.records if r.name == "jiance.request"]
    assert record.levelno == logging.WARNING and record.slow is True  # type: ignore[attr-defined]


def test_request_id_of_accepts_only_plain_ids() -> None:
    class Request:
        def __init__(self, value: str) -> None:
            self.META = {"HTTP_X_REQUEST_ID": value}

    assert request_id_of(Request("abcdef12")) == "abcdef12"  # type: ignore[arg-type]
    assert request_id_of(Request("short")) != "short"  # type: ignore[arg-type]
    assert request_id_of(Request("a" * 65)) != "a" * 65  # type: ignore[arg-type]
