"""The task page: the county marks a task done with a note and a file, the city sees both and
downloads the file; a sibling county sees nothing; the city confirms from its own page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jiance.cycles.models import Cycle, MilestoneCompletion
from jiance.milestones.models import MarkStatus, MilestoneMark
from tests.factories import World
from tests.milestones.conftest import People, task

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def login(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def test_county_marks_with_note_and_file_the_city_sees_it(world: World, cycle: Cycle, people: People) -> None:
    m = task(cycle, "county", 6, text="完成县级测试程序与工作规范的统一培训。")
    county = login(people.county_a)
    page = county.get(reverse("milestones:unit", args=[world.county_a.code])).content.decode()
    assert "完成县级测试程序与工作规范的统一培训" in page and "标记完成" in page
    r = county.post(reverse("milestones:mark", args=[world.county_a.code, m.pk]),
                    {"note": "培训已完成，到会 56 人", "version": "", "attachment": SimpleUploadedFile("签到.png", PNG)})
    assert r.status_code == 302
    assert MilestoneCompletion.objects.filter(milestone=m, unit=world.county_a).exists()
    city = login(people.city)
    page = city.get(reverse("milestones:unit", args=[world.county_a.code])).content.decode()
    assert "培训已完成，到会 56 人" in page and "签到.png" in page
    assert "撤销完成" not in page  # the city cannot undo the county's marking
    f = city.get(reverse("milestones:attachment", args=[world.county_a.code, m.pk]))
    assert f.status_code == 200 and f.content == PNG and f["Content-Type"] == "image/png"
    assert "no-store" in f["Cache-Control"]
    # the sibling county: the page and the file look missing
    other = login(people.county_b)
    assert other.get(reverse("milestones:unit", args=[world.county_a.code])).status_code == 404
    assert other.get(reverse("milestones:attachment", args=[world.county_a.code, m.pk])).status_code == 404


def test_a_renamed_exe_is_refused_with_a_chinese_message(world: World, cycle: Cycle, people: People) -> None:
    m = task(cycle, "county", 6)
    county = login(people.county_a)
    r = county.post(reverse("milestones:mark", args=[world.county_a.code, m.pk]),
                    {"note": "x", "attachment": SimpleUploadedFile("签到.pdf", b"MZ\x90\x00" + b"\x00" * 50)},
                    follow=True)
    assert "只能是 PDF、JPEG 或 PNG" in r.content.decode()
    assert not MilestoneCompletion.objects.exists()


def test_the_city_confirms_from_its_own_page(world: World, cycle: Cycle, people: People) -> None:
    m = task(cycle, "county", 6, confirmed_by="city", text="完成县级培训")
    login(people.county_a).post(reverse("milestones:mark", args=[world.county_a.code, m.pk]), {"note": "已完成"})
    row = MilestoneMark.objects.get()
    assert row.status == MarkStatus.MARKED
    city = login(people.city)
    page = city.get(reverse("milestones:unit", args=[world.city.code])).content.decode()
    assert "待我确认" in page and "完成县级培训" in page
    home = city.get(reverse("home")).content.decode()
    assert "待确认完成" in home  # in the city's inbox
    r = city.post(reverse("milestones:decide", args=[world.county_a.code, m.pk]),
                  {"action": "confirm", "version": str(row.version), "back": world.city.code})
    assert r.status_code == 302 and r["Location"].endswith(f"/milestones/{world.city.code}/#awaiting")
    row.refresh_from_db()
    assert row.status == MarkStatus.DONE
    # a second click from the same (stale) page changes nothing and says why
    r = city.post(reverse("milestones:decide", args=[world.county_a.code, m.pk]),
                  {"action": "return", "comment": "重复", "version": str(row.version - 1)}, follow=True)
    assert "页面已过期" in r.content.decode()
    row.refresh_from_db()
    assert row.status == MarkStatus.DONE


def test_a_liaison_may_not_open_the_task_pages(world: World, cycle: Cycle, people: People) -> None:
    assert login(people.liaison_a).get(reverse("milestones:unit", args=[world.county_a.code])).status_code == 403
    assert login(people.county_a).get(reverse("milestones:index")).status_code == 302


def test_an_oversized_upload_is_refused_without_a_marking(world: World, cycle: Cycle, people: People,
                                                          settings) -> None:  # type: ignore[no-untyped-def]
    settings.JIANCE_MILESTONE_ATTACHMENT_MB = 1
    m = task(cycle, "county", 6)
    r = login(people.county_a).post(
        reverse("milestones:mark", args=[world.county_a.code, m.pk]),
        {"note": "x", "attachment": SimpleUploadedFile("大.png", PNG + b"\x00" * (1024 * 1024))}, follow=True)
    assert "附件不能超过 1 MB" in r.content.decode()
    assert not MilestoneCompletion.objects.exists() and not MilestoneMark.objects.exists()
