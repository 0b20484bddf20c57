"""Cycle templates: the shipped YAML files load, match the seeds, and broken copies are rejected."""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Callable
from datetime import date, time, timedelta
from typing import Any

import pytest
import yaml

from jiance_core.cycles import (
    SHIPPED_TEMPLATES_DIR,
    CycleTemplate,
    TemplateError,
    dump_template,
    load_template,
    loads_template,
    milestones_for,
    parse_template,
    shift_cycle,
    shipped_templates,
)

CODES = ["national-2022", "national-2023", "national-2024", "chongqing-2020"]


@pytest.fixture(scope="module")
def templates() -> dict[str, CycleTemplate]:
    return shipped_templates()


def raw(code: str) -> dict[str, Any]:
    """The plain data of a shipped template, to break in tests."""
    text = (SHIPPED_TEMPLATES_DIR / f"{code}.yaml").read_text(encoding="utf-8")
    return copy.deepcopy(yaml.safe_load(dump_template(loads_template(text))))


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(TemplateError) as exc:
        parse_template(data)
    return exc.value.problems


def hm(s: str) -> time:
    return time.fromisoformat(s)


# ---------------------------------------------------------------------------------------------------
# the shipped files


@pytest.mark.parametrize("code", CODES)
def test_shipped_template_loads(code: str) -> None:
    t = load_template(SHIPPED_TEMPLATES_DIR / f"{code}.yaml")
    assert t.code == code
    assert str(t.year) in code


def test_all_four_are_shipped(templates: dict[str, CycleTemplate]) -> None:
    assert sorted(templates) == sorted(CODES)


def _table(
    t: CycleTemplate,
) -> list[tuple[date, str, str | None, str | None, str | None, str | None]]:
    rows = []
    for s in t.sessions:
        p = s.span("primary")
        j = s.span("junior")
        rows.append(
            (
                s.day,
                s.name,
                p.start.strftime("%H:%M") if p else None,
                p.end.strftime("%H:%M") if p and p.end else None,
                j.start.strftime("%H:%M") if j else None,
                j.end.strftime("%H:%M") if j and j.end else None,
            )
        )
    return rows


def test_national_2022_matches_spec_section_2(templates: dict[str, CycleTemplate]) -> None:
    t = templates["national-2022"]
    d1, d2 = date(2022, 5, 25), date(2022, 5, 26)
    assert t.test_days == [d1, d2]
    assert t.grades == {"primary": 4, "junior": 8}
    assert t.term == "spring"
    assert _table(t) == [
        (d1, "学生语文测试", "09:00", "10:20", "09:00", "10:20"),
        (d1, "学生相关因素问卷（一）填答", "10:50", "11:20", "11:00", "11:40"),
        (d1, "学生相关因素问卷（二）填答", "14:00", "14:30", "14:00", "14:30"),
        (d1, "学生相关因素问卷（三）填答", "15:00", "15:30", "15:00", "15:30"),
        (d1, "学生相关因素问卷（四）填答", "16:00", "16:30", "16:00", "16:30"),
        (d2, "学生艺术测试", "08:30", "09:50", "08:30", "09:50"),
        (d2, "学生英语测试", "10:20", "11:20", "10:20", "11:40"),
        (d2, "校长与教师网络问卷填答", "09:00", None, "09:00", None),
    ]
    staff = t.sessions[-1]
    assert staff.until_done and "student" not in staff.respondents
    assert {r.code for r in t.local_time_regions} == {"65", "54"}


def test_national_2022_instruments_and_sample(templates: dict[str, CycleTemplate]) -> None:
    t = templates["national-2022"]
    forms = {s.code: s.booklet_forms for s in t.subjects}
    assert forms["chinese"] == {4: 6, 8: 6}
    assert forms["arts"] == {4: 2, 8: 2}
    assert forms["english"] == {4: 2, 8: 6}
    assert all(s.answer_card_paired for s in t.subjects if s.booklet_forms)
    arts = t.subject("arts")
    assert arts is not None and arts.components == ["音乐", "美术"]
    q1 = next(q for q in t.questionnaires if q.code == "student_q1")
    assert q1.mode_for("primary") == "paper" and q1.mode_for("junior") == "online"
    cm = next(q for q in t.questionnaires if q.code == "county_manager")
    assert cm.window is not None
    assert (cm.window.start, cm.window.end) == (date(2022, 5, 27), date(2022, 6, 2))
    ss = t.sample_size
    assert ss.schools_per_unit == {"primary": 12, "junior": 8}
    assert ss.students_per_school == 30
    assert ss.questionnaire_room_spare_pcs_min == 2
    tested = next(w for w in t.windows if w.kind == "tested_students")
    assert tested.end == date(2022, 6, 6)


def test_national_2022_staffing(templates: dict[str, CycleTemplate]) -> None:
    site = templates["national-2022"].staffing.for_site(paper_rooms=1)
    assert site[("责任督学", "county")] == (1, 1)
    assert site[("主监测员", "county")] == (1, 1)
    assert site[("监测员", "school")] == (1, 1)
    assert site[("演唱和口语测试监测员", "school")] == (2, 2)
    assert site[("保密员", "school")] == (2, 2)
    assert site[("信息员", "school")] == (1, 2)
    assert site[("司时员", "school")] == (1, 1)
    assert site[("医护人员", "school")] == (1, 1)
    assert site[("安保人员", "school")] == (2, 2)


def test_national_2022_scope_nanchang(templates: dict[str, CycleTemplate]) -> None:
    scope = templates["national-2022"].scope
    rule = scope.coordinator_for(name="进贤县")
    assert rule is not None and rule.coordinator_level == "province"
    rule = scope.coordinator_for(name="东湖区")
    assert rule is not None and rule.coordinator_level == "city"


def test_national_2024_sessions(templates: dict[str, CycleTemplate]) -> None:
    t = templates["national-2024"]
    d1, d2 = date(2024, 5, 22), date(2024, 5, 23)
    assert t.test_days == [d1, d2]
    got = {(s.day, s.name, s.start, s.end, s.until_done) for s in t.sessions}
    assert got == {
        (d1, "学生数学测试", hm("08:30"), hm("09:50"), False),
        (d1, "学生心理健康测试", hm("10:20"), hm("11:40"), False),
        (d1, "校长与教师问卷填答", hm("09:00"), None, True),
        (d1, "学生相关因素问卷（一）填答", hm("14:00"), hm("14:30"), False),
        (d1, "学生相关因素问卷（二）填答", hm("15:00"), hm("15:30"), False),
        (d1, "学生相关因素问卷（三）填答", hm("16:00"), hm("16:30"), False),
        (d2, "学生体育现场测试", hm("09:00"), None, True),
    }
    cm = next(q for q in t.questionnaires if q.code == "county_manager")
    assert cm.window is not None
    assert (cm.window.start, cm.window.end) == (date(2024, 5, 24), date(2024, 5, 31))
    site = t.staffing.for_site(paper_rooms=1)
    assert site[("体育监测员", "county")] == (2, 2)
    assert site[("体育监测员", "school")] == (2, 2)


def test_national_2024_documents_follow_spec_section_10(
    templates: dict[str, CycleTemplate],
) -> None:
    docs = {d.code: d for d in templates["national-2024"].documents}
    assert (docs["county_group_list"].start, docs["county_group_list"].deadline) == (
        date(2024, 3, 4),
        date(2024, 3, 22),
    )
    assert (docs["county_rules"].start, docs["county_rules"].deadline) == (
        date(2024, 3, 22),
        date(2024, 4, 19),
    )
    assert docs["county_training_report"].photos
    assert docs["county_tools_custody_report"].stamped_scan
    rec = docs["school_test_record"]
    assert (rec.start, rec.deadline) == (date(2024, 5, 22), date(2024, 5, 24))
    assert (rec.review_start, rec.review_deadline) == (date(2024, 5, 22), date(2024, 5, 23))
    assert rec.reviewed_by == "county"
    assert docs["county_summary"].deadline == date(2024, 6, 14)
    assert docs["county_incident_report"].stamped_scan


def test_chongqing_one_day_four_sessions(templates: dict[str, CycleTemplate]) -> None:
    t = templates["chongqing-2020"]
    assert t.test_days == [date(2020, 10, 29)]
    assert t.grades == {"primary": 5, "junior": 9}
    got = [(s.name, s.start, s.end, s.minutes) for s in t.sessions]
    assert got == [
        ("数学学科学业质量监测", hm("09:00"), hm("10:20"), 80),
        ("数学相关因素及身心健康问卷调查", hm("10:50"), hm("11:40"), 50),
        ("英语相关因素及身心健康问卷调查", hm("13:30"), hm("14:20"), 50),
        ("英语学科学业质量监测", hm("14:50"), hm("16:10"), 80),
    ]
    assert t.sessions[3].skip_without_subject == "english"
    assert t.sessions[2].skip_without_subject is None
    parent = next(q for q in t.questionnaires if q.code == "parent")
    assert parent.window is not None
    assert (parent.window.start, parent.window.end) == (date(2020, 11, 11), date(2020, 11, 17))
    assert parent.mode == "phone"
    assert t.release is not None
    assert (t.release.day, t.release.start, t.release.end) == (
        date(2020, 10, 29),
        hm("07:30"),
        hm("08:00"),
    )
    assert not t.release.time_is_assumption
    ss = t.sample_size
    assert (
        ss.students_per_school,
        ss.take_all_if_fewer,
        ss.room_capacity,
        ss.computer_spare_pcs,
    ) == (
        42,
        True,
        42,
        3,
    )
    supp = next(w for w in t.windows if w.kind == "tested_students")
    assert (supp.start, supp.end) == (date(2020, 10, 30), date(2020, 11, 5))


def test_chongqing_staffing_per_room(templates: dict[str, CycleTemplate]) -> None:
    staffing = templates["chongqing-2020"].staffing
    small = staffing.for_site(paper_rooms=2)
    assert small[("区县巡视员", "county")] == (1, 1)
    assert small[("主监测员", "county")] == (2, 2)
    assert small[("副监测员", "school")] == (2, 2)
    big = staffing.for_site(paper_rooms=1, computer_rooms=2)
    assert big[("区县巡视员", "county")] == (2, 2)
    assert big[("计算机技术员", "school")] == (2, 2)
    assert big[("主监测员", "county")] == (3, 3)
    chief = next(r for r in staffing.rules if r.role == "主监测员")
    assert chief.from_other_school and chief.no_swap


@pytest.mark.parametrize(
    ("code", "counts"),
    [
        ("national-2022", {"city": 13, "county": 13, "school": 10}),
        ("national-2024", {"county": 11, "school": 10}),
        ("chongqing-2020", {"city": 10, "county": 16, "school": 13}),
        ("national-2023", {"county": 6, "school": 4}),
    ],
)
def test_milestone_counts(
    templates: dict[str, CycleTemplate], code: str, counts: dict[str, int]
) -> None:
    t = templates[code]
    assert {level: len(milestones_for(t, level)) for level in counts} == counts
    for level in counts:
        assert [m.number for m in milestones_for(t, level)] == list(range(1, counts[level] + 1))


def test_milestone_dates_from_seeds(templates: dict[str, CycleTemplate]) -> None:
    county = milestones_for(templates["national-2022"], "county")
    assert (county[5].start, county[5].deadline) == (date(2022, 4, 15), date(2022, 5, 13))
    assert county[12].deadline == date(2022, 6, 17)
    school = milestones_for(templates["national-2022"], "school")
    assert (school[2].start, school[2].deadline) == (date(2022, 4, 15), None)  # 4月15日起
    city = milestones_for(templates["national-2022"], "city")
    assert city[12].deadline == date(2022, 6, 24)
    assert [m.phase for m in city].count("during") == 1
    cq = milestones_for(templates["chongqing-2020"], "county")
    assert cq[15].deadline == date(2020, 11, 20) and cq[15].start is None
    assert milestones_for(templates["national-2024"], "city") == []


def test_milestones_for_unknown_level(templates: dict[str, CycleTemplate]) -> None:
    with pytest.raises(ValueError, match="未知的层级"):
        milestones_for(templates["national-2022"], "district")


def test_national_2023_facts(templates: dict[str, CycleTemplate]) -> None:
    t = templates["national-2023"]
    assert t.test_days == [date(2023, 5, 24), date(2023, 5, 25)]
    assert [s.name for s in t.subjects] == ["德育", "科学", "劳动", "心理健康"]
    assert t.sessions == []  # the seed gives no timetable


def test_release_times(templates: dict[str, CycleTemplate]) -> None:
    for code in ("national-2022", "national-2023", "national-2024"):
        r = templates[code].release
        assert r is not None
        assert r.day == templates[code].test_days[0]
        assert r.start == hm("07:30") and r.time_is_assumption


# ---------------------------------------------------------------------------------------------------
# validation rules: each broken copy is rejected with the path and the reason


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(d: dict[str, Any]) -> None:
        node: Any = d
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


BROKEN: list[tuple[str, str, Callable[[dict[str, Any]], None], str]] = [
    (
        "national-2022",
        "milestone deadline before start",
        _set(["milestones", "county", 3, "start"], "2022-04-20"),
        "milestones.county[3].deadline：截止日期早于开始日期",
    ),
    (
        "national-2022",
        "milestone window reversed",
        _set(["milestones", "city", 5, "deadline"], "2022-04-01"),
        "milestones.city[5].deadline：截止日期早于开始日期",
    ),
    (
        "national-2022",
        "duplicate milestone numbers",
        _set(["milestones", "school", 4, "number"], 2),
        "milestones.school[4].number：序号 2 与 milestones.school[1] 重复",
    ),
    (
        "national-2022",
        "session end before start",
        _set(["sessions", 0, "end"], "08:50"),
        "sessions[0].end：结束时间 08:50 不晚于开始时间 09:00",
    ),
    (
        "national-2022",
        "per-stage session end before start",
        _set(["sessions", 1, "junior", "end"], "10:40"),
        "sessions[1].junior.end：结束时间 10:40 不晚于开始时间 11:00",
    ),
    (
        "national-2022",
        "session day not a test day",
        _set(["sessions", 5, "day"], "2022-05-27"),
        "sessions[5].day：场次日期 2022-05-27 不是测试日",
    ),
    (
        "national-2022",
        "until_done session with an end",
        _set(["sessions", 7, "end"], "11:00"),
        "sessions[7].end：“至全部完成”的场次不能有结束时间",
    ),
    (
        "national-2022",
        "unknown instrument",
        _set(["sessions", 2, "instrument"], "student_q9"),
        "sessions[2].instrument：未知的学科或问卷代码“student_q9”",
    ),
    (
        "national-2022",
        "overlapping student sessions",
        _set(["sessions", 2, "start"], "10:00"),
        "sessions[2]：小学学生场次与 sessions[0] 时间重叠",
    ),
    (
        "chongqing-2020",
        "minutes disagree with times",
        _set(["sessions", 0, "minutes"], 90),
        "sessions[0].minutes：时长 90 分钟与起止时间 09:00-10:20（80 分钟）不符",
    ),
    (
        "national-2022",
        "zero booklets",
        _set(["subjects", 0, "booklet_forms", 4], 0),
        "subjects[0].booklet_forms[4]：题本套数必须为正整数，现为 0",
    ),
    (
        "national-2022",
        "negative booklets",
        _set(["subjects", 2, "booklet_forms", 8], -6),
        "subjects[2].booklet_forms[8]：题本套数必须为正整数，现为 -6",
    ),
    (
        "national-2022",
        "booklets for a grade that is not tested",
        _set(["subjects", 1, "booklet_forms", 5], 2),
        "subjects[1].booklet_forms[5]：5 年级不是本轮监测年级（4、8）",
    ),
    (
        "national-2022",
        "reporting window reversed",
        _set(["windows", 4, "start"], "2022-06-10"),
        "windows[4].end：截止日期早于开始日期",
    ),
    (
        "national-2024",
        "document window reversed",
        _set(["documents", 1, "start"], "2024-05-01"),
        "documents[1].deadline：截止日期早于开始日期",
    ),
    (
        "national-2024",
        "document review window reversed",
        _set(["documents", 6, "review_start"], "2024-05-25"),
        "documents[6].review_deadline：截止日期早于开始日期",
    ),
    (
        "national-2022",
        "questionnaire window reversed",
        _set(["questionnaires", 9, "window", "start"], "2022-06-05"),
        "questionnaires[9].window.end：截止日期早于开始日期",
    ),
    (
        "national-2022",
        "before-test task after the test",
        _set(["milestones", "county", 0, "deadline"], "2022-05-30"),
        "milestones.county[0].phase：测试前任务的日期晚于首个测试日 2022-05-25",
    ),
    (
        "national-2022",
        "release not on a test day",
        _set(["release", "day"], "2022-05-24"),
        "release.day：样本学生名单发布日期 2022-05-24 不是测试日",
    ),
    (
        "national-2022",
        "release after the first session",
        _set(["release", "start"], "09:30"),
        "release.start：名单发布时间 09:30 不早于当天第一场学生测试 09:00",
    ),
    (
        "national-2022",
        "code year differs from year",
        _set(["code"], "national-2021"),
        "code：代码中的年份 2021 与 year（2022）不一致",
    ),
    (
        "national-2022",
        "rate above one",
        _set(["participation_thresholds", "school_rate"], 85),
        "participation_thresholds.school_rate：参与率应在 0 与 1 之间，现为 85.0",
    ),
    (
        "national-2022",
        "coordinator not above the units",
        _set(["scope", "coordination", 0, "coordinator_level"], "school"),
        "scope.coordination[0].coordinator_level：统筹层级（样本校）必须高于参测单位层级（县级）",
    ),
    (
        "chongqing-2020",
        "room steps out of order",
        _set(
            ["staffing", "rules", 0, "by_rooms"],
            [{"max_rooms": None, "count": 2}, {"max_rooms": 2, "count": 1}],
        ),
        "staffing.rules[0].by_rooms[0].max_rooms：不设上限的档位必须放在最后",
    ),
    (
        "national-2022",
        "unknown field",
        _set(["sessions", 0, "room"], "101"),
        "sessions[0].room：不允许的字段（拼写错误？）",
    ),
    (
        "national-2022",
        "bad phase value",
        _set(["milestones", "school", 0, "phase"], "pre"),
        "milestones.school[0].phase：取值“pre”无效，应为 'before', 'during' or 'after' 之一",
    ),
    # Which events exist (and at which level) is for the platform to say: tests/test_apps_registry.py.
    (
        "national-2022",
        "platform-observed task not an identifier",
        _set(["milestones", "school", 0, "done_when"], "Coffee made!"),
        "milestones.school[0].done_when：“Coffee made!”应为事件标识：小写字母开头，由小写字母、数字和下划线组成，"
        "最多 30 个字符；带参数时写作“事件:参数”",
    ),
    (
        "national-2022",
        "compound task names a document the cycle does not have",
        _set(["milestones", "county", 1, "done_when"], ["frame_submitted", "document_approved:county_plan"]),
        "milestones.county[1].done_when[1]：材料代码“county_plan”不在本周期的实施材料（documents）中",
    ),
    (
        "national-2022",
        "document condition without a code",
        _set(["milestones", "county", 1, "done_when"], "document_approved"),
        "milestones.county[1].done_when：document_approved 须写明材料代码，如 document_approved:county_group_list",
    ),
    (
        "national-2022",
        "sub-unit condition names no task of the level below",
        _set(["milestones", "county", 4, "done_when"], ["subunits_done:42"]),
        "milestones.county[4].done_when[0]：“42”不是样本校工作节点的序号",
    ),
    (
        "national-2022",
        "sub-unit condition at the bottom level",
        _set(["milestones", "school", 0, "done_when"], "subunits_done:1"),
        "milestones.school[0].done_when：样本校没有下一级单位，不能使用 subunits_done",
    ),
    (
        "national-2022",
        "empty condition list",
        _set(["milestones", "school", 0, "done_when"], []),
        "milestones.school[0].done_when：条件列表不能为空",
    ),
    (
        "national-2022",
        "confirmed by a level that is not above",
        _set(["milestones", "county", 0, "confirmed_by"], "school"),
        "milestones.county[0].confirmed_by：确认单位应为县级的上级",
    ),
    (
        "national-2022",
        "an observed task needs no confirmation",
        _set(["milestones", "county", 2, "confirmed_by"], "city"),
        "milestones.county[2].confirmed_by：平台自动完成的工作节点无需上级确认，请删除 confirmed_by 或 done_when",
    ),
    (
        "national-2022",
        "not a date",
        _set(["test_days", 1], "5月26日"),
        "test_days[1]：应为日期，格式 YYYY-MM-DD，现为“5月26日”",
    ),
]


@pytest.mark.parametrize(("code", "what", "mutate", "expected"), BROKEN, ids=[b[1] for b in BROKEN])
def test_broken_copy_is_rejected(
    code: str, what: str, mutate: Callable[[dict[str, Any]], None], expected: str
) -> None:
    data = raw(code)
    mutate(data)
    found = problems(data)
    assert expected in found, found


def test_done_when_single_string_and_list_both_load() -> None:
    data = raw("national-2022")
    data["milestones"]["county"][4]["done_when"] = ["subunits_done:2", "document_approved:county_group_list"]
    data["milestones"]["county"][0]["confirmed_by"] = "city"
    t = parse_template(data)
    assert t.milestones["county"][4].conditions == ["subunits_done:2", "document_approved:county_group_list"]
    assert t.milestones["county"][2].conditions == ["sample_confirmed"]
    assert t.milestones["county"][0].confirmed_by == "city"


def test_missing_field_named() -> None:
    data = raw("national-2022")
    del data["sample_size"]["students_per_school"]
    assert "sample_size.students_per_school：缺少必填字段" in problems(data)


def test_every_problem_is_listed() -> None:
    data = raw("national-2022")
    data["sessions"][0]["end"] = "08:00"
    data["milestones"]["city"][1]["number"] = 1
    data["windows"][4]["start"] = "2022-07-01"
    found = problems(data)
    assert len(found) == 3, found


def test_template_error_text_lists_problems() -> None:
    data = raw("national-2022")
    data["sessions"][0]["day"] = "2022-05-20"
    with pytest.raises(TemplateError) as exc:
        parse_template(data)
    assert "sessions[0].day：场次日期 2022-05-20 不是测试日" in str(exc.value)


def test_yaml_problem_paths_carry_line_numbers() -> None:
    text = (SHIPPED_TEMPLATES_DIR / "chongqing-2020.yaml").read_text(encoding="utf-8")
    broken = text.replace("    minutes: 80\n", "    minutes: 85\n", 1)
    line = broken.splitlines().index("    minutes: 85") + 1
    with pytest.raises(TemplateError) as exc:
        loads_template(broken)
    assert (
        f"sessions[0].minutes（第 {line} 行）：时长 85 分钟与起止时间 09:00-10:20（80 分钟）不符"
        in (exc.value.problems)
    )


def test_yaml_syntax_error_has_line_number() -> None:
    text = "code: x-2022\nyear: 2022\nsessions: [\n  - a\n"
    with pytest.raises(TemplateError) as exc:
        loads_template(text, source="bad.yaml")
    [problem] = exc.value.problems
    assert problem.startswith("bad.yaml 第 ")
    assert "YAML 语法错误" in problem


def test_yaml_top_level_must_be_mapping() -> None:
    with pytest.raises(TemplateError, match="顶层应为映射"):
        loads_template("- 1\n- 2\n")


def test_unquoted_clock_time_is_not_base_60() -> None:
    text = (SHIPPED_TEMPLATES_DIR / "chongqing-2020.yaml").read_text(encoding="utf-8")
    t = loads_template(text.replace('end: "10:20"', "end: 10:20", 1))
    assert t.sessions[0].end == hm("10:20")


def test_missing_file() -> None:
    with pytest.raises(TemplateError, match="无法读取文件"):
        load_template(SHIPPED_TEMPLATES_DIR / "no-such.yaml")


# ---------------------------------------------------------------------------------------------------
# dump and shift


@pytest.mark.parametrize("code", CODES)
def test_dump_load_round_trip(templates: dict[str, CycleTemplate], code: str) -> None:
    t = templates[code]
    assert loads_template(dump_template(t)) == t


def test_shift_moves_every_date_by_the_same_offset(templates: dict[str, CycleTemplate]) -> None:
    t = templates["national-2022"]
    s = shift_cycle(t, new_year=2023)
    assert (s.code, s.year, s.name) == ("national-2023", 2023, "2023 年国家义务教育质量监测")
    old, new = t.all_dates(), s.all_dates()
    assert len(old) == len(new) > 40
    assert all(b - a == timedelta(days=364) for a, b in zip(old, new, strict=True))
    assert all(a.weekday() == b.weekday() for a, b in zip(old, new, strict=True))
    # clock times and everything that is not a date stay as they were
    assert [(x.start, x.end) for x in s.sessions] == [(x.start, x.end) for x in t.sessions]
    assert s.subjects == t.subjects
    assert loads_template(dump_template(s)) == s


def test_shift_by_weeks_lands_on_the_real_later_test_days(
    templates: dict[str, CycleTemplate],
) -> None:
    t = templates["national-2022"]
    assert shift_cycle(t, new_year=2023).test_days == templates["national-2023"].test_days
    assert shift_cycle(t, new_year=2024).test_days == templates["national-2024"].test_days


def test_shift_by_days_and_new_code(templates: dict[str, CycleTemplate]) -> None:
    t = templates["chongqing-2020"]
    s = shift_cycle(t, days=365, new_code="chongqing-2021-draft")
    assert s.code == "chongqing-2021-draft" and s.year == 2021
    assert s.school_year == "2021-2022"
    assert s.test_days == [date(2021, 10, 29)]
    assert s.release is not None and s.release.day == date(2021, 10, 29)
    assert milestones_for(s, "county")[15].deadline == date(2021, 11, 20)
    assert loads_template(dump_template(s)) == s


def test_shift_needs_year_or_days(templates: dict[str, CycleTemplate]) -> None:
    with pytest.raises(ValueError, match="new_year 或 days"):
        shift_cycle(templates["national-2022"])


def test_no_django_import() -> None:
    code = (
        "import sys, jiance_core.cycles; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_platform_observed_tasks_are_marked_in_the_national_templates(
    templates: dict[str, CycleTemplate],
) -> None:
    for code in ("national-2022", "national-2024"):
        t = templates[code]
        marked = {(level, tuple(m.conditions)) for level, items in t.milestones.items() for m in items
                  if m.done_when}
        assert marked == {("county", ("sample_confirmed",)), ("school", ("roster_submitted",)),
                          ("school", ("tested_submitted",)),
                          ("county", ("frame_submitted", "document_approved:county_group_list"))}, code
    shifted = shift_cycle(templates["national-2022"], days=364)
    assert [m.done_when for m in shifted.milestones_for("school")][1] == "roster_submitted"
