"""The staffing rules of the shipped cycles, each with a case that passes and one that breaks it
(jiance_core.staffing; seeds [000] [002] [003])."""

from __future__ import annotations

import pytest

from jiance_core.cycles.loader import shipped_templates
from jiance_core.cycles.schema import CycleTemplate, GroupRole, StaffRule
from jiance_core.staffing import (
    Member,
    Post,
    Room,
    Site,
    check_county,
    check_group,
    check_site,
    slots,
)

A, B, C = "3601210001", "3601210002", "3601210003"
COUNTY = "360121"


@pytest.fixture(scope="module")
def templates() -> dict[str, CycleTemplate]:
    return shipped_templates()


def rules_of(t: CycleTemplate) -> list[StaffRule]:
    return t.staffing.rules


def full_2022_site(code: str = A, *, chief_home: str = B) -> list[Post]:
    """Every post of a 2022 sample school filled as [000] asks."""
    def school(role: str, name: str, subjects: tuple[str, ...] = ("math",)) -> Post:
        return Post(code, role, "school", name, code, subjects=frozenset(subjects))
    return [
        Post(code, "责任督学", "county", f"督学{code[-1]}", COUNTY),
        Post(code, "主监测员", "county", f"主监{code[-1]}", chief_home),
        school("监测员", f"监测员{code[-1]}", ("math",)),
        school("演唱和口语测试监测员", f"口语甲{code[-1]}", ("math",)),
        school("演唱和口语测试监测员", f"口语乙{code[-1]}", ("science",)),
        school("保密员", f"保密甲{code[-1]}"), school("保密员", f"保密乙{code[-1]}"),
        school("信息员", f"信息员{code[-1]}", ("it",)),
        school("司时员", f"司时员{code[-1]}"),
        school("医护人员", f"校医{code[-1]}", ()),
        school("安保人员", f"安保甲{code[-1]}", ()), school("安保人员", f"安保乙{code[-1]}", ()),
    ]


def kinds(violations: list) -> list[str]:  # type: ignore[type-arg]
    return [v.kind for v in violations]


def test_a_fully_staffed_2022_site_passes(templates: dict[str, CycleTemplate]) -> None:
    rules = rules_of(templates["national-2022"])
    assert check_site(rules, Site(A, "甲校"), full_2022_site()) == []


def test_count_short_and_surplus_are_named(templates: dict[str, CycleTemplate]) -> None:
    rules = rules_of(templates["national-2022"])
    posts = [p for p in full_2022_site() if p.name != "保密乙1"]
    short = check_site(rules, Site(A, "甲校"), posts)
    assert kinds(short) == ["short"]
    assert short[0].message == "甲校：保密员（学校自配）应有 2 人，现有 1 人"
    posts = [*full_2022_site(), Post(A, "信息员", "school", "信息员丙", A, subjects=frozenset({"it"})),
             Post(A, "信息员", "school", "信息员丁", A, subjects=frozenset({"it"}))]
    surplus = check_site(rules, Site(A, "甲校"), posts)
    assert kinds(surplus) == ["surplus"]
    assert "信息员（学校自配）至多 2 人，现有 3 人" in surplus[0].message


def test_chief_proctor_from_another_school(templates: dict[str, CycleTemplate]) -> None:
    rules = rules_of(templates["national-2022"])
    assert check_site(rules, Site(A, "甲校"), full_2022_site(chief_home=B)) == []
    broken = check_site(rules, Site(A, "甲校"), full_2022_site(chief_home=A))
    assert kinds(broken) == ["same_school"]
    assert broken[0].message == "甲校：主监测员须由其他学校人员担任，主监1是本校人员"
    assert broken[0].people == ("主监1",)


def test_proctor_teaches_no_tested_subject(templates: dict[str, CycleTemplate]) -> None:
    rules = rules_of(templates["national-2022"])
    posts = [p if p.role != "监测员" else Post(A, "监测员", "school", "语文王", A, subjects=frozenset({"chinese"}))
             for p in full_2022_site()]
    broken = check_site(rules, Site(A, "甲校"), posts)
    assert kinds(broken) == ["wrong_subject"]
    assert "监测员不能由语文、音乐、美术、英语教师担任，语文王任教语文" in broken[0].message


def test_singing_and_speaking_proctors_not_english_or_music(templates: dict[str, CycleTemplate]) -> None:
    rules = rules_of(templates["national-2022"])
    posts = [p if p.name != "口语甲1" else Post(A, "演唱和口语测试监测员", "school", "英语李", A,
                                              subjects=frozenset({"english", "math"}))
             for p in full_2022_site()]
    broken = check_site(rules, Site(A, "甲校"), posts)
    assert kinds(broken) == ["wrong_subject"]
    assert broken[0].people == ("英语李",)
    assert "英语李任教英语" in broken[0].message


def test_information_officer_is_a_computer_teacher(templates: dict[str, CycleTemplate]) -> None:
    rules = rules_of(templates["national-2022"])
    posts = [p if p.role != "信息员" else Post(A, "信息员", "school", "数学赵", A, subjects=frozenset({"math"}))
             for p in full_2022_site()]
    broken = check_site(rules, Site(A, "甲校"), posts)
    assert kinds(broken) == ["wrong_subject"]
    assert "信息员须由信息技术教师担任，数学赵不是" in broken[0].message


def test_2024_pe_proctors_two_from_county_two_from_school(templates: dict[str, CycleTemplate]) -> None:
    rules = [r for r in rules_of(templates["national-2024"]) if r.role == "体育监测员"]
    pe = frozenset({"pe"})
    good = [Post(A, "体育监测员", "county", "县体甲", C, subjects=pe), Post(A, "体育监测员", "county", "县体乙", C, subjects=pe),
            Post(A, "体育监测员", "school", "校体甲", A, subjects=pe), Post(A, "体育监测员", "school", "校体乙", A, subjects=pe)]
    assert check_site(rules, Site(A, "甲校"), good) == []
    broken = check_site(rules, Site(A, "甲校"), good[:3])
    assert kinds(broken) == ["short"]
    assert "体育监测员（学校自配）应有 2 人，现有 1 人" in broken[0].message


def chongqing_site(code: str, rooms: int, *, chief_home: str, inspectors: int) -> tuple[Site, list[Post]]:
    site = Site(code, f"校{code[-1]}", tuple(Room(f"junior-{i}", f"第{i}监测室", "paper") for i in range(1, rooms + 1)))
    posts = [Post(code, "区县巡视员", "county", f"巡视{code[-1]}{i}", COUNTY) for i in range(inspectors)]
    posts += [Post(code, role, "school", f"{role}{code[-1]}{i}", code)
              for role, n in (("监测点主任", 1), ("监测点副主任", 1), ("信息员", 1), ("安保人员", 2), ("司时员", 1))
              for i in range(n)]
    for room in site.rooms:
        posts.append(Post(code, "主监测员", "county", f"主监{code[-1]}{room.key}", chief_home, room=room.key))
        posts.append(Post(code, "副监测员", "school", f"副监{code[-1]}{room.key}", code, room=room.key))
    return site, posts


def test_chongqing_inspectors_by_room_count(templates: dict[str, CycleTemplate]) -> None:
    rules = rules_of(templates["chongqing-2020"])
    small, posts = chongqing_site(A, 2, chief_home=C, inspectors=1)
    assert check_site(rules, small, posts) == []
    big, posts = chongqing_site(A, 3, chief_home=C, inspectors=1)
    broken = check_site(rules, big, posts)
    assert kinds(broken) == ["short"]
    assert "区县巡视员（县级选派）应有 2 人，现有 1 人" in broken[0].message
    big, posts = chongqing_site(A, 3, chief_home=C, inspectors=2)
    assert check_site(rules, big, posts) == []


def test_chongqing_one_chief_proctor_per_room(templates: dict[str, CycleTemplate]) -> None:
    rules = rules_of(templates["chongqing-2020"])
    site, posts = chongqing_site(A, 2, chief_home=C, inspectors=1)
    assert len([s for s in slots(rules, site) if s.rule.role == "主监测员"]) == 2
    posts = [p for p in posts if not (p.role == "主监测员" and p.room == "junior-2")]
    broken = check_site(rules, site, posts)
    assert kinds(broken) == ["short"]
    assert broken[0].message.startswith("校1第2监测室：主监测员（县级选派）应有 1 人")


def test_chongqing_no_mutual_exchange_of_proctors(templates: dict[str, CycleTemplate]) -> None:
    rules = rules_of(templates["chongqing-2020"])
    site_a, posts_a = chongqing_site(A, 1, chief_home=C, inspectors=1)
    site_b, posts_b = chongqing_site(B, 1, chief_home=A, inspectors=1)
    assert check_county(rules, [site_a, site_b], posts_a + posts_b) == []  # C (not sampled) sends to A
    site_a, posts_a = chongqing_site(A, 1, chief_home=B, inspectors=1)
    broken = check_county(rules, [site_a, site_b], posts_a + posts_b)
    assert kinds(broken) == ["mutual_exchange"]
    assert "校1与校2互派监测员" in broken[0].message and "不允许两所样本校的监测员互派" in broken[0].message
    assert set(broken[0].people) == {"主监1junior-1", "主监2junior-1"}


def test_national_allows_exchange_but_not_the_same_person_twice(templates: dict[str, CycleTemplate]) -> None:
    """2022 has no no-swap rule: A and B may send each other chief proctors; one person at two
    sites is always refused."""
    rules = rules_of(templates["national-2022"])
    sites = [Site(A, "甲校"), Site(B, "乙校")]
    posts = full_2022_site(A, chief_home=B) + full_2022_site(B, chief_home=A)
    assert check_county(rules, sites, posts) == []
    twice = [*posts[:1], *[p for p in posts[1:] if p.name != "督学2"],
             Post(B, "责任督学", "county", "督学1", COUNTY)]
    broken = check_county(rules, sites, twice)
    assert kinds(broken) == ["two_sites"]
    assert broken[0].message == "督学1同时安排在 2 个监测点（甲校、乙校）"


def test_rooms_missing_for_per_room_rules(templates: dict[str, CycleTemplate]) -> None:
    rules = rules_of(templates["chongqing-2020"])
    assert "no_rooms" in kinds(check_site(rules, Site(A, "甲校"), []))
    assert "no_rooms" not in kinds(check_site(rules_of(templates["national-2022"]), Site(A, "甲校"), []))


def test_group_composition(templates: dict[str, CycleTemplate]) -> None:
    roles = templates["national-2022"].groups["county"].roles
    good = [Member("组长", "甲"), Member("副组长", "乙"), Member("副组长", "丙"), Member("联络员", "丁"),
            Member("信息员", "戊"), Member("组员", "己"), Member("组员", "庚"), Member("组员", "辛")]
    assert check_group(roles, good) == []
    broken = check_group(roles, [*good[1:], Member("副组长", "壬"), Member("秘书", "癸")], name="县级实施工作领导小组")
    assert broken == [
        "县级实施工作领导小组缺少组长：应有 1 人，现有 0 人",
        "县级实施工作领导小组副组长过多：应有 1—2 人，现有 3 人（乙、丙、壬）",
        "县级实施工作领导小组没有“秘书”这一角色（癸）",
    ]


def test_chongqing_office_roles(templates: dict[str, CycleTemplate]) -> None:
    group = templates["chongqing-2020"].groups["county"]
    assert [r.role for r in group.roles] == ["办公室主任", "办公室副主任", "联络员", "信息填报员", "区县计算机技术员"]
    assert all(r.body == "office" for r in group.roles)
    assert check_group(group.roles, [Member("办公室主任", "甲")])[0] == "领导小组缺少办公室副主任：应有 1—2 人，现有 0 人"


def test_group_role_counts_are_checked_in_the_template() -> None:
    from pydantic import ValidationError

    from jiance_core.cycles.schema import LeadershipGroup

    assert LeadershipGroup(name="x", roles=[GroupRole(role="组长", min=1, max=1)])
    t = shipped_templates()["national-2022"].model_dump(mode="json")
    t["groups"]["county"]["roles"][1]["max"] = 0
    with pytest.raises(ValidationError, match=r"groups\.county\.roles\[1\]\.max"):
        CycleTemplate.model_validate(t)
    t = shipped_templates()["national-2022"].model_dump(mode="json")
    t["staffing"]["rules"][2]["not_subjects"] = ["latin"]
    with pytest.raises(ValidationError, match="未知学科“latin”"):
        CycleTemplate.model_validate(t)
