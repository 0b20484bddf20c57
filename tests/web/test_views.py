"""The home page per role: own tasks due and overdue, what sub-units still owe, quick links."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from jiance.accounts.models import Role
from jiance.cycles.models import Cycle, CycleStatus
from tests.factories import World, make_user
from tests.web.conftest import Progress

pytestmark = pytest.mark.django_db


def client_for(username: str, role: str, unit: object) -> Client:
    client = Client()
    client.force_login(make_user(username, role, unit))
    return client


def card(html: str, unit_code: str, name: str) -> str:
    """The HTML of one card (data-card=name) inside the panel of one unit."""
    panel = html.split(f'data-unit="{unit_code}"', 1)[1].split('<section class="panel"', 1)[0]
    chunk = panel.split(f'data-card="{name}"', 1)[1]
    return re.split(r'data-card="|<div class="more"|<nav class="quick-links"', chunk, maxsplit=1)[0]


def home(client: Client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_county_admin_sees_own_overdue_and_due_tasks(world: World, progress: Progress) -> None:
    html = home(client_for("ca", Role.COUNTY_ADMIN, world.county_a))
    overdue = card(html, world.county_a.code, "overdue")
    due = card(html, world.county_a.code, "due")
    assert progress.county_overdue.task in overdue
    assert progress.county_due.task in due
    # done and not-yet-started tasks are neither overdue nor due
    for m in (progress.county_done, progress.county_upcoming):
        assert m.task not in overdue and m.task not in due
    assert progress.county_due.task not in overdue


def test_a_task_done_by_the_unit_is_not_overdue_for_it(world: World, progress: Progress) -> None:
    html = home(client_for("cb", Role.COUNTY_ADMIN, world.county_b))
    assert progress.county_overdue.task not in card(html, world.county_b.code, "overdue")


def test_county_sees_which_schools_still_owe_with_names_and_counts(world: World, progress: Progress) -> None:
    html = home(client_for("ca", Role.COUNTY_ADMIN, world.county_a))
    owing = card(html, world.county_a.code, "owing")
    row = owing.split(f'data-milestone="{progress.school_overdue.number}"', 1)[1].split("</li>", 1)[0]
    assert "<strong>1</strong>/2" in row  # school_a2 owes it, school_a1 did it
    assert world.school_a2.name in row and world.school_a1.name not in row
    # the due school task: both owe it; the test-day task is not owed before the test
    assert f'data-milestone="{progress.school_due.number}"' in owing
    assert f'data-milestone="{progress.school_test_day.number}"' not in owing
    # never a school of another county
    assert world.school_b1.name not in html and world.school_b2.name not in html
    assert reverse("web:lagging", args=[world.county_a.code]) in owing
    assert reverse("web:owing", args=[world.county_a.code, progress.school_overdue.pk]) in owing


def test_city_sees_lagging_counties(world: World, progress: Progress) -> None:
    html = home(client_for("city", Role.CITY_ADMIN, world.city))
    owing = card(html, world.city.code, "owing")
    row = owing.split(f'data-milestone="{progress.county_overdue.number}"', 1)[1].split("</li>", 1)[0]
    assert world.county_a.name in row and world.county_b.name not in row
    assert "<strong>1</strong>/2" in row
    # the chips of lagging counties: A has one overdue task, B none
    chips = owing.split('<ul class="chips">', 1)[1].split("</ul>", 1)[0]
    assert world.county_a.name in chips and world.county_b.name not in chips


def test_school_principal_sees_own_tasks_and_no_subunit_card(world: World, progress: Progress) -> None:
    html = home(client_for("p", Role.PRINCIPAL, world.school_a2))
    assert progress.school_overdue.task in card(html, world.school_a2.code, "overdue")
    assert progress.school_due.task in card(html, world.school_a2.code, "due")
    assert 'data-card="owing"' not in html
    # school_a1 did the overdue task
    html_a1 = home(client_for("p1", Role.PRINCIPAL, world.school_a1))
    assert progress.school_overdue.task not in card(html_a1, world.school_a1.code, "overdue")


def test_only_participating_schools_are_counted(world: World, sample_only_a1: Progress) -> None:
    html = home(client_for("ca", Role.COUNTY_ADMIN, world.county_a))
    owing = card(html, world.county_a.code, "owing")
    # school_a1 (the only sample school) did the overdue task: the row disappears
    assert f'data-milestone="{sample_only_a1.school_overdue.number}"' not in owing
    due_row = owing.split(f'data-milestone="{sample_only_a1.school_due.number}"', 1)[1].split("</li>", 1)[0]
    assert "<strong>1</strong>/1" in due_row
    assert world.school_a2.name not in owing


def test_quick_links_follow_the_role(world: World, progress: Progress) -> None:
    admin = home(client_for("ca", Role.COUNTY_ADMIN, world.county_a))
    principal = home(client_for("p", Role.PRINCIPAL, world.school_a1))
    audit = reverse("audit:list")
    links = lambda html: html.split('<nav class="quick-links"', 1)[1].split("</nav>", 1)[0]  # noqa: E731
    assert audit in links(admin) and audit not in links(principal)
    assert reverse("units:detail", args=[world.school_a1.code]) in links(principal)
    assert reverse("cycles:detail", args=[progress.cycle.code]) in links(principal)
    proctor = home(client_for("pr", Role.PROCTOR, world.school_a1))
    assert reverse("sampling:school") in links(principal)
    assert reverse("sampling:school") not in links(proctor)
    sampling = f'href="{reverse("sampling:home")}"'
    assert sampling in links(admin) and sampling not in links(principal)


def test_person_with_roles_in_two_units_gets_two_panels(world: World, progress: Progress) -> None:
    from jiance.accounts.models import RoleAssignment

    client = Client()
    user = make_user("two", Role.COUNTY_INFO_OFFICER, world.county_a)
    RoleAssignment.objects.create(user=user, role=Role.PRINCIPAL, unit=world.school_b1)
    client.force_login(user)
    html = home(client)
    assert f'data-unit="{world.county_a.code}"' in html and f'data-unit="{world.school_b1.code}"' in html


def test_no_active_cycle(world: World, frozen_today: object) -> None:
    Cycle.objects.create(code="draft", year=2022, name="草稿周期", status=CycleStatus.DRAFT, config={})
    html = home(client_for("ca", Role.COUNTY_ADMIN, world.county_a))
    assert "当前没有进行中的监测周期" in html
    assert 'data-card="overdue"' not in html


def test_home_requires_login(world: World) -> None:
    response = Client().get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_owing_list_full_page_and_htmx_partial(world: World, progress: Progress) -> None:
    client = client_for("ca", Role.COUNTY_ADMIN, world.county_a)
    url = reverse("web:owing", args=[world.county_a.code, progress.school_due.pk])
    full = client.get(url).content.decode()
    assert "<html" in full and world.school_a1.name in full and world.school_a2.name in full
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and world.school_a2.name in partial
    done_url = reverse("web:owing", args=[world.county_a.code, progress.school_overdue.pk])
    done = client.get(done_url).content.decode()
    assert world.school_a2.name in done and world.school_a1.name not in done


def test_owing_list_of_a_foreign_unit_is_404(world: World, progress: Progress) -> None:
    client = client_for("ca", Role.COUNTY_ADMIN, world.county_a)
    assert client.get(reverse("web:owing", args=[world.county_b.code, progress.school_due.pk])).status_code == 404
    # a milestone of the wrong level for this unit
    assert client.get(reverse("web:owing", args=[world.county_a.code, progress.county_due.pk])).status_code == 404
    assert client.get(reverse("web:lagging", args=[world.county_b.code])).status_code == 404


def test_lagging_list(world: World, progress: Progress) -> None:
    html = client_for("city", Role.CITY_ADMIN, world.city).get(
        reverse("web:lagging", args=[world.city.code])
    ).content.decode()
    table = html.split("<tbody>", 1)[1]
    assert world.county_a.name in table and world.county_b.name not in table


def test_home_in_english(world: World, progress: Progress) -> None:
    client = client_for("ca", Role.COUNTY_ADMIN, world.county_a)
    client.cookies["django_language"] = "en"
    html = home(client)
    assert 'lang="en"' in html
    assert "Overdue" in html and "已逾期" not in html
    assert "Schools still owing" in html


def test_chinese_by_default_even_for_an_english_browser(world: World, progress: Progress) -> None:
    client = client_for("ca", Role.COUNTY_ADMIN, world.county_a)
    html = client.get(reverse("home"), headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert 'lang="zh-CN"' in html and "工作台" in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "My work" in home(client)


def test_levels_without_milestones_say_so(world: World, progress: Progress) -> None:
    html = home(client_for("centre", Role.CENTRE_ADMIN, world.centre))
    assert "本周期没有本级的工作节点" in html
    assert 'data-card="overdue"' not in html
    assert 'data-card="owing"' not in html  # no province-level milestones either
    city = home(client_for("city", Role.CITY_ADMIN, world.city))
    assert "本周期没有本级的工作节点" in city and 'data-card="owing"' in city
