"""The demo's leadership groups and test-day staffing, through the real services.

- The city and every county record their 实施工作领导小组 (synthetic names); 新建区's group still
  lacks its 信息员, so its page explains what is missing.
- Every county staffs its sample schools as [000] asks (责任督学 and a 主监测员 from the next
  sample school, sent by the county; the school's own 监测员, 演唱和口语测试监测员, 保密员, 信息员,
  司时员, 医护人员, 安保人员) and submits; the demo county (南昌县) has two schools still to do
  and has not submitted; one other county has a rule broken (a 主监测员 from the school itself)
  and cannot submit. The demo county's badges are made.

Where no demo account works, a stand-in acts (`common.stand_in`), audited by label. The city's
and the demo county's people go one by one through the services; the other counties' groups and
staff are inserted in bulk (the same rows; one audit entry each) to keep the build short; every submission goes
through the service and its rule checks.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from jiance import clock
from jiance.accounts.models import Role, User
from jiance.accounts.scoping import Scope
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.cycles.models import Cycle
from jiance.staffing.models import GroupMember, Sheet, SheetKind, StaffPost
from jiance.staffing.selectors import group_spec, staffing_rules
from jiance.staffing.services import badges_issue, group_member_add, staff_post_add, staffing_submit
from jiance.units.models import Level, Unit
from jiance.web.demo.common import Sample, Timeline, acting, stand_in

SURNAMES = "王李张刘陈杨黄赵吴周徐孙朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢熊"
GIVEN = "建华秀英志强丽萍文斌海燕国庆春梅晓东红立新玉兰俊杰桂芳永刚慧敏德明小卫淑珍光雪振婷"
POSTS = {"组长": "县教育体育局局长", "副组长": "县教育体育局副局长", "组员": "县教育体育局科长",
         "联络员": "县教育督导室主任", "信息员": "县电教站技术员"}
CITY_POSTS = {"组长": "市教育局局长", "副组长": "市教育局副局长", "组员": "市教育局科长", "办公室主任": "市教育评估监测中心所长",
              "办公室副主任": "市教育局督导室副主任", "联络员": "质量监测与评价研究所研究员", "信息员": "质量监测与评价研究所技术员"}
# The school's own people: (role, subjects) in [000]'s order; counts come from the cycle.
SCHOOL_SUBJECTS = {"监测员": ["math"], "演唱和口语测试监测员": ["science"], "信息员": ["it"], "保密员": ["moral"],
                   "司时员": ["math"]}
UNFINISHED_IN_DEMO_COUNTY = 2  # sample schools 南昌县 has not staffed yet
GROUP_GAP_COUNTY = "360112"  # 新建区: its group lacks the 信息员
STAFF_DAYS_AGO = 14


@dataclass
class StaffingSummary:
    groups: int = 0
    posts: int = 0
    submitted: int = 0
    broken_county: str = ""
    badges: int = 0
    seconds: float = 0.0  # how long this step took (CPU-bound: the services, one call per person)


class _Names:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.used: set[str] = set()

    def __call__(self) -> str:
        while True:  # some 50 000 names: the demo's few thousand people stay distinct
            name = "".join(str(c) for c in (self.rng.choice(list(SURNAMES)), *self.rng.choice(list(GIVEN), 2)))
            if name not in self.used:
                self.used.add(name)
                return name

    def phone(self) -> str:
        return "1" + str(self.rng.choice(["39", "37", "58", "88"])) + "".join(str(d) for d in self.rng.integers(0, 10, 8))


def _version(cycle: Cycle, unit: Unit, kind: str) -> int:
    sheet = Sheet.objects.filter(cycle=cycle, unit=unit, kind=kind).first()
    return sheet.version if sheet else 0


def _group(cycle: Cycle, unit: Unit, scope: Scope, names: _Names, *, skip: str = "", bulk: bool = False) -> int:
    """The unit's leadership group as the cycle asks (one short where `skip` names a role):
    through the service, or in one insert (`bulk`, one audit entry) for the counties nobody
    logs in to."""
    spec = group_spec(cycle, unit.level)
    if spec is None:
        return 0
    posts = CITY_POSTS if unit.level == Level.CITY else POSTS
    people = [
        {"role": r.role, "body": r.body, "name": names(), "post": posts.get(r.role, ""), "phone": names.phone()}
        for r in spec.roles if r.role != skip
        for _i in range(r.max if r.max is not None else max(r.min, 3 if r.role in ("组员", "成员") else 2))
    ]
    with acting(scope):
        if bulk:
            GroupMember.objects.bulk_create(GroupMember(cycle=cycle, unit=unit, created_at=clock.now(), **d)
                                            for d in people)
            audit_record(action=Action.CREATE, object_type="staffing.groupmember", unit=unit,
                         object_repr=f"{unit.name}{spec.name}", after={"members": len(people)},
                         detail="演示：批量登记领导小组成员")
            return len(people)
        for d in people:
            group_member_add(scope=scope, cycle=cycle, unit=unit, data=d,
                             version=_version(cycle, unit, SheetKind.GROUP), actor=scope.user)
    return len(people)


def _site_people(cycle: Cycle, county: Unit, site: Unit, chief_home: Unit, names: _Names) -> list[dict[str, Any]]:
    """The people of one site as the cycle's per-site rules ask ([000]'s 2022 posts)."""
    out = []
    for rule in (r for r in staffing_rules(cycle).rules if r.per == "site"):
        for _i in range(rule.count or 0):
            data: dict[str, Any] = {
                "role": rule.role, "provided_by": rule.provided_by, "name": names(), "phone": names.phone(),
                "subjects": list(rule.subjects) or SCHOOL_SUBJECTS.get(rule.role, []),
                "home": chief_home if rule.from_other_school else (site if rule.provided_by == Level.SCHOOL else county),
            }
            if rule.from_other_school:
                data["post"] = "教务主任"
            out.append(data)
    return out


def _staff_site(cycle: Cycle, county: Unit, site: Unit, chief_home: Unit, county_scope: Scope,
                names: _Names) -> int:
    """One person at a time through the service, as the county and the school would."""
    school_scope = stand_in(site, Role.SCHOOL_INFO_OFFICER)
    people = _site_people(cycle, county, site, chief_home, names)
    for data in people:
        scope = county_scope if data["provided_by"] == Level.COUNTY else school_scope
        with acting(scope):
            staff_post_add(scope=scope, cycle=cycle, site=site, data=data,
                           version=_version(cycle, county, SheetKind.STAFFING), actor=scope.user)
    return len(people)


def _staff_sites_in_bulk(cycle: Cycle, county: Unit, sites: list[tuple[Unit, Unit]], names: _Names) -> int:
    """The other counties' people written in one insert (one audit entry per county): the same
    rows the service writes, some 2 500 of them, which one by one would make most of the build."""
    now = clock.now()
    rows = [StaffPost(cycle=cycle, site=site, role=d["role"], provided_by=d["provided_by"], name=d["name"],
                      phone=d["phone"], post=d.get("post", ""), home=d["home"], subjects=d["subjects"], created_at=now)
            for site, chief_home in sites for d in _site_people(cycle, county, site, chief_home, names)]
    StaffPost.objects.bulk_create(rows, batch_size=500)
    audit_record(action=Action.CREATE, object_type="staffing.staffpost", object_repr=f"{county.name} 测试工作人员",
                 unit=county, after={"sites": len(sites), "people": len(rows)}, detail="演示：批量安排测试工作人员")
    return len(rows)


def build_staffing(
    *, cycle: Cycle, city: Unit, counties: list[Unit], sample: Sample, demo_county: Unit,
    users: dict[str, User], seed: int, today: dt.date,
) -> StaffingSummary:
    started = time.perf_counter()
    summary = StaffingSummary()
    names = _Names(seed + 7)
    when = Timeline(today)
    by_county = sample.schools_by_county()
    with when.at(STAFF_DAYS_AGO + 20, 10):
        summary.groups += _group(cycle, city, Scope(users["nanchang.admin"]), names)
    broken = next((c for c in counties if c.pk != demo_county.pk and len(by_county.get(c.pk, [])) >= 2), None)
    for k, county in enumerate(counties):
        scope = Scope(users["ncx.admin"]) if county.pk == demo_county.pk else stand_in(county, Role.COUNTY_ADMIN)
        with when.at(STAFF_DAYS_AGO + 18, 9, k):
            summary.groups += _group(cycle, county, scope, names, bulk=county.pk != demo_county.pk,
                                     skip="信息员" if county.code == GROUP_GAP_COUNTY else "")
        sites = by_county.get(county.pk, [])
        if county.pk == demo_county.pk:
            sites = sites[:-UNFINISHED_IN_DEMO_COUNTY] if len(sites) > UNFINISHED_IN_DEMO_COUNTY else sites
        everyone = by_county.get(county.pk, [])
        homes = []
        for i, site in enumerate(sites):
            chief_home = everyone[(i + 1) % len(everyone)] if len(everyone) > 1 else county
            if broken is not None and county.pk == broken.pk and i == 0:
                chief_home = site  # the rule broken: 主监测员 from the school itself
            homes.append((site, chief_home))
        with when.at(STAFF_DAYS_AGO, 10, k), acting(scope):
            if county.pk == demo_county.pk:
                summary.posts += sum(_staff_site(cycle, county, s, h, scope, names) for s, h in homes)
            elif homes:
                summary.posts += _staff_sites_in_bulk(cycle, county, homes, names)
        if county.pk != demo_county.pk and (broken is None or county.pk != broken.pk) and sites:
            with when.at(STAFF_DAYS_AGO - 1, 16, k), acting(scope):
                staffing_submit(scope=scope, cycle=cycle, county=county,
                                version=_version(cycle, county, SheetKind.STAFFING), actor=scope.user)
                summary.submitted += 1
    summary.broken_county = broken.name if broken else ""
    with when.at(STAFF_DAYS_AGO - 2, 15):
        summary.badges = len(badges_issue(scope=Scope(users["ncx.admin"]), cycle=cycle, county=demo_county,
                                          actor=users["ncx.admin"]))
    summary.seconds = time.perf_counter() - started
    return summary
