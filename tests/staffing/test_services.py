"""Leadership groups, staffing with its rules and the submit step, through the services."""

from __future__ import annotations

import pytest
from django.http import Http404

from jiance.accounts.scoping import Scope
from jiance.apps_registry import document_table_provider
from jiance.cycles.models import Cycle
from jiance.errors import RoleRequired
from jiance.staffing import selectors
from jiance.staffing.models import Sheet, SheetKind, StaffingError, StaffingStatus, StaffPost
from jiance.staffing.services import (
    group_member_add,
    group_member_delete,
    staff_post_delete,
    staffing_submit,
    staffing_withdraw,
)
from tests.factories import World
from tests.staffing.builders import add, fill_site, version
from tests.staffing.conftest import Staff


def group_version(cycle: Cycle, unit: object) -> int:
    s = Sheet.objects.filter(cycle=cycle, unit=unit, kind=SheetKind.GROUP).first()
    return s.version if s else 0


def test_county_group_composition_is_explained(world: World, cycle: Cycle, staff: Staff) -> None:
    scope = Scope(staff.county_a)
    for role, name in (("组长", "甲"), ("副组长", "乙"), ("联络员", "丙")):
        group_member_add(scope=scope, cycle=cycle, unit=world.county_a, data={"role": role, "name": name},
                         version=group_version(cycle, world.county_a), actor=staff.county_a)
    members = list(selectors.group_members(scope=scope, cycle=cycle, unit=world.county_a))
    assert selectors.group_problems(cycle=cycle, unit=world.county_a, members=members) == [
        "县级实施工作领导小组缺少信息员：应有 1—2 人，现有 0 人"]
    group_member_add(scope=scope, cycle=cycle, unit=world.county_a,
                     data={"role": "信息员", "name": "丁", "phone": "0791-1234567", "post": "县教育局信息中心"},
                     version=group_version(cycle, world.county_a), actor=staff.county_a)
    members = list(selectors.group_members(scope=scope, cycle=cycle, unit=world.county_a))
    assert selectors.group_problems(cycle=cycle, unit=world.county_a, members=members) == []
    # the group list document is generated from it
    table = document_table_provider("county_group_list")(cycle=cycle, unit=world.county_a)  # type: ignore[misc]
    assert table.title == "南昌县县级实施工作领导小组名单"
    assert [r[1:3] for r in table.rows] == [("组长", "甲"), ("副组长", "乙"), ("联络员", "丙"), ("信息员", "丁")]
    assert table.rows[3][3:] == ("县教育局信息中心", "0791-1234567")
    assert table.notes == ()
    with pytest.raises(StaffingError, match="没有“秘书”这一角色"):
        group_member_add(scope=scope, cycle=cycle, unit=world.county_a, data={"role": "秘书", "name": "戊"},
                         version=group_version(cycle, world.county_a), actor=staff.county_a)
    with pytest.raises(StaffingError, match="页面已过期"):
        group_member_delete(scope=scope, member=members[0], version=1, actor=staff.county_a)
    with pytest.raises(Http404):  # the sibling county cannot even see it
        group_member_add(scope=Scope(staff.county_b), cycle=cycle, unit=world.county_a,
                         data={"role": "组员", "name": "x"}, version=None, actor=staff.county_b)


def test_county_staffing_rules_block_submission_until_fixed(world: World, cycle: Cycle, staff: Staff) -> None:
    county, a1, a2 = world.county_a, world.school_a1, world.school_a2
    # 主监测员 of A1 from A1 itself: broken rule
    fill_site(cycle, a1, county_actor=staff.county_a, school_actor=staff.school_a1, chief_home=a1)
    fill_site(cycle, a2, county_actor=staff.county_a, school_actor=staff.school_a2, chief_home=a1)
    view = selectors.county_view(scope=Scope(staff.county_a), cycle=cycle, county=county)
    assert [v.message for v in view.violations] == ["南昌县莲塘第一小学：主监测员须由其他学校人员担任，主监1是本校人员"]
    with pytest.raises(StaffingError, match=r"还有 1 处不符合配备要求，不能提交：.*主监1是本校人员"):
        staffing_submit(scope=Scope(staff.county_a), cycle=cycle, county=county, version=version(cycle, county),
                        actor=staff.county_a)
    chief = StaffPost.objects.get(site=a1, role="主监测员")
    staff_post_delete(scope=Scope(staff.county_a), post=chief, version=version(cycle, county), actor=staff.county_a)
    add(staff.county_a, cycle, a1, "主监测员", "county", "主监1", home=a2)
    sheet = staffing_submit(scope=Scope(staff.county_a), cycle=cycle, county=county, version=version(cycle, county),
                            actor=staff.county_a)
    assert sheet.status == StaffingStatus.SUBMITTED
    with pytest.raises(StaffingError, match="已提交，须先撤回"):
        add(staff.school_a1, cycle, a1, "安保人员", "school", "安保壬")
    staffing_withdraw(scope=Scope(staff.county_a), cycle=cycle, county=county, version=version(cycle, county),
                      actor=staff.county_a)
    # the school staff list document comes from the staffing
    table = document_table_provider("school_staff_list")(cycle=cycle, unit=a1)  # type: ignore[misc]
    assert table.rows[0][1:5] == ("责任督学", "县级选派", "", "督学1")
    assert table.rows[1][1:6] == ("主监测员", "县级选派", "", "主监1", "南昌县莲塘第二中学")
    assert len(table.rows) == 12


def test_who_provides_whom(world: World, cycle: Cycle, staff: Staff) -> None:
    a1 = world.school_a1
    with pytest.raises(RoleRequired):  # the school does not appoint the county's inspector
        add(staff.school_a1, cycle, a1, "责任督学", "county", "某")
    with pytest.raises(StaffingError, match="由样本校自配，须为本校人员"):
        add(staff.county_a, cycle, a1, "保密员", "school", "某", home=world.school_a2)
    with pytest.raises(StaffingError, match="须来自本县"):
        add(staff.county_a, cycle, a1, "主监测员", "county", "某", home=world.school_b1)
    with pytest.raises(StaffingError, match="本轮没有“体育监测员”这一岗位"):
        add(staff.county_a, cycle, a1, "体育监测员", "county", "某")
    with pytest.raises(StaffingError, match="页面已过期"):
        from jiance.staffing.services import staff_post_add

        add(staff.school_a1, cycle, a1, "保密员", "school", "甲")
        staff_post_add(scope=Scope(staff.school_a1), cycle=cycle, site=a1,
                       data={"role": "保密员", "provided_by": "school", "name": "甲"}, version=0,
                       actor=staff.school_a1)


def test_a_teacher_from_the_roster_brings_their_subjects(world: World, cycle: Cycle, staff: Staff) -> None:
    from jiance import clock
    from jiance.rosters.models import Roster, Teacher

    now = clock.now()
    roster = Roster.objects.create(cycle=cycle, school=world.school_a1, stage="primary", grade=4,
                                   created_at=now, updated_at=now)
    teacher = Teacher.objects.create(roster=roster, name="英语周", sex="女", roles=["english", "head_teacher"],
                                     questionnaire_role="english", updated_at=now)
    post = add(staff.school_a1, cycle, world.school_a1, "演唱和口语测试监测员", "school", "", teacher=teacher)
    assert (post.name, post.subjects, post.home) == ("英语周", ["english"], world.school_a1)
    view = selectors.county_view(scope=Scope(staff.county_a), cycle=cycle, county=world.county_a)
    assert any(v.kind == "wrong_subject" and v.people == ("英语周",) for v in view.violations)


def test_chongqing_per_room_staffing_and_mutual_exchange(world: World, staff: Staff) -> None:
    from tests.staffing.conftest import add_rooms, make_staffing_cycle

    cycle = make_staffing_cycle(world, "chongqing-2020")
    a1, a2 = world.school_a1, world.school_a2
    r1 = add_rooms(cycle, a1, 1)[0]
    r2 = add_rooms(cycle, a2, 1)[0]
    add(staff.county_a, cycle, a1, "主监测员", "county", "甲", home=a2, room=r1)
    add(staff.county_a, cycle, a2, "主监测员", "county", "乙", home=a1, room=r2)
    view = selectors.county_view(scope=Scope(staff.county_a), cycle=cycle, county=world.county_a)
    exchange = [v for v in view.violations if v.kind == "mutual_exchange"]
    assert len(exchange) == 1 and set(exchange[0].people) == {"甲", "乙"}
    with pytest.raises(StaffingError, match="按监测室配备，请选择监测室"):
        add(staff.county_a, cycle, a1, "主监测员", "county", "丙", home=a2)


def test_sibling_county_cannot_read_or_change_the_staff(world: World, cycle: Cycle, staff: Staff) -> None:
    post = add(staff.county_a, cycle, world.school_a1, "责任督学", "county", "督学甲")
    other = Scope(staff.county_b)
    assert list(selectors.posts_of(scope=other, cycle=cycle, sites=[world.school_a1])) == []
    with pytest.raises(Http404):
        selectors.post_get(scope=other, pk=post.pk)
    with pytest.raises(Http404):
        selectors.site_get(scope=other, cycle=cycle, code=world.school_a1.code)
    with pytest.raises(Http404):
        staff_post_delete(scope=other, post=post, version=None, actor=staff.county_b)
    assert StaffPost.objects.filter(pk=post.pk).exists()
