"""The custody pages: scoped per level, recording through the offline contract, correction,
verification, reports and labels."""

from __future__ import annotations

import uuid
from typing import Any

from django.test import Client
from django.urls import reverse

from jiance import clock
from jiance.custody.models import LedgerEntry
from tests.custody.builders import DAY1, PIN, People, at
from tests.factories import PASSWORD, World

BOX = "3601210001-P1-D1"


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_the_county_custodian_issues_and_takes_back_a_box(client: Client, world: World, people: People,
                                                          cycle: Any) -> None:
    login(client, people.county_keeper)
    page = client.get(reverse("custody:unit", args=[world.county_a.code]))
    assert page.status_code == 200 and BOX in page.content.decode()
    assert "wasm-unsafe-eval" in page["Content-Security-Policy"]
    url = reverse("custody:record", args=[world.county_a.code])
    post = {"step": "issued", "code": BOX.lower(), "second_username": "a1.custodian", "second_pin": PIN}
    assert client.post(url, post).status_code == 302
    with clock.frozen(at(DAY1, "16:00")):
        r = client.post(url, {**post, "step": "returned", "bags_counted": "9"}, follow=True)
    assert "已登记第 2 条" in r.content.decode()
    assert list(LedgerEntry.objects.values_list("step", flat=True)) == ["issued", "returned"]


def test_a_refusal_is_shown_in_chinese_and_nothing_is_written(client: Client, world: World, people: People,
                                                              cycle: Any) -> None:
    login(client, people.county_keeper)
    url = reverse("custody:record", args=[world.county_a.code])
    r = client.post(url, {"step": "issued", "code": "3601210001-P1-D2", "second_username": "a1.custodian",
                          "second_pin": PIN})
    assert r.status_code == 400 and "5月26日前不能发放" in r.content.decode()
    r = client.post(url, {"step": "issued", "code": BOX, "second_username": "a1.custodian", "second_pin": "111112"})
    assert r.status_code == 400 and "不正确" in r.content.decode()
    assert not LedgerEntry.objects.exists()


def test_a_queued_post_is_acknowledged_once(client: Client, world: World, people: People, cycle: Any) -> None:
    login(client, people.county_keeper)
    url = reverse("custody:record", args=[world.county_a.code])
    cid = str(uuid.uuid4())
    post = {"step": "issued", "code": BOX, "second_username": "a1.custodian", "second_pin": PIN,
            "client_id": cid, "client_at": at(DAY1, "07:20").isoformat()}
    for _ in range(2):
        r = client.post(url, post, headers={"X-Jiance-Queue": "1"})
        assert r.status_code == 200 and "已登记第 1 条" in r.content.decode()
    assert LedgerEntry.objects.get().at == at(DAY1, "07:20")
    r = client.post(url, {**post, "client_id": str(uuid.uuid4())}, headers={"X-Jiance-Queue": "1"})
    assert r.status_code == 409 and "尚未送回" in r.content.decode()


def test_a_school_sees_only_its_own_ledger(client: Client, world: World, people: People, cycle: Any) -> None:
    login(client, people.county_keeper)
    url = reverse("custody:record", args=[world.county_a.code])
    for box in (BOX, "3601210002-J1-D1"):
        client.post(url, {"step": "issued", "code": box, "second_username": "a1.custodian", "second_pin": PIN},
                    follow=True)
    assert LedgerEntry.objects.count() == 2
    login(client, people.school_keeper)
    assert client.get(reverse("custody:home")).url == reverse("custody:unit", args=[world.school_a1.code])
    page = client.get(reverse("custody:unit", args=[world.school_a1.code])).content.decode()
    assert BOX in page and "3601210002-J1-D1" not in page
    assert f'data-bag="{BOX}-CB1"' in page  # the bags of a box that is out, to seal after the session
    assert client.get(reverse("custody:unit", args=[world.school_a2.code])).status_code == 404
    assert client.get(reverse("custody:unit", args=[world.county_a.code])).status_code == 404


def test_correction_verification_reports_and_labels(client: Client, world: World, people: People,
                                                    cycle: Any) -> None:
    login(client, people.county_keeper)
    code = world.county_a.code
    client.post(reverse("custody:record", args=[code]), {"step": "issued", "code": BOX,
                                                          "second_username": "a1.custodian", "second_pin": PIN})
    entry = LedgerEntry.objects.get()
    r = client.post(reverse("custody:correct", args=[code, entry.pk]), {"note": "扫错箱号"}, follow=True)
    assert "更正第 1 条" in r.content.decode()
    v = client.get(reverse("custody:verify", args=[code])).content.decode()
    assert "校验通过" in v and "共 2 条" in v
    for kind in ("receipt", "return"):
        for fmt in ("pdf", "xlsx"):
            r = client.get(reverse("custody:report", args=[code, kind, fmt]))
            assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    assert client.get(reverse("custody:report", args=[code, "other", "pdf"])).status_code == 404
    login(client, people.school_keeper)
    r = client.get(reverse("custody:labels", args=[world.school_a1.code]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_the_city_sees_its_counties_boxes(client: Client, world: World, people: People, cycle: Any) -> None:
    login(client, people.city_admin)
    r = client.get(reverse("custody:home"), follow=True)
    page = r.content.decode()
    assert world.county_a.name in page and world.county_b.name in page and 'id="scan-form"' not in page


def test_setting_a_pin(client: Client, world: World, people: People) -> None:
    login(client, people.city_admin)
    r = client.post(reverse("custody:pin"), {"password": PASSWORD, "pin": "583920"}, follow=True)
    assert "已设置" in r.content.decode()
    r = client.post(reverse("custody:pin"), {"password": "nope", "pin": "583921"})
    assert "登录密码不正确" in r.content.decode()


def test_an_earlier_days_overdue_box_stays_on_the_next_days_page(client: Client, world: World, people: People,
                                                                  cycle: Any) -> None:
    from jiance.accounts.scoping import Scope
    from jiance.custody.services import entry_record
    from jiance.notifications.models import Notification
    from tests.custody.builders import DAY2

    with clock.frozen(at(DAY1, "07:10")):
        entry_record(scope=Scope(people.county_keeper), actor=people.county_keeper, cycle=cycle, unit=world.county_a,
                     step="issued", code=BOX, second_person=people.school_keeper)
    login(client, people.county_keeper)
    with clock.frozen(at(DAY2, "10:30")):
        page = client.get(reverse("custody:unit", args=[world.county_a.code])).content.decode()
    assert f'data-box="{BOX}" data-status="overdue"' in page  # not only the day's boxes
    assert 'data-count="overdue">1<' in page
    assert Notification.objects.filter(recipient=people.county_keeper, key__contains=BOX).exists()
    login(client, people.city_admin)
    with clock.frozen(at(DAY2, "10:30")):
        city = client.get(reverse("custody:home"), follow=True).content.decode()
    row = city.split('class="row-warning"><td>' + world.county_a.name, 1)[1].split("</tr>", 1)[0]
    # the county's row: its three boxes of day 2 expected (not the day-1 box), none out, one overdue from day 1
    assert [c.split("<", 1)[0] for c in row.split('class="num-cell">')[1:]] == ["3", "1", "0", "1"]
