from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jiance.accounts.models import Role
from jiance.audit.models import AuditEntry
from jiance.cycles.models import Cycle
from jiance.reporting.models import FrameStatus, FrameSubmission
from jiance.sampling import services
from jiance.sampling.models import (
    DrawStatus,
    ReplacementRequest,
    RequestStatus,
    RowStatus,
    SampledSchool,
    SchoolDraw,
)
from jiance.sampling.selectors import EXPORT_COLUMNS
from jiance.units.models import Unit
from tests.factories import World, client_for, make_user
from tests.htmx_oob import oob_part
from tests.sampling.conftest import People, scope_of

pytestmark = pytest.mark.django_db



def publish(people: People, world: World, cycle: Cycle, seed: int = 11) -> SchoolDraw:
    d = services.draw_create(scope=scope_of(people.city), cycle=cycle, owner=world.city, seed=seed, actor=people.city)
    return services.draw_publish(scope=scope_of(people.city), draw=d, actor=people.city)


def test_home_redirects_by_role(sampling_world: World, cycle: Cycle, people: People) -> None:
    assert client_for(people.city).get(reverse("sampling:home"))["Location"] == reverse("sampling:draws")
    assert client_for(people.county_a).get(reverse("sampling:home"))["Location"] == reverse(
        "sampling:county", args=[sampling_world.county_a.code]
    )
    assert client_for(people.principal_a1).get(reverse("sampling:home"))["Location"] == reverse("sampling:school")
    assert client_for(people.city_supervisor).get(reverse("sampling:home")).status_code == 403


def test_draws_page_shows_frame_status_and_plan(sampling_world: World, cycle: Cycle, people: People) -> None:
    from tests.sampling.conftest import approve_frame

    approve_frame(cycle, sampling_world.county_a)
    approve_frame(cycle, sampling_world.county_b, status=FrameStatus.RETURNED)
    html = client_for(people.city).get(reverse("sampling:draws")).content.decode()
    assert "南昌县" in html and "进贤县" in html
    assert "已通过" in html and "已退回" in html
    assert 'id="approved-count">1<' in html
    assert "每县（区）小学样本校" in html and "3 所" in html
    # A county cannot reach the draw page.
    assert client_for(people.county_a).get(reverse("sampling:draws")).status_code == 403


def test_run_draw_refused_shows_the_counties(sampling_world: World, cycle: Cycle, people: People) -> None:
    from tests.sampling.conftest import approve_frame

    approve_frame(cycle, sampling_world.county_a)
    response = client_for(people.city).post(reverse("sampling:draw_create"), {"seed": "5", "method": "pps"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "以下县（区）的属地学校信息尚未审核通过" in html and "进贤县（未开始）" in html
    assert not SchoolDraw.objects.exists()


def test_run_preview_publish(sampling_world: World, cycle: Cycle, people: People, frames: Any) -> None:
    c = client_for(people.city_info)
    response = c.post(reverse("sampling:draw_create"), {"seed": "20220315", "method": "pps"})
    d = SchoolDraw.objects.get()
    assert response["Location"] == reverse("sampling:draw", args=[d.pk])
    assert d.seed == 20220315 and d.created_by == people.city_info
    html = c.get(response["Location"]).content.decode()
    assert "抽样预览" in html and "20220315" in html
    assert d.explanations[0]["text"] in html  # the engine's Chinese explanation
    first = SampledSchool.objects.filter(draw=d, role="sample").select_related("school").first()
    assert first.school.name in html
    # Publishing needs the confirmation box.
    c.post(reverse("sampling:draw_publish", args=[d.pk]), {})
    assert SchoolDraw.objects.get(pk=d.pk).status == DrawStatus.DRAFT
    c.post(reverse("sampling:draw_publish", args=[d.pk]), {"confirm": "on"})
    d.refresh_from_db()
    assert d.status == DrawStatus.PUBLISHED
    html = c.get(reverse("sampling:draw", args=[d.pk])).content.decode()
    assert d.sample_hash in html and "样本校名单" in html


def test_blank_seed_is_generated(
    sampling_world: World, cycle: Cycle, people: People, frames: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "new_seed", lambda: 31337)
    client_for(people.city).post(reverse("sampling:draw_create"), {"seed": "", "method": "srs"})
    d = SchoolDraw.objects.get()
    assert d.seed == 31337 and d.method == "srs"


def test_bad_seed_is_refused_by_the_form(sampling_world: World, cycle: Cycle, people: People, frames: Any) -> None:
    response = client_for(people.city).post(reverse("sampling:draw_create"), {"seed": "-3", "method": "pps"})
    assert response.status_code == 400 and not SchoolDraw.objects.exists()


def test_verify_partial(sampling_world: World, cycle: Cycle, people: People, frames: Any) -> None:
    d = publish(people, sampling_world, cycle)
    c = client_for(people.city)
    html = c.get(reverse("sampling:draw_verify", args=[d.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "校验通过" in html and "<html" not in html
    from django.db import connection

    row = SampledSchool.objects.filter(draw=d).first()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {SampledSchool._meta.db_table} SET planned_students = 1 WHERE id = %s", [row.pk])
    html = c.get(reverse("sampling:draw_verify", args=[d.pk])).content.decode()
    assert "校验未通过" in html and "<html" in html


def test_export_csv_and_xlsx(sampling_world: World, cycle: Cycle, people: People, frames: Any) -> None:
    d = publish(people, sampling_world, cycle)
    # A school whose name starts like a formula must come out as text.
    row = SampledSchool.objects.filter(draw=d, role="sample").select_related("school").first()
    Unit.objects.filter(pk=row.school_id).update(name="=HYPERLINK(\"x\")")
    c = client_for(people.city)
    response = c.get(reverse("sampling:draw_export", args=[d.pk, "csv"]))
    text = response.content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert tuple(table[0]) == EXPORT_COLUMNS
    assert len(table) - 1 == SampledSchool.objects.filter(draw=d).count()
    names = [r[3] for r in table[1:]]
    assert {r[EXPORT_COLUMNS.index("certainty")] for r in table[1:]} <= {"true", "false"}
    assert "'=HYPERLINK(\"x\")" in names
    response = c.get(reverse("sampling:draw_export", args=[d.pk, "xlsx"]))
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert tuple(sheet[0]) == EXPORT_COLUMNS and len(sheet) == len(table)
    assert AuditEntry.objects.filter(action="export", object_type="sampling.schooldraw").count() == 2
    # A draft is not exported.
    assert c.get(reverse("sampling:draw_export", args=[d.pk, "pdf"])).status_code == 404


def test_county_page_confirm_one_with_htmx_then_all(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    d = publish(people, sampling_world, cycle)
    c = client_for(people.county_a)
    url = reverse("sampling:county", args=[sampling_world.county_a.code])
    html = c.get(url).content.decode()
    mine = SampledSchool.objects.filter(draw=d, county=sampling_world.county_a, status=RowStatus.IN_SAMPLE)
    theirs = SampledSchool.objects.filter(draw=d, county=sampling_world.county_b, status=RowStatus.IN_SAMPLE)
    assert all(r.school.name in html for r in mine)
    assert not any(r.school.name in html for r in theirs)
    assert d.sample_hash in html

    row = mine.first()
    response = c.post(reverse("sampling:confirm", args=[row.pk]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "已确认" in body and "<html" not in body
    assert SampledSchool.objects.get(pk=row.pk).confirmed_by == people.county_a
    # the county's count is swapped out of band: it does not stay at 0 / n until a reload
    assert f'{mine.count()}</b>' in html and f"0 / {mine.count()}" in html
    assert f"1 / {mine.count()}" in oob_part(body, "county-progress")

    c.post(reverse("sampling:confirm_all", args=[sampling_world.county_a.code]))
    assert not mine.filter(confirmed_at__isnull=True).exists()
    assert theirs.filter(confirmed_at__isnull=True).count() == theirs.count()


def test_county_b_cannot_touch_county_a(sampling_world: World, cycle: Cycle, people: People, frames: Any) -> None:
    d = publish(people, sampling_world, cycle)
    row = SampledSchool.objects.filter(draw=d, county=sampling_world.county_a, status=RowStatus.IN_SAMPLE).first()
    c = client_for(people.county_b)
    assert c.get(reverse("sampling:county", args=[sampling_world.county_a.code])).status_code == 404
    assert c.post(reverse("sampling:confirm", args=[row.pk])).status_code == 404
    assert c.post(reverse("sampling:replacement_new", args=[row.pk]), {"reason_kind": "other", "reason": "x"}).status_code == 404
    assert c.post(reverse("sampling:confirm_all", args=[sampling_world.county_a.code])).status_code == 404
    assert c.get(reverse("sampling:draw", args=[d.pk])).status_code == 404
    assert SampledSchool.objects.get(pk=row.pk).confirmed_at is None
    assert not ReplacementRequest.objects.exists()


def test_replacement_request_and_decision_pages(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    d = publish(people, sampling_world, cycle)
    row = next(
        r for r in SampledSchool.objects.filter(draw=d, county=sampling_world.county_a, role="sample")
        if SampledSchool.objects.filter(replaces=r, role="replacement1").exists()
    )
    county = client_for(people.county_a)
    url = reverse("sampling:replacement_new", args=[row.pk])
    form_html = county.get(url).content.decode()
    rep1 = SampledSchool.objects.get(replaces=row, role="replacement1")
    assert rep1.school.name in form_html
    response = county.post(url, {"reason_kind": "refused", "reason": "  "})
    assert response.status_code == 400 and "请填写申请替换的原因" in response.content.decode()
    county.post(url, {"reason_kind": "refused", "reason": "学校以迎检为由拒绝参加"})
    req = ReplacementRequest.objects.get()
    assert req.status == RequestStatus.PENDING and req.reason_kind == "refused"

    city = client_for(people.city)
    html = city.get(reverse("sampling:draw", args=[d.pk])).content.decode()
    assert "学校以迎检为由拒绝参加" in html
    decide = reverse("sampling:replacement_decide", args=[req.pk])
    city.post(decide, {"decision": "reject", "comment": ""})
    assert ReplacementRequest.objects.get(pk=req.pk).status == RequestStatus.PENDING
    city.post(decide, {"decision": "approve", "comment": "同意"})
    req.refresh_from_db()
    assert req.status == RequestStatus.APPROVED and req.replacement == rep1
    d.refresh_from_db()
    html = city.get(reverse("sampling:draw", args=[d.pk])).content.decode()
    assert d.sample_hash in html and req.prev_hash[:10] in html
    # The county cannot decide.
    other = next(
        r for r in SampledSchool.objects.filter(draw=d, county=sampling_world.county_a, status=RowStatus.IN_SAMPLE)
        if r.pk != rep1.pk
    )
    req2 = services.replacement_request(
        scope=scope_of(people.county_a), sampled_school=other, reason="停办", actor=people.county_a
    )
    assert county.post(reverse("sampling:replacement_decide", args=[req2.pk]), {"decision": "approve"}).status_code == 403
    assert ReplacementRequest.objects.get(pk=req2.pk).status == RequestStatus.PENDING


def test_school_page_tells_a_sampled_school(sampling_world: World, cycle: Cycle, people: People, frames: Any) -> None:
    c = client_for(people.principal_a1)
    assert "本校已被确定为样本校" not in c.get(reverse("sampling:school")).content.decode()
    d = publish(people, sampling_world, cycle)
    sampled = SampledSchool.objects.filter(
        draw=d, school=sampling_world.school_a1, status=RowStatus.IN_SAMPLE
    ).exists()
    html = c.get(reverse("sampling:school")).content.decode()
    assert ("本校已被确定为样本校" in html) == sampled
    assert ("本校不在已发布的样本校名单中" in html) == (not sampled)
    row = SampledSchool.objects.filter(draw=d, role="sample").select_related("school").first()
    principal = make_user("sampled_xz", Role.PRINCIPAL, row.school)
    html = client_for(principal).get(reverse("sampling:school")).content.decode()
    assert "本校已被确定为样本校" in html and f"计划抽取测试年级学生 {row.planned_students} 人" in html
    assert "待县（区）确认" in html


def test_unapproved_frame_after_preview_blocks_publish_page(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    d = services.draw_create(scope=scope_of(people.city), cycle=cycle, owner=sampling_world.city, seed=3, actor=people.city)
    FrameSubmission.objects.filter(county=sampling_world.county_b).update(status=FrameStatus.DRAFT, locked=False)
    response = client_for(people.city).post(reverse("sampling:draw_publish", args=[d.pk]), {"confirm": "on"}, follow=True)
    assert "抽样框" in response.content.decode()
    assert SchoolDraw.objects.get(pk=d.pk).status == DrawStatus.DRAFT


def test_school_notice_tag_for_the_home_page(sampling_world: World, cycle: Cycle, people: People, frames: Any) -> None:
    from django.template import Context, Template
    from django.test import RequestFactory

    d = publish(people, sampling_world, cycle)
    row = SampledSchool.objects.filter(draw=d, role="sample").select_related("school").first()
    principal = make_user("tag_xz", Role.PRINCIPAL, row.school)
    template = Template("{% load sampling_tags %}{% school_sample_notice unit %}")

    def render(user: Any, unit: Any) -> str:
        request = RequestFactory().get("/")
        request.user = user
        return template.render(Context({"request": request, "unit": unit}))

    assert "本校已被确定为样本校" in render(principal, row.school)
    assert render(principal, sampling_world.county_a).strip() == ""  # not a school
    assert render(people.other_city, row.school).strip() == ""  # outside the scope
    standby = SampledSchool.objects.filter(draw=d, status=RowStatus.STANDBY).select_related("school").first()
    if not SampledSchool.objects.filter(draw=d, school=standby.school, status=RowStatus.IN_SAMPLE).exists():
        assert render(people.city, standby.school).strip() == ""


def test_a_sampled_school_sees_the_notice_on_its_home_page(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    d = publish(people, sampling_world, cycle)
    row = SampledSchool.objects.filter(draw=d, role="sample").select_related("school").first()
    principal = make_user("home_xz", Role.PRINCIPAL, row.school)
    html = client_for(principal).get(reverse("home")).content.decode()
    assert "本校已被确定为样本校" in html
    unsampled = Unit.objects.schools().exclude(pk__in=SampledSchool.objects.filter(draw=d).values("school")).first()
    other = make_user("home_other_xz", Role.PRINCIPAL, unsampled)
    assert "本校已被确定为样本校" not in client_for(other).get(reverse("home")).content.decode()
