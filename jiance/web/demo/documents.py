"""The demo's implementation documents: every kind of the active cycle at a plausible step for
each unit that submits it, through the real services (so versions, history and audit are real).

A kind whose deadline has passed shows the whole range across the counties (approved, returned
with a reason, waiting for review, submitted late, still a draft, nothing yet); a kind due within
the coming days is partly submitted; a kind not yet open is untouched. Sample schools take part in
the demo county and one per other county (the demo stays quick to build). The demo school's own
lists are left for its accounts to fill.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import cache
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from jiance.accounts.models import Role, User
from jiance.accounts.scoping import Scope
from jiance.apps_registry import DocumentTable
from jiance.documents import services, tables
from jiance.documents.kinds import Kind, cycle_kinds
from jiance.documents.models import DocumentError, Submission
from jiance.documents.printing import table_pdf
from jiance.units.models import Level, Unit
from jiance.web.demo.common import Timeline, acting, stand_in

OTHER_COUNTY_SCHOOLS = 1
HORIZON_DAYS = 14  # kinds due within this many days are partly submitted
# How a past kind's units are spread over the steps (repeated over the units, shuffled by the seed).
PAST_STATES = ("approved", "approved", "approved", "returned", "approved", "submitted", "late", "approved",
               "draft", "approved", "none", "approved")
CURRENT_STATES = ("submitted", "none", "draft", "submitted", "approved", "none", "returned", "none")
FILED_STATES = ("filed", "filed", "none", "filed", "draft", "filed", "none")
RETURN_REASONS = {
    "table": "表中人数与名单不一致，请核对后重新提交。",
    "document": "细则缺少应急预案部分，请补充后重新提交。",
    "scan": "扫描件未加盖公章，请盖章后重新扫描上传。",
}
SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗"
GIVEN = ("建国", "丽萍", "文斌", "海峰", "秀英", "志强", "晓燕", "春华", "明亮", "晓婷", "国华", "建平")
OFFICE_ROLE = {Level.SCHOOL: Role.SCHOOL_INFO_OFFICER, Level.COUNTY: Role.COUNTY_INFO_OFFICER,
               Level.CITY: Role.CITY_INFO_OFFICER, Level.PROVINCE: Role.PROVINCE_ADMIN, Level.CENTRE: Role.CENTRE_ADMIN}


def _name(rng: np.random.Generator) -> str:
    return SURNAMES[int(rng.integers(len(SURNAMES)))] + GIVEN[int(rng.integers(len(GIVEN)))]


def _fill(kind: Kind, unit: Unit, day: dt.date, rng: np.random.Generator) -> dict[str, Any]:
    if kind.form == "checklist":
        items: dict[str, Any] = {}
        for i, item in enumerate(kind.items):
            items[str(i)] = ({"value": f"0791-8{int(rng.integers(1_000_000, 9_999_999))}", "note": "已向社会公布"}
                             if item.answer == "phone" else {"done": True, "note": ""})
        return {"items": items}
    spec = tables.form_spec(kind)
    if spec is None:
        return {}
    data: dict[str, Any] = {}
    for f in spec.fields:
        if f.kind == "int":
            data[f.key] = str(int(rng.integers(1, 60)))
        elif f.kind == "date":
            data[f.key] = day.isoformat()
        elif f.kind == "choice":
            data[f.key] = f.choices[0]
        elif f.kind == "rows":
            posts = (("监测员", "演唱和口语测试监测员", "保密员", "保密员", "信息员", "司时员", "医护人员", "安保人员")
                     if kind.code.endswith("staff_list") else ("组长", "副组长", "联络员", "信息员", "组员"))
            data[f.key] = "\n".join(f"{_name(rng)}，{p}，{unit.name}，138{int(rng.integers(10_000_000, 99_999_999))}"
                                    for p in posts)
        elif f.required:
            data[f.key] = "按要求完成。" if f.kind == "textarea" else unit.name
    return data


@cache
def _pdf(kind_name: str, cycle_name: str) -> bytes:
    """One document per kind, shared by the units (its thumbnail is then drawn once)."""
    rows = (("一、基本情况", "按照上级要求组织实施本周期监测工作。"),
            ("二、人员构成与分工", "成立实施工作领导小组，明确职责分工。"),
            ("三、进度安排", "按实施方案规定的时间节点推进各项工作。"),
            ("四、应急预案", "针对停电、断网、极端天气等情况制订处置预案。"))
    return table_pdf(DocumentTable(title=kind_name, header=("章节", "内容"), rows=rows), cycle_name=cycle_name)


def _photo(rng: np.random.Generator) -> bytes:
    img = Image.new("RGB", (640, 420), tuple(int(x) for x in rng.integers(80, 200, 3)))
    draw = ImageDraw.Draw(img)
    for r in range(6):
        draw.rectangle((40 + r * 95, 260, 110 + r * 95, 380), fill=(60, 60, 80))  # people in rows
    draw.rectangle((200, 40, 440, 160), fill=(240, 240, 240))  # the screen
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def _submitter(unit: Unit, users: dict[str, User], demo_county: Unit, demo_school: Unit) -> Scope:
    if unit.pk == demo_county.pk and "ncx.info" in users:
        return Scope(users["ncx.info"])
    if unit.pk == demo_school.pk and "school.info" in users:
        return Scope(users["school.info"])
    return stand_in(unit, OFFICE_ROLE[Level(unit.level)])


def _reviewer(kind: Kind, unit: Unit, users: dict[str, User], demo_county: Unit) -> Scope:
    parent = unit.parent
    assert parent is not None
    if kind.reviewer_level == Level.COUNTY and parent.pk == demo_county.pk and "ncx.info" in users:
        return Scope(users["ncx.info"])
    if kind.reviewer_level == Level.CITY and "nanchang.info" in users:
        return Scope(users["nanchang.info"])
    return stand_in(parent, OFFICE_ROLE[Level(kind.reviewer_level)])


def _drive(*, cycle: Any, kind: Kind, unit: Unit, state: str, submitter: Scope, reviewer: Scope | None,
           timeline: Timeline, rng: np.random.Generator, submit_ago: int) -> str | None:
    """Take one unit's submission of `kind` to `state`; the state reached, or None if it could not."""
    if state == "none":
        return None
    actor = submitter.user
    with acting(submitter), timeline.at(submit_ago + 1, 9, int(rng.integers(0, 59))):
        sub = services.submission_open(scope=submitter, cycle=cycle, kind=kind, unit=unit, actor=actor)
        sub = services.submission_save(scope=submitter, kind=kind, submission=sub, actor=actor, version=sub.version,
                                       data=_fill(kind, unit, timeline.today - dt.timedelta(days=submit_ago + 1), rng))
        for purpose in kind.wants_files:
            if purpose == "photo":
                content, name = _photo(rng), "培训现场.jpg"
            else:  # the stamped scan of the printed table, or the document itself
                content, name = _pdf(kind.name, cycle.name), f"{kind.name}{'（盖章）' if purpose == 'scan' else ''}.pdf"
            services.file_add(scope=submitter, kind=kind, submission=sub, purpose=purpose, name=name,
                              content=content, version=Submission.objects.get(pk=sub.pk).version, actor=actor)
    if state == "draft":
        return "draft"
    with acting(submitter), timeline.at(submit_ago, 10, int(rng.integers(0, 59))):
        sub = Submission.objects.get(pk=sub.pk)
        try:
            sub = services.submission_submit(scope=submitter, kind=kind, submission=sub, version=sub.version, actor=actor)
        except DocumentError:
            return "draft"  # the platform holds no data for this table yet (e.g. no group entered)
    if state in ("submitted", "late", "filed") or reviewer is None:
        return sub.status
    with acting(reviewer), timeline.at(max(submit_ago - 1, 0), 15, int(rng.integers(0, 59))):
        if state == "returned":
            sub = services.submission_return(scope=reviewer, kind=kind, submission=sub, version=sub.version,
                                             actor=reviewer.user, comment=RETURN_REASONS.get(kind.form, RETURN_REASONS["table"]))
        else:
            sub = services.submission_approve(scope=reviewer, kind=kind, submission=sub, version=sub.version,
                                              actor=reviewer.user)
    return sub.status


def build_documents(*, cycle: Any, city: Unit, counties: list[Unit], demo_county: Unit, demo_school: Unit,
                    schools_by_county: dict[int, list[Unit]], today: dt.date, users: dict[str, User],
                    seed: int) -> dict[str, int]:
    """Every document kind at its steps; returns how many submissions reached each status."""
    rng = np.random.default_rng(seed + 1010)
    timeline = Timeline(today)
    schools: list[Unit] = []
    for county in counties:
        rows = schools_by_county.get(county.pk, [])
        schools += rows if county.pk == demo_county.pk else rows[:OTHER_COUNTY_SCHOOLS]
    units: dict[str, list[Unit]] = {Level.CITY: [city], Level.COUNTY: [c for c in counties if c.pk in schools_by_county] or counties,
             Level.SCHOOL: schools}
    reached: dict[str, int] = {}
    first_day = min(cycle.test_days) if cycle.test_days else None
    for kind in cycle_kinds(cycle):
        phase = kind.phase(today)
        if phase in ("upcoming", "unset") or kind.level not in units or kind.deadline is None:
            continue  # not open yet, or no dates (the seed gave none): nobody has started
        due_soon = kind.deadline >= today
        if due_soon and ((kind.deadline - today).days > HORIZON_DAYS or (first_day and today < first_day <= kind.deadline)):
            continue  # far ahead, or a report on the test itself before the test: not started
        pattern = FILED_STATES if kind.filed else (CURRENT_STATES if due_soon else PAST_STATES)
        order = rng.permutation(len(units[kind.level]))
        for n, i in enumerate(order):
            unit = units[kind.level][int(i)]
            state = pattern[n % len(pattern)]
            if unit.pk == demo_school.pk:
                state = "none" if kind.filed or due_soon else "approved"  # left for school.info to do
            if unit.pk == demo_county.pk and not kind.filed:
                state = "submitted" if not due_soon else "draft"  # nanchang.info has something to review
            deadline = kind.deadline
            if due_soon:
                ago = int(rng.integers(0, 3))
            elif state == "late":
                ago = max((today - deadline).days - 2, 0)
            else:
                ago = (today - deadline).days + int(rng.integers(1, 6))
            reviewer = None if kind.filed else _reviewer(kind, unit, users, demo_county)
            got = _drive(cycle=cycle, kind=kind, unit=unit, state=state,
                         submitter=_submitter(unit, users, demo_county, demo_school), reviewer=reviewer,
                         timeline=timeline, rng=rng, submit_ago=ago)
            if got:
                reached[got] = reached.get(got, 0) + 1
    return reached

