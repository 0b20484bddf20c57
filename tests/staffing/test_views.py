"""The staffing pages: groups, a site's form (rule broken, then fixed), submit, badges (PDF, 8 per
page, verification valid/revoked), test-day accounts bound to the cycle."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from jiance.accounts.models import Role, RoleAssignment, User
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle, CycleStatus
from jiance.staffing.models import Badge, StaffingStatus, StaffPost
from tests.factories import World, client_for
from tests.printouts.pdftools import is_pdf, pages, squash, text
from tests.staffing.builders import fill_site, version
from tests.staffing.conftest import Staff


def test_group_page_add_and_explain(world: World, cycle: Cycle, staff: Staff) -> None:
    c = client_for(staff.county_a)
    url = reverse("staffing:group", args=[world.county_a.code])
    page = c.get(url).content.decode()
    assert "县级实施工作领导小组缺少组长：应有 1 人，现有 0 人" in page
    r = c.post(reverse("staffing:group_add", args=[world.county_a.code]),
               {"role": "组长", "name": "黄琰", "post": "县教育局局长", "phone": "0791-1", "version": 0})
    assert r.status_code == 302
    page = c.get(url).content.decode()
    assert "黄琰" in page and "缺少组长" not in page
    # a stale page is refused, nothing added
    r = c.post(reverse("staffing:group_add", args=[world.county_a.code]), {"role": "组员", "name": "x", "version": 0})
    assert r.status_code == 400 and "页面已过期" in r.content.decode()
    # the sibling county: like a missing unit
    assert client_for(staff.county_b).get(url).status_code == 404
    # the city's own group
    assert client_for(staff.city).get(reverse("staffing:group", args=[world.city.code])).status_code == 200


def test_site_form_rule_broken_then_fixed_and_submitted(world: World, cycle: Cycle, staff: Staff) -> None:
    a1, a2 = world.school_a1, world.school_a2
    fill_site(cycle, a2, county_actor=staff.county_a, school_actor=staff.school_a2, chief_home=a1)
    c = client_for(staff.county_a)
    for role, name in (("责任督学", "督学一"), ("主监测员", "主监一")):
        r = c.post(reverse("staffing:site_add", args=[a1.code]),
                   {"slot": f"{role}|county|", "name": name, "home": a1.code if role == "主监测员" else "",
                    "version": version(cycle, world.county_a)})
        assert r.status_code == 302, r.content.decode()
    page = c.get(reverse("staffing:site", args=[a1.code])).content.decode()
    assert "主监测员须由其他学校人员担任，主监一是本校人员" in page
    school = client_for(staff.school_a1)
    page = school.get(reverse("staffing:site", args=[a1.code])).content.decode()
    assert 'value="责任督学|county|"' not in page  # the school fills only its own posts
    assert 'value="保密员|school|"' in page
    county_page = c.get(reverse("staffing:county", args=[world.county_a.code])).content.decode()
    assert re.search(r'id="submit-staffing" disabled', county_page)
    r = c.post(reverse("staffing:submit", args=[world.county_a.code]), {"version": version(cycle, world.county_a)},
               follow=True)
    assert "不能提交" in r.content.decode()
    # fixed: the chief proctor comes from A2; the school fills its posts
    chief = StaffPost.objects.get(site=a1, role="主监测员")
    c.post(reverse("staffing:post_delete", args=[chief.pk]), {"version": version(cycle, world.county_a)})
    StaffPost.objects.filter(site=a1).delete()
    fill_site(cycle, a1, county_actor=staff.county_a, school_actor=staff.school_a1, chief_home=a2)
    r = c.post(reverse("staffing:submit", args=[world.county_a.code]), {"version": version(cycle, world.county_a)},
               follow=True)
    assert "测试工作人员安排已提交" in r.content.decode()
    assert world.county_a.pk in {s.unit_id for s in __import__("jiance.staffing.models", fromlist=["Sheet"]).Sheet
                                 .objects.filter(status=StaffingStatus.SUBMITTED)}
    # the sibling county sees none of it
    other = client_for(staff.county_b)
    assert other.get(reverse("staffing:site", args=[a1.code])).status_code == 404
    assert other.get(reverse("staffing:county", args=[world.county_a.code])).status_code == 404
    post = StaffPost.objects.filter(site=a1).first()
    assert post is not None
    assert other.post(reverse("staffing:post_delete", args=[post.pk])).status_code == 404
    assert StaffPost.objects.filter(pk=post.pk).exists()


def test_badges_sheet_eight_per_page_and_verification(world: World, cycle: Cycle, staff: Staff) -> None:
    fill_site(cycle, world.school_a1, county_actor=staff.county_a, school_actor=staff.school_a1,
              chief_home=world.school_a2)
    c = client_for(staff.county_a)
    assert c.post(reverse("staffing:badges_issue", args=[world.county_a.code])).status_code == 302
    badges = list(Badge.objects.filter(site=world.school_a1).order_by("pk"))
    assert len(badges) == 12 and len({b.token for b in badges}) == 12
    assert all(len(b.token) >= 22 for b in badges)
    # printing again reuses the badges (same QR codes)
    c.post(reverse("staffing:badges_issue", args=[world.county_a.code]))
    assert Badge.objects.filter(site=world.school_a1).count() == 12
    r = c.get(reverse("staffing:badge_sheet", args=[world.county_a.code]))
    assert r.status_code == 200 and is_pdf(r.content) and r["Cache-Control"].startswith("no-store")
    assert pages(r.content) == 2
    first = squash(text(r.content, page=1))
    assert sum(1 for b in badges[:8] if squash(b.name) in first) == 8
    assert not any(squash(b.name) in first for b in badges[8:])
    assert "督学1" in first and "南昌县莲塘第一小学" in first and "2022年国家义务教育质量监测" in first
    assert "责任督学" in first and "扫码核验" in first
    one = c.get(reverse("staffing:badge_pdf", args=[badges[0].pk]))
    assert pages(one.content) == 1 and "督学1" in squash(text(one.content))
    # the public verification page: no login, only name, post, site, cycle, status
    public = Client()
    page = public.get(reverse("staffing:verify", args=[badges[0].token]))
    body = page.content.decode()
    assert page.status_code == 200 and "有效" in body and "督学1" in body and "南昌县莲塘第一小学" in body
    assert "13800000000" not in body  # the phone entered for the inspector stays private
    assert c.post(reverse("staffing:badge_revoke", args=[badges[0].pk])).status_code == 302
    body = public.get(reverse("staffing:verify", args=[badges[0].token])).content.decode()
    assert "已作废" in body
    assert public.get(reverse("staffing:verify", args=["x" * 22])).status_code == 404
    # the sheet leaves the revoked badge out; a revoked badge's own PDF is gone
    r = c.get(reverse("staffing:badge_sheet", args=[world.county_a.code]))
    assert "督学1" not in squash(text(r.content))
    assert c.get(reverse("staffing:badge_pdf", args=[badges[0].pk])).status_code == 404
    # the sibling county: no badges of this county
    other = client_for(staff.county_b)
    assert other.get(reverse("staffing:badge_pdf", args=[badges[1].pk])).status_code == 404
    assert other.post(reverse("staffing:badge_revoke", args=[badges[1].pk])).status_code == 404
    assert Badge.objects.get(pk=badges[1].pk).valid


def test_testday_accounts_in_bulk_end_with_the_cycle(world: World, cycle: Cycle, staff: Staff) -> None:
    fill_site(cycle, world.school_a1, county_actor=staff.county_a, school_actor=staff.school_a1,
              chief_home=world.school_a2)
    # the inspector already has an account (same name and phone): a role is added to it
    existing = User.objects.create_user(username="duxue1", full_name="督学1", phone="13800000000", password="x-Y-z-123")
    c = client_for(staff.county_a)
    r = c.post(reverse("staffing:accounts", args=[world.county_a.code]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    usernames = [row[4] for row in rows[1:]]
    # 主监测员, 监测员, 2 口语监测员, 2 保密员, 信息员(technician), 司时员 get accounts; 医护/安保 none
    assert sorted(usernames) == sorted([
        "3601210001-zj1", "3601210001-jc1", "3601210001-jc2", "3601210001-jc3", "3601210001-bm1",
        "3601210001-bm2", "3601210001-js1", "3601210001-ss1"])
    assert all(row[5] for row in rows[1:])  # one-time passwords, shown once
    proctor = User.objects.get(username="3601210001-jc1")
    assert proctor.must_change_password and proctor.full_name == "数学甲1"
    grant = RoleAssignment.objects.get(user=proctor)
    assert (grant.role, grant.unit, grant.cycle) == (Role.PROCTOR, world.school_a1, cycle)
    assert RoleAssignment.objects.get(user=existing).role == Role.INSPECTOR
    assert Scope(proctor).holds([Role.PROCTOR], world.school_a1)
    assert not Scope(proctor).sees(world.school_a2)
    # running it again creates nothing new
    again = c.post(reverse("staffing:accounts", args=[world.county_a.code]))
    assert len(list(load_workbook(io.BytesIO(again.content)).active.iter_rows(values_only=True))) == 1
    # the role ends when the cycle closes; a standing role does not
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.CLOSED)
    assert not Scope(User.objects.get(pk=proctor.pk)).holds([Role.PROCTOR])
    assert Scope(User.objects.get(pk=staff.county_a.pk)).holds([Role.COUNTY_ADMIN])
    # only account managers create accounts
    assert client_for(staff.county_a_info).post(
        reverse("staffing:accounts", args=[world.county_a.code])).status_code == 403


def test_home_sends_each_person_to_their_part(world: World, cycle: Cycle, staff: Staff) -> None:
    from jiance.units.models import Level
    from tests.factories import make_unit, make_user

    assert client_for(staff.county_a).get(reverse("staffing:home"))["Location"].endswith(
        f"/staffing/county/{world.county_a.code}/")
    assert client_for(staff.school_a1).get(reverse("staffing:home"))["Location"].endswith(
        f"/staffing/site/{world.school_a1.code}/")
    page = client_for(staff.city).get(reverse("staffing:home")).content.decode()
    assert "南昌县" in page and "进贤县" in page
    other = make_unit("3601210099", "南昌县非样本小学", Level.SCHOOL, world.county_a)
    officer = make_user("ns", Role.SCHOOL_INFO_OFFICER, other)
    assert 'id="not-sample"' in client_for(officer).get(reverse("staffing:home")).content.decode()
    assert client_for(officer).get(reverse("staffing:site", args=[other.code])).status_code == 404
    proctor = make_user("pr", Role.PROCTOR, world.school_a1)
    assert client_for(proctor).get(reverse("staffing:home")).status_code == 403
