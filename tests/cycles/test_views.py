from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jiance.accounts.models import Role
from jiance.cycles.models import Cycle, CycleStatus
from jiance.cycles.services import cycle_load_file, shipped_template_path
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_centre_admin_copies_and_activates_a_national_cycle(world) -> None:
    cycle = cycle_load_file(path=shipped_template_path("national-2024"))
    client = Client()
    client.force_login(make_user("centre", Role.CENTRE_ADMIN, world.centre))
    page = client.get(reverse("cycles:detail", kwargs={"cycle_code": cycle.code}))
    assert "复制周期" in page.content.decode()
    response = client.post(reverse("cycles:copy", kwargs={"cycle_code": cycle.code}), {"new_year": 2025})
    assert response.status_code == 302
    assert response.url == reverse("cycles:detail", kwargs={"cycle_code": "national-2025"})
    client.post(reverse("cycles:activate", kwargs={"cycle_code": "national-2025"}))
    assert Cycle.objects.get(code="national-2025").status == CycleStatus.ACTIVE


def test_county_admin_cannot_copy_a_national_cycle(world) -> None:
    cycle = cycle_load_file(path=shipped_template_path("national-2024"))
    client = Client()
    client.force_login(make_user("county", Role.COUNTY_ADMIN, world.county_a))
    assert "复制周期" not in client.get(reverse("cycles:detail", kwargs={"cycle_code": cycle.code})).content.decode()
    response = client.post(reverse("cycles:copy", kwargs={"cycle_code": cycle.code}), {"new_year": 2025})
    assert response.status_code == 403
    assert not Cycle.objects.filter(code="national-2025").exists()


def test_copy_without_year_or_days_is_refused_with_a_message(world) -> None:
    cycle = cycle_load_file(path=shipped_template_path("national-2024"))
    client = Client()
    client.force_login(make_user("centre", Role.CENTRE_ADMIN, world.centre))
    response = client.post(reverse("cycles:copy", kwargs={"cycle_code": cycle.code}), {}, follow=True)
    assert "请填写新年度或顺延天数" in response.content.decode()
    assert Cycle.objects.count() == 1


# --- copy and shift in the browser, the cycle page (issue 9) --------------------------------------
from jiance.audit.models import AuditEntry  # noqa: E402
from jiance.cycles.models import CycleTextFlag  # noqa: E402


def test_copy_page_previews_the_shifted_texts_then_copies_with_flags(world) -> None:
    source = cycle_load_file(path=shipped_template_path("chongqing-2020"), owner=world.province)
    client = Client()
    client.force_login(make_user("jx", Role.PROVINCE_ADMIN, world.province))
    url = reverse("cycles:copy", kwargs={"cycle_code": source.code})
    page = client.get(url)
    assert page.status_code == 200 and 'value="2021"' in page.content.decode()

    preview = client.post(url, {"new_year": 2021, "preview": "1"})
    body = preview.content.decode()
    assert preview.status_code == 200 and not Cycle.objects.filter(code="chongqing-2021").exists()
    assert "召开2021年重庆市义务教育质量监测工作会" in body and "10月27日发放监测工具" in body
    assert "2021-10-28" in body  # the new test day (2020-10-29 + 52 weeks)
    assert "30日" in body and "没写月份" in body  # what will need a look

    response = client.post(url, {"new_year": 2021})
    assert response.status_code == 302
    copy = Cycle.objects.get(code="chongqing-2021")
    assert copy.owner == world.province and copy.status == CycleStatus.DRAFT
    tasks = " ".join(copy.milestones.values_list("task", flat=True))
    assert "召开2021年" in tasks and "2020年" not in tasks and "10月28日" not in tasks
    assert AuditEntry.objects.get(object_id=str(copy.pk), detail="复制监测周期并顺延日期").after["flags"] == 1
    flag = CycleTextFlag.objects.get(cycle=copy)
    assert (flag.path, flag.excerpt) == ("milestones.county[12].task", "30日")

    detail = client.get(reverse("cycles:detail", kwargs={"cycle_code": copy.code})).content.decode()
    assert "复制后待核对的文字" in detail and "30日" in detail
    confirm = reverse("cycles:flag_confirm", kwargs={"cycle_code": copy.code})
    assert client.post(confirm, {"flag": flag.pk}).status_code == 302
    assert client.post(confirm, {"flag": flag.pk}).status_code == 302  # twice: one confirmation
    flag.refresh_from_db()
    assert flag.confirmed_at is not None and flag.confirmed_by.username == "jx"
    detail = client.get(reverse("cycles:detail", kwargs={"cycle_code": copy.code})).content.decode()
    assert "复制后待核对的文字" not in detail


def test_copy_to_a_code_in_use_is_refused_next_to_the_code(world) -> None:
    source = cycle_load_file(path=shipped_template_path("national-2022"))
    cycle_load_file(path=shipped_template_path("national-2023"))
    client = Client()
    client.force_login(make_user("centre", Role.CENTRE_ADMIN, world.centre))
    response = client.post(reverse("cycles:copy", kwargs={"cycle_code": source.code}), {"new_year": 2023})
    assert response.status_code == 422
    assert response.context["form"].errors["new_code"] == ["代码 national-2023 已被使用，请换一个。"]
    response = client.post(reverse("cycles:copy", kwargs={"cycle_code": source.code}),
                           {"days": 371, "new_code": "national-2023-b"})
    assert response.status_code == 302
    assert Cycle.objects.get(code="national-2023-b").test_days[0].isoformat() == "2023-05-31"


def test_cycle_page_names_levels_in_chinese_and_hides_an_empty_responsible_column(world) -> None:
    cycle = cycle_load_file(path=shipped_template_path("national-2022"))
    client = Client()
    client.force_login(make_user("county", Role.COUNTY_ADMIN, world.county_a))
    body = client.get(reverse("cycles:detail", kwargs={"cycle_code": cycle.code})).content.decode()
    assert "市级工作节点" in body and "县级工作节点" in body and "样本校工作节点" in body
    assert "<td>county</td>" not in body and "<td>school</td>" not in body
    assert "<th>负责</th>" not in body  # no milestone of 2022 names its office
    assert "编辑" not in body  # a county only reads
    cycle.milestones.filter(level="county", number=1).update(responsible="县教育局督导室")
    body = client.get(reverse("cycles:detail", kwargs={"cycle_code": cycle.code})).content.decode()
    assert body.count("<th>负责</th>") == 1 and "县教育局督导室" in body
