"""The stamp of an action queued offline: its id and the moment it was taken, bounded."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import RequestFactory, override_settings
from django.utils import timezone

from jiance import clock
from jiance.offline import OfflineStampError, client_stamp, queued_reply

NOW = timezone.make_aware(dt.datetime(2026, 5, 25, 10, 0))


def _post(**data: str) -> object:
    return RequestFactory().post("/x/", data, HTTP_X_JIANCE_QUEUE="1")


def test_a_plain_post_is_now_and_has_no_id() -> None:
    with clock.frozen(NOW):
        stamp = client_stamp(RequestFactory().post("/x/", {}))
    assert stamp.client_id is None and stamp.at == NOW and not stamp.queued


def test_a_queued_post_keeps_its_id_and_original_time() -> None:
    cid = uuid.uuid4()
    taken = NOW - dt.timedelta(minutes=40)
    with clock.frozen(NOW):
        stamp = client_stamp(_post(client_id=str(cid), client_at=taken.isoformat()))
    assert stamp.client_id == cid and stamp.at == taken and stamp.queued


def test_a_phone_a_little_ahead_is_taken_as_now() -> None:
    with clock.frozen(NOW):
        stamp = client_stamp(_post(client_at=(NOW + dt.timedelta(minutes=2)).isoformat()))
    assert stamp.at == NOW


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("client_id", "not-a-uuid", "编号无效"),
    ("client_at", "yesterday", "时间无效"),
    ("client_at", (NOW + dt.timedelta(minutes=30)).isoformat(), "晚于服务器时间"),
    ("client_at", (NOW - dt.timedelta(hours=25)).isoformat(), "超过 24 小时"),
])
def test_an_untrustworthy_stamp_is_refused_in_chinese(field: str, value: str, reason: str) -> None:
    with clock.frozen(NOW), pytest.raises(OfflineStampError, match=reason):
        client_stamp(_post(**{field: value}))


def test_the_reply_is_200_once_committed_and_409_when_refused() -> None:
    assert queued_reply("已登记").status_code == 200
    refused = queued_reply("该箱已发放", refused=True)
    assert refused.status_code == 409 and refused.content.decode() == "该箱已发放"


def test_jiance_now_starts_the_clock_at_that_moment_and_lets_it_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "_offset", None)
    with override_settings(JIANCE_NOW="2022-05-25T10:10:00+08:00"):
        first = clock.now()
        second = clock.now()
    monkeypatch.setattr(clock, "_offset", None)  # back to the real clock for later tests
    start = dt.datetime.fromisoformat("2022-05-25T10:10:00+08:00")
    assert dt.timedelta(0) <= first - start < dt.timedelta(seconds=5)
    assert second >= first
