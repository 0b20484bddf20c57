"""The app registry: every app declares its nav entry, home links, kept uploads, milestone events
and URL parameters in `jiance/<app>/registry.py`; the shared pages read them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jiance import apps_registry
from jiance.accounts.models import ROLE_LEVELS, Role
from jiance.apps_registry import AppEntry, KeptUpload, MilestoneEvent, NavEntry
from jiance.cycles.models import Cycle, CycleStatus, Milestone
from jiance.cycles.services import cycle_activate, cycle_load_file, shipped_template_path
from jiance_core.cycles.loader import load_template
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db

UNIT_OF_LEVEL = {"centre": "centre", "province": "province", "city": "city", "county": "county_a",
                 "school": "school_a1"}


def nav_hrefs(html: str) -> list[str]:
    nav = html.split('<nav class="topnav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'href="([^"]+)"', nav)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_menu_shows_each_item_only_to_roles_that_may_use_it(world: World, role: str) -> None:
    """For one person holding only `role`: an item shown opens (never 403); an item hidden
    would have been refused (403). So the nav neither hides a page nor offers a refusal."""
    unit = getattr(world, UNIT_OF_LEVEL[ROLE_LEVELS[role][0]])
    client = Client()
    client.force_login(make_user(f"u-{role}", role, unit))
    shown = nav_hrefs(client.get(reverse("home")).content.decode())
    entries = apps_registry.nav_entries()
    assert len(entries) >= 10
    for entry in entries:
        url = reverse(entry.url_name)
        status = client.get(url).status_code
        if url in shown:
            assert status != 403, f"{role} sees {entry.url_name} but is refused"
        else:
            assert entry.roles is not None and role not in entry.roles
            assert status == 403, f"{role} does not see {entry.url_name} but may open it ({status})"


def test_menu_of_school_officer_county_officer_and_centre(world: World) -> None:
    def menu(role: str, unit: Any) -> list[str]:
        return [str(label) for label, _url in apps_registry.menu([role])]

    assert menu(Role.SCHOOL_INFO_OFFICER, world.school_a1) == [
        "首页", "单位", "监测周期", "工作节点", "样本校抽样", "学生名单", "测试日", "实时进度", "检录与场次", "应急事件", "工作人员", "体育现场测试", "测后上报", "实施材料",
        "录音监控",
    ]
    assert menu(Role.COUNTY_INFO_OFFICER, world.county_a) == [
        "首页", "单位", "监测周期", "工作节点", "学校信息上报", "样本校抽样", "学生名单", "测试日", "实时进度", "检录与场次", "保密材料", "应急事件", "工作人员", "体育现场测试", "测后上报", "实施材料",
        "监测报告", "录音监控", "审计日志",
    ]
    assert menu(Role.CENTRE_ADMIN, world.centre) == [
        "首页", "单位", "监测周期", "工作节点", "学校信息上报", "样本校抽样", "学生名单", "测试日", "实时进度", "检录与场次", "保密材料", "应急事件", "工作人员", "体育现场测试", "测后上报",
        "实施材料", "监测报告", "学生权重", "网络问卷", "网络测试题目", "人员与账号", "录音监控", "后台任务", "审计日志",
    ]
    assert menu(Role.PROCTOR, world.school_a1) == ["首页", "单位", "监测周期", "测试日", "实时进度", "检录与场次", "应急事件", "体育现场测试"]


def _route_params() -> dict[str, set[str]]:
    """URL parameters of each namespace's routes."""
    out: dict[str, set[str]] = {}

    def walk(patterns: list[Any], namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern):
                out.setdefault(namespace, set()).update(p.pattern.regex.groupindex)

    walk(get_resolver().url_patterns, "")
    return out


def test_every_app_declares_the_url_parameters_of_its_routes() -> None:
    declared = {e.app: set(e.url_params) for e in apps_registry.entries()}
    for namespace, params in _route_params().items():
        if namespace in declared:
            assert params <= declared[namespace], f"{namespace}: declare {sorted(params - declared[namespace])}"
            assert declared[namespace] <= params, f"{namespace}: no route takes {sorted(declared[namespace] - params)}"


def test_every_app_with_pages_is_served_under_its_prefix() -> None:
    for e in apps_registry.entries():
        for n in e.nav:
            assert reverse(n.url_name)  # the nav entry resolves
    assert ("sampling", "jiance.sampling.urls") in apps_registry.url_includes()
    assert reverse("sampling:home").startswith("/sampling/")


def test_kept_uploads_cover_every_upload_model() -> None:
    keys = {k.key for k in apps_registry.kept_uploads()}
    assert keys == {"roster_rejected", "tested_rejected", "frame_uploads", "unit_imports",
                    "document_files_removed", "job_files"}


def test_a_new_app_is_read_from_its_declaration(monkeypatch: pytest.MonkeyPatch, world: World) -> None:
    """Adding an app = its declaration: the nav, the events and retention see it."""
    purged: list[Any] = []

    def purge(cutoff: Any) -> int:
        purged.append(cutoff)
        return 3

    extra = AppEntry(
        app="newapp",
        nav=(NavEntry("新应用", "home", order=95, roles=(Role.CITY_ADMIN,)),),
        kept_uploads=(KeptUpload("new_files", "新应用文件", purge=purge),),
        milestone_events=(MilestoneEvent("plan_filed", "city"),),
    )
    known = apps_registry.entries()
    monkeypatch.setattr(apps_registry, "entries", lambda: (*known, extra))
    assert "新应用" in [str(label) for label, _ in apps_registry.menu([Role.CITY_ADMIN])]
    assert "新应用" not in [str(label) for label, _ in apps_registry.menu([Role.COUNTY_ADMIN])]
    from jiance.retention import uploads_purge

    assert uploads_purge(keep_days=1)["new_files"] == 3 and len(purged) == 1
    apps_registry.check_done_when({"city": [Milestone(done_when="plan_filed")]})


# --- done_when: any identifier in the core, a registered event on the platform ----------------
def _template_with(level: str, index: int, event: str) -> Any:
    t = load_template(shipped_template_path("national-2022"))
    t.milestones[level][index].done_when = event  # type: ignore[index]
    return t


def test_registered_events_are_the_templates_vocabulary() -> None:
    assert {name: (e.level, e.param) for name, e in apps_registry.milestone_events().items()} == {
        "sample_confirmed": ("county", ""), "roster_submitted": ("school", ""), "tested_submitted": ("school", ""),
        "frame_submitted": ("county", ""), "frame_approved": ("county", ""),
        "document_approved": ("", "document"), "subunits_done": ("", "milestone"),
    }


def test_shipped_templates_load(world: World) -> None:
    for code in ("national-2022", "national-2024"):
        cycle_load_file(path=shipped_template_path(code))


def test_unknown_event_is_refused_naming_the_field(world: World) -> None:
    from jiance.cycles.services import cycle_load_template

    with pytest.raises(ValueError) as exc:
        cycle_load_template(template=_template_with("school", 0, "coffee_made"))
    assert str(exc.value) == (
        "milestones.school[0].done_when：“coffee_made”不是平台登记的自动完成事件，应为 “document_approved:…”、"
        "“subunits_done:…”、“frame_submitted”、“frame_approved”、“sample_confirmed”、“roster_submitted”、"
        "“tested_submitted” 之一"
    )
    assert not Cycle.objects.exists()


def test_event_at_the_wrong_level_is_refused(world: World) -> None:
    from jiance.cycles.services import cycle_load_template

    with pytest.raises(ValueError) as exc:
        cycle_load_template(template=_template_with("city", 0, "roster_submitted"))
    assert str(exc.value) == "milestones.city[0].done_when：“roster_submitted”只能用于样本校工作节点，这里是市级"


def test_activation_checks_the_events_again(world: World) -> None:
    cycle = Cycle.objects.create(code="x-2022", year=2022, name="周期", config={}, status=CycleStatus.DRAFT)
    Milestone.objects.create(cycle=cycle, level="county", number=3, phase="before", task="任务",
                             done_when="gone_event")
    with pytest.raises(ValueError, match="gone_event"):
        cycle_activate(cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.DRAFT
