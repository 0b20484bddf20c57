"""Editing a cycle in the browser (issue 9): every save validates the whole template with the
schema of the YAML files and shows each problem next to its field; a stale page is refused naming
who changed the cycle when; milestones are re-materialised keeping completions; only the centre
edits a national cycle, only the owner's office (or above) its own cycle."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jiance import clock
from jiance.accounts.models import Role
from jiance.audit.models import AuditEntry
from jiance.cycles.models import Cycle, CycleStatus, MilestoneCompletion
from jiance.cycles.services import cycle_load_file, shipped_template_path
from jiance.units.models import Level
from tests.factories import make_unit, make_user

pytestmark = pytest.mark.django_db


def edit_url(cycle: Cycle, section: str) -> str:
    return reverse("cycles:edit", kwargs={"cycle_code": cycle.code, "section": section})


def form_of(response: Any) -> dict[str, Any]:
    """The data the edit page would post back unchanged (hidden fields, every row, every input)."""
    ctx = response.context
    data: dict[str, Any] = {"version": str(ctx["version"]), "section": ctx["section"].key, "save": "1"}
    columns = [c for c in ctx["columns"] if c.kind != "readonly"]
    if ctx["section"].table:
        data["row"] = [r.key for r in ctx["rows"]]
        for c in columns:
            data[f"c-{c.name}"] = [r.values.get(c.name, "") for r in ctx["rows"]]
    else:
        for c in columns:
            data[f"c-{c.name}"] = ctx["values"][c.name]
    return data


def set_cell(data: dict[str, Any], column: str, row: int, value: str) -> None:
    data[f"c-{column}"][row] = value


@pytest.fixture
def centre(world) -> Client:
    client = Client()
    client.force_login(make_user("centre", Role.CENTRE_ADMIN, world.centre, first_name="中心管理员"))
    return client


@pytest.fixture
def national(world) -> Cycle:
    return cycle_load_file(path=shipped_template_path("national-2024"), owner=world.centre)


def test_a_window_end_before_its_start_is_shown_on_its_row_and_nothing_is_saved(centre, national) -> None:
    page = centre.get(edit_url(national, "windows"))
    assert page.status_code == 200
    data = form_of(page)
    set_cell(data, "start", 2, "2024-05-01")  # row 3 starts after it ends (2024-04-26)
    response = centre.post(edit_url(national, "windows"), data)
    assert response.status_code == 422
    placed = response.context["placed"]
    assert placed.rows[2][0] == {"end": ["截止日期早于开始日期"]}
    row = response.context["rows"][2]
    assert row.errors == {"end": ["截止日期早于开始日期"]} and row.values["start"] == "2024-05-01"
    assert "截止日期早于开始日期" in response.content.decode()
    national.refresh_from_db()
    assert national.version == 1 and national.config["windows"][2].get("start") is None


@pytest.mark.parametrize(
    ("section", "column", "row", "value", "field", "reason"),
    [
        ("sessions", "day", 0, "2024-05-24", "day", "不是测试日"),
        ("sessions", "end", 0, "08:00", "end", "不晚于开始时间"),
        ("milestones-county", "task", 0, "  ", "task", "工作任务不能为空"),
        ("milestones-county", "number", 1, "1", "number", "重复"),
        ("milestones-county", "number", 1, "x", "number", "应为整数"),
        ("milestones-school", "phase", 0, "after", "phase", "测试后任务的日期早于"),
        ("documents", "deadline", 0, "2024-03-01", "deadline", "截止日期早于开始日期"),
        ("windows", "reviewed_by", 0, "school", "reviewed_by", "审核层级必须高于上报层级"),
    ],
)
def test_schema_errors_land_on_their_row_and_field(
    centre, national, section: str, column: str, row: int, value: str, field: str, reason: str
) -> None:
    data = form_of(centre.get(edit_url(national, section)))
    set_cell(data, column, row, value)
    response = centre.post(edit_url(national, section), data)
    assert response.status_code == 422
    rows = response.context["rows"]
    reasons = rows[row].errors.get(field, []) + rows[row].row_errors
    assert any(reason in r for r in reasons), (rows[row].errors, rows[row].row_errors,
                                              response.context["placed"].general)


def test_field_sections_show_errors_next_to_the_field(centre, national) -> None:
    data = form_of(centre.get(edit_url(national, "sample")))
    data["c-students_per_school"] = "0"
    response = centre.post(edit_url(national, "sample"), data)
    assert response.status_code == 422
    assert response.context["placed"].fields == {"students_per_school": ["必须为正整数"]}

    data = form_of(centre.get(edit_url(national, "basics")))
    data["c-test_days"] = ["2024-05-22", "2025-05-23"]
    response = centre.post(edit_url(national, "basics"), data)
    assert response.status_code == 422
    assert "测试日 2025-05-23 不在 2024 年" in response.context["placed"].fields["test_days"]


def test_a_change_that_breaks_another_section_names_it_with_a_link(centre, national) -> None:
    data = form_of(centre.get(edit_url(national, "basics")))
    data["c-test_days"] = ["2024-05-29"]  # a week later: sessions, release, milestones now disagree
    response = centre.post(edit_url(national, "basics"), data)
    assert response.status_code == 422
    general = response.context["placed"].general
    assert any(where.startswith("测试场次 第 1 行") and other == "sessions" for where, _, other in general)
    body = response.content.decode()
    assert edit_url(national, "sessions") in body and "去修改" in body


def test_a_valid_save_updates_config_rows_version_and_the_audit_log(centre, national) -> None:
    data = form_of(centre.get(edit_url(national, "milestones-county")))
    set_cell(data, "deadline", 0, "2024-03-21")
    set_cell(data, "task", 0, "接受省级实施工作部署（已调整）。")
    response = centre.post(edit_url(national, "milestones-county"), data)
    assert response.status_code == 302
    national.refresh_from_db()
    assert national.version == 2 and national.updated_by.username == "centre"
    assert national.config["milestones"]["county"][0]["deadline"] == "2024-03-21"
    m = national.milestones.get(level=Level.COUNTY, number=1)
    assert (m.deadline, m.task) == (dt.date(2024, 3, 21), "接受省级实施工作部署（已调整）。")
    # done_when is not on the page and stays as it was
    marked = [x["done_when"] for x in national.config["milestones"]["county"] if x.get("done_when")]
    assert marked == [["frame_submitted", "document_approved:county_group_list"], "sample_confirmed"]
    entry = AuditEntry.objects.filter(object_id=str(national.pk), action="update").latest("pk")
    assert "县级工作节点" in entry.detail and entry.after["version"] == 2
    assert entry.before["milestones-county"][0]["deadline"] == "2024-03-22"
    assert entry.after["milestones-county"][0]["deadline"] == "2024-03-21"


def test_a_stale_page_is_refused_naming_who_changed_it_and_when(world, centre, national) -> None:
    page = centre.get(edit_url(national, "windows"))
    other = Client()
    other.force_login(make_user("centre2", Role.CENTRE_ADMIN, world.centre, first_name="李老师"))
    theirs = form_of(other.get(edit_url(national, "windows")))
    set_cell(theirs, "name", 0, "属地学校信息上报（李）")
    assert other.post(edit_url(national, "windows"), theirs).status_code == 302

    mine = form_of(page)
    set_cell(mine, "end", 0, "2024-03-29")
    response = centre.post(edit_url(national, "windows"), mine)
    assert response.status_code == 409
    body = response.content.decode()
    assert "李老师" in body and "已由" in body and "第 2 版" in body
    national.refresh_from_db()
    assert national.config["windows"][0]["end"] == "2024-03-22"
    assert national.config["windows"][0]["name"] == "属地学校信息上报（李）"


def test_the_same_save_posted_twice_is_acknowledged_once(centre, national) -> None:
    data = form_of(centre.get(edit_url(national, "windows")))
    set_cell(data, "end", 0, "2024-03-29")
    assert centre.post(edit_url(national, "windows"), data).status_code == 302
    assert centre.post(edit_url(national, "windows"), data).status_code == 302  # a second click
    national.refresh_from_db()
    assert national.version == 2


def test_rows_are_added_and_removed_without_javascript(centre, national) -> None:
    data = form_of(centre.get(edit_url(national, "windows")))
    count = len(data["row"])
    data.pop("save")
    response = centre.post(edit_url(national, "windows"), {**data, "add_row": "1"})
    assert response.status_code == 200 and len(response.context["rows"]) == count + 1
    data = form_of(response)
    new = data["row"][-1]
    assert new.startswith("new-")
    set_cell(data, "kind", -1, "proctors")
    set_cell(data, "name", -1, "监测员名单")
    set_cell(data, "reported_by", -1, "county")
    set_cell(data, "end", -1, "2024-05-10")
    assert centre.post(edit_url(national, "windows"), data).status_code == 302
    national.refresh_from_db()
    assert national.config["windows"][-1] == {"kind": "proctors", "name": "监测员名单", "reported_by": "county",
                                              "reviewed_by": None, "start": None, "end": "2024-05-10",
                                              "system": None, "note": None}
    data = form_of(centre.get(edit_url(national, "windows")))
    data.pop("save")
    response = centre.post(edit_url(national, "windows"), {**data, "remove_row": data["row"][0]})
    assert len(response.context["rows"]) == count
    assert centre.post(edit_url(national, "windows"), form_of(response)).status_code == 302
    national.refresh_from_db()
    assert national.config["windows"][0]["kind"] == "sample_confirmation"


def test_htmx_asks_for_a_blank_row(centre, national) -> None:
    url = reverse("cycles:edit_row", kwargs={"cycle_code": national.code, "section": "windows"})
    response = centre.get(url, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith("<tr") and 'name="row" value="new-' in body
    assert centre.get(url + "?remove=1").content == b""
    assert centre.get(reverse("cycles:edit_row", kwargs={"cycle_code": national.code,
                                                         "section": "documents"})).status_code == 404


def test_saving_milestones_keeps_completions_of_milestones_that_still_exist(world, centre, national) -> None:
    first = national.milestones.get(level=Level.COUNTY, number=1)
    second = national.milestones.get(level=Level.COUNTY, number=2)
    for m in (first, second):
        MilestoneCompletion.objects.create(milestone=m, unit=world.county_a,
                                           done_at=dt.datetime(2024, 3, 20, tzinfo=dt.UTC))
    data = form_of(centre.get(edit_url(national, "milestones-county")))
    set_cell(data, "task", 0, "接受部署（改过文字）。")
    data.pop("save")
    response = centre.post(edit_url(national, "milestones-county"), {**data, "remove_row": data["row"][1]})
    assert centre.post(edit_url(national, "milestones-county"), form_of(response)).status_code == 302
    first.refresh_from_db()
    assert first.task == "接受部署（改过文字）。"
    assert MilestoneCompletion.objects.filter(milestone=first, unit=world.county_a).exists()
    assert not national.milestones.filter(level=Level.COUNTY, number=2).exists()
    assert MilestoneCompletion.objects.filter(milestone__cycle=national).count() == 1


def test_document_windows_are_edited_through_the_existing_fields(centre, national) -> None:
    data = form_of(centre.get(edit_url(national, "documents")))
    assert "row" in data and "add_row" not in centre.get(edit_url(national, "documents")).content.decode()
    set_cell(data, "deadline", 0, "2024-03-29")
    assert centre.post(edit_url(national, "documents"), data).status_code == 302
    kind = national.document_kinds.get(code=national.config["documents"][0]["code"])
    assert kind.window_end == dt.date(2024, 3, 29)


def test_an_active_cycle_keeps_its_sample_size(centre, national) -> None:
    Cycle.objects.filter(pk=national.pk).update(status=CycleStatus.ACTIVE)
    page = centre.get(edit_url(national, "sample"))
    assert "样本量不能再修改" in page.content.decode() and "name=\"save\"" not in page.content.decode()
    data = form_of(page)
    data["c-students_per_school"] = "40"
    assert centre.post(edit_url(national, "sample"), data).status_code == 409
    national.refresh_from_db()
    assert national.config["sample_size"]["students_per_school"] == 30


def test_test_days_sessions_and_release_are_fixed_once_an_active_cycle_reaches_its_test_day(
    centre, national
) -> None:
    Cycle.objects.filter(pk=national.pk).update(status=CycleStatus.ACTIVE)
    with clock.frozen(dt.datetime(2024, 5, 21, 12, tzinfo=dt.UTC)):  # 20:00 in Beijing, the day before
        assert "name=\"save\"" in centre.get(edit_url(national, "basics")).content.decode()
    with clock.frozen(dt.datetime(2024, 5, 22, 1, tzinfo=dt.UTC)):  # 09:00 on the first test day
        for section in ("basics", "sessions"):
            page = centre.get(edit_url(national, section))
            assert "测试日已到" in page.content.decode() and "name=\"save\"" not in page.content.decode()
            assert centre.post(edit_url(national, section), form_of(page)).status_code == 409
        assert "name=\"save\"" in centre.get(edit_url(national, "windows")).content.decode()


def test_a_form_that_does_not_line_up_is_refused(centre, national) -> None:
    data = form_of(centre.get(edit_url(national, "windows")))
    data["c-end"] = data["c-end"][:-1]
    assert centre.post(edit_url(national, "windows"), data).status_code == 400
    assert centre.post(edit_url(national, "windows"), {}).status_code == 400
    documents = form_of(centre.get(edit_url(national, "documents")))
    for key, value in list(documents.items()):
        if isinstance(value, list):
            documents[key] = value[1:]  # the first document kind dropped by hand
    assert centre.post(edit_url(national, "documents"), documents).status_code == 400
    national.refresh_from_db()
    assert national.version == 1 and national.document_kinds.count() == len(national.config["documents"])


# --- who may edit ------------------------------------------------------------------------------

def test_a_city_cannot_edit_a_national_cycle(world, national) -> None:
    client = Client()
    client.force_login(make_user("city", Role.CITY_ADMIN, world.city))
    assert client.get(edit_url(national, "windows")).status_code == 403
    data = {"version": "1", "section": "windows", "row": [], "save": "1"}
    assert client.post(edit_url(national, "windows"), data).status_code == 403
    assert client.get(reverse("cycles:copy", kwargs={"cycle_code": national.code})).status_code == 403
    national.refresh_from_db()
    assert national.version == 1 and national.config["windows"]


def test_a_province_edits_its_own_cycle_and_a_sibling_province_sees_nothing(world) -> None:
    own = cycle_load_file(path=shipped_template_path("chongqing-2020"), owner=world.province)
    other_province = make_unit("500000", "重庆市", Level.PROVINCE, world.centre)
    mine, theirs = Client(), Client()
    mine.force_login(make_user("jx", Role.PROVINCE_ADMIN, world.province))
    theirs.force_login(make_user("cq", Role.PROVINCE_ADMIN, other_province))
    data = form_of(mine.get(edit_url(own, "windows")))
    set_cell(data, "end", 0, "2020-09-17")
    assert mine.post(edit_url(own, "windows"), data).status_code == 302
    for url in (edit_url(own, "windows"), reverse("cycles:copy", kwargs={"cycle_code": own.code}),
                reverse("cycles:detail", kwargs={"cycle_code": own.code})):
        assert theirs.get(url).status_code == 404
    assert theirs.post(edit_url(own, "windows"), {**data, "version": "2"}).status_code == 404
    own.refresh_from_db()
    assert own.version == 2


def test_an_unknown_section_is_not_found(centre, national) -> None:
    assert centre.get(edit_url(national, "no-such-section")).status_code == 404


def test_a_cycle_whose_config_is_not_a_template_is_shown_and_refused_not_crashed(world, centre) -> None:
    cycle = Cycle.objects.create(code="bare-2022", year=2022, name="空配置", config={"test_days": []})
    for section in ("basics", "sessions", "sample", "windows", "documents", "milestones-county"):
        page = centre.get(edit_url(cycle, section))
        assert page.status_code == 200, section
    response = centre.post(edit_url(cycle, "windows"), form_of(centre.get(edit_url(cycle, "windows"))))
    assert response.status_code == 422
    assert any(where == "代码" and "缺少必填字段" in reason for where, reason, _ in response.context["placed"].general)
    cycle.refresh_from_db()
    assert cycle.version == 1 and cycle.config == {"test_days": []}


def test_the_replicate_method_is_a_cycle_setting_edited_on_its_own_page(centre, national) -> None:
    assert national.config["analysis"]["replicate_method"] == "jk2"  # the shipped template's default
    page = centre.get(edit_url(national, "analysis"))
    assert page.status_code == 200 and "重复权重方法" in page.content.decode()
    data = form_of(page)
    data["c-replicate_method"] = "fay"
    data["c-fay_replicates"] = "81"  # no Hadamard matrix of that order
    refused = centre.post(edit_url(national, "analysis"), data)
    assert refused.status_code == 422 and "Hadamard" in refused.content.decode()
    national.refresh_from_db()
    assert national.config["analysis"]["replicate_method"] == "jk2"
    data["c-fay_replicates"] = "80"
    data["c-fay_rho"] = "0.3"
    assert centre.post(edit_url(national, "analysis"), data).status_code == 302
    national.refresh_from_db()
    assert national.config["analysis"] == {"replicate_method": "fay", "fay_replicates": 80, "fay_rho": 0.3,
                                           "trim_ratio": 4.0, "min_students": 30, "min_schools": 3}
