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
