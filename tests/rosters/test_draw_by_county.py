"""The student draw per county: a county whose rosters are approved is drawn without waiting for
the others; the city's later draw takes what is left; nothing is drawn twice."""

from __future__ import annotations

import pytest
from django.http import Http404

from jiance.cycles.models import Cycle
from jiance.rosters import services
from jiance.rosters.models import Roster, RosterError, RosterStatus, SampledStudent, StudentDraw
from tests.factories import World
from tests.rosters.builders import People
from tests.rosters.test_services import approve_all

pytestmark = pytest.mark.django_db


def test_a_ready_county_is_drawn_while_another_lags(world: World, cycle: Cycle, people: People) -> None:
    approve_all(world, cycle, people)
    # 进贤县 lags: one of its rosters goes back to the school
    lagging = Roster.objects.get(cycle=cycle, school=world.school_b1)
    Roster.objects.filter(pk=lagging.pk).update(status=RosterStatus.RETURNED, locked=False)

    with pytest.raises(RosterError, match="尚未经市级审核通过"):
        services.students_draw(cycle=cycle, actor=people.city, seed=1)
    with pytest.raises(RosterError, match="进贤县民和镇中心小学"):
        services.students_draw(cycle=cycle, actor=people.city, seed=1, area=world.county_b)

    draw_a = services.students_draw(cycle=cycle, actor=people.city, seed=1, area=world.county_a)
    assert draw_a.owner == world.county_a and draw_a.schools == 2
    assert set(SampledStudent.objects.values_list("school__code", flat=True)) == {"3601210001", "3601210002"}
    with pytest.raises(RosterError, match="不能重复抽取"):
        services.students_draw(cycle=cycle, actor=people.city, seed=2, area=world.county_a)

    # the lagging county catches up; the city's draw takes only what is left
    Roster.objects.filter(pk=lagging.pk).update(status=RosterStatus.APPROVED, locked=True)
    rest = services.students_draw(cycle=cycle, actor=people.city, seed=3)
    assert rest.owner == world.city and rest.schools == 2
    assert set(SampledStudent.objects.filter(draw=rest).values_list("school__code", flat=True)) == {
        "3601240001", "3601240002",
    }
    assert SampledStudent.objects.count() == 30 + 30 + 25 + 30
    with pytest.raises(RosterError, match="均已抽取"):
        services.students_draw(cycle=cycle, actor=people.city, seed=4, area=world.county_b)


def test_a_county_draw_is_the_same_as_its_share_of_a_city_draw_with_the_same_seed(
    world: World, cycle: Cycle, people: People,
) -> None:
    approve_all(world, cycle, people)
    by_county = services.students_draw(cycle=cycle, actor=people.city, seed=2022, area=world.county_a)
    picked = sorted(SampledStudent.objects.filter(draw=by_county).values_list("student_id", flat=True))
    SampledStudent.objects.all().delete()
    StudentDraw.objects.all().delete()
    whole = services.students_draw(cycle=cycle, actor=people.city, seed=2022)
    city_picked = sorted(SampledStudent.objects.filter(draw=whole, school__parent=world.county_a)
                         .values_list("student_id", flat=True))
    assert picked == city_picked  # within-school draws are keyed by school, not by the draw's extent


def test_only_the_city_and_above_draw_and_only_inside_their_area(world: World, cycle: Cycle, people: People) -> None:
    from django.core.exceptions import PermissionDenied

    from tests.factories import make_unit, make_user

    approve_all(world, cycle, people)
    with pytest.raises(PermissionDenied):
        services.students_draw(cycle=cycle, actor=people.county_a, seed=1, area=world.county_a)
    other_city = make_unit("360200", "景德镇市", "city", world.province)
    other_admin = make_user("jdz_city", "city_admin", other_city)
    with pytest.raises(Http404):
        services.students_draw(cycle=cycle, actor=other_admin, seed=1, area=world.county_a)


def test_the_draw_page_draws_one_ready_county(world: World, cycle: Cycle, people: People) -> None:
    from django.urls import reverse

    from tests.factories import client_for

    approve_all(world, cycle, people)
    Roster.objects.filter(cycle=cycle, school=world.school_b1).update(status=RosterStatus.RETURNED, locked=False)
    client = client_for(people.city)
    page = client.get(reverse("rosters:draw")).content.decode()
    row_a = page.split('id="area-360121"')[1].split("</tr>")[0]
    row_b = page.split('id="area-360124"')[1].split("</tr>")[0]
    assert "抽取本县样本学生" in row_a and 'value="360121"' in row_a
    assert "抽取本县样本学生" not in row_b and "已通过 1/2" in row_b

    response = client.post(reverse("rosters:draw"), {"area": "360121", "seed": "9"}, follow=True)
    body = response.content.decode()
    assert "南昌县样本学生已抽取：60 名" in body
    assert StudentDraw.objects.get().owner == world.county_a
    row_a = body.split('id="area-360121"')[1].split("</tr>")[0]
    assert "已抽取" in row_a and "随机种子 9" in row_a
    # the lagging county cannot be drawn from a forged form either
    body = client.post(reverse("rosters:draw"), {"area": "360124"}, follow=True).content.decode()
    assert "尚未经市级审核通过" in body and StudentDraw.objects.count() == 1
    # a county officer has no draw page; a foreign county code is a 404
    assert client_for(people.county_a).get(reverse("rosters:draw")).status_code == 403
    assert client.post(reverse("rosters:draw"), {"area": "999999"}).status_code == 404
