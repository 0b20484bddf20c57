from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404

from jiance.audit.models import AuditEntry
from jiance.cycles.models import Cycle
from jiance.reporting.models import FrameRecord, FrameStatus
from jiance.sampling import selectors, services
from jiance.sampling.models import (
    DrawStatus,
    ReplacementRequest,
    RequestStatus,
    RowStatus,
    SampledSchool,
    SampleLocked,
    SamplingError,
    SchoolDraw,
)
from jiance_core.sampling.schools import SamplingPlan, draw_school_sample, frame_content_hash
from tests.factories import World
from tests.sampling.conftest import People, scope_of

pytestmark = pytest.mark.django_db


def draw(people: People, world: World, cycle: Cycle, *, seed: int | None = 20220315, method: str = "pps") -> SchoolDraw:
    return services.draw_create(
        scope=scope_of(people.city), cycle=cycle, owner=world.city, seed=seed, method=method, actor=people.city
    )


def published(people: People, world: World, cycle: Cycle, seed: int = 20220315) -> SchoolDraw:
    d = draw(people, world, cycle, seed=seed)
    return services.draw_publish(scope=scope_of(people.city), draw=d, actor=people.city)


def signature(d: SchoolDraw) -> list[tuple[Any, ...]]:
    return sorted(
        SampledSchool.objects.filter(draw=d).values_list(
            "county__code", "stage", "school__code", "role", "selection_probability", "base_weight",
            "planned_students", "replaces__school__code",
        )
    )


def in_sample(d: SchoolDraw, county: Any = None) -> list[SampledSchool]:
    qs = SampledSchool.objects.filter(draw=d, status=RowStatus.IN_SAMPLE).select_related("school", "county")
    return list(qs.filter(county=county) if county else qs)


# --- draw -----------------------------------------------------------------------------------
def test_draw_refuses_when_some_frames_are_not_approved(
    sampling_world: World, cycle: Cycle, people: People
) -> None:
    from tests.sampling.conftest import approve_frame

    approve_frame(cycle, sampling_world.county_a)
    approve_frame(cycle, sampling_world.county_b, status=FrameStatus.SUBMITTED)
    with pytest.raises(SamplingError) as exc:
        draw(people, sampling_world, cycle)
    message = str(exc.value)
    assert "进贤县（已提交）" in message
    assert "南昌县" not in message
    assert not SchoolDraw.objects.exists()


def test_draw_refuses_a_county_that_never_reported(sampling_world: World, cycle: Cycle, people: People) -> None:
    from tests.sampling.conftest import approve_frame

    approve_frame(cycle, sampling_world.county_b)
    with pytest.raises(SamplingError, match="南昌县（未开始）"):
        draw(people, sampling_world, cycle)


def test_draw_stores_the_engine_rows_plan_and_explanations(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    d = draw(people, sampling_world, cycle)
    assert d.status == DrawStatus.DRAFT
    assert d.plan["primary_schools"] == 3 and d.plan["junior_schools"] == 2
    assert d.counties == ["360121", "360124"]
    frame, _ = selectors.approved_frame(
        scope=scope_of(people.city), cycle=cycle, counties=[sampling_world.county_a, sampling_world.county_b]
    )
    assert d.frame_hash == frame_content_hash(frame)
    assert d.frame_schools == frame.height == FrameRecord.objects.count()
    engine = draw_school_sample(frame, SamplingPlan(primary_schools=3, junior_schools=2), seed=d.seed)
    assert SampledSchool.objects.filter(draw=d).count() == engine.rows.height
    assert sorted(SampledSchool.objects.filter(draw=d).values_list("school__code", "stage", "role")) == sorted(
        engine.rows.select("school_id", "stage", "role").iter_rows()
    )
    # Explanations name the county, not its code.
    texts = {(e["county"], e["stage"]): e["text"] for e in d.explanations}
    assert texts[("360121", "primary")].startswith("南昌县小学")
    # Replacements point at the selected school they stand behind, in the same stage.
    for r in SampledSchool.objects.filter(draw=d, role__in=["replacement1", "replacement2"]):
        assert r.replaces is not None and r.replaces.stage == r.stage and r.replaces.is_selected_role
        assert r.status == RowStatus.STANDBY
    assert AuditEntry.objects.filter(object_type="sampling.schooldraw", action="create").count() == 1


def test_same_seed_and_same_frame_give_the_same_rows(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    first = draw(people, sampling_world, cycle, seed=777)
    rows_first, hash_first = signature(first), first.frame_hash
    second = draw(people, sampling_world, cycle, seed=777)
    assert second.pk != first.pk and not SchoolDraw.objects.filter(pk=first.pk).exists()  # draft replaced
    assert second.frame_hash == hash_first
    assert signature(second) == rows_first
    # Other seeds give other samples (so the equality above is not vacuous).
    others = [signature(draw(people, sampling_world, cycle, seed=s)) for s in (1, 2, 3, 4)]
    assert any(o != rows_first for o in others)


def test_a_changed_frame_changes_the_frame_hash(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    before = draw(people, sampling_world, cycle, seed=5).frame_hash
    record = FrameRecord.objects.filter(primary_students__gt=0).first()
    FrameRecord.objects.filter(pk=record.pk).update(primary_students=record.primary_students + 1)
    assert draw(people, sampling_world, cycle, seed=5).frame_hash != before


def test_a_missing_seed_is_generated_and_stored(
    sampling_world: World, cycle: Cycle, people: People, frames: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "new_seed", lambda: 4242)
    d = draw(people, sampling_world, cycle, seed=None)
    assert d.seed == 4242
    again = draw(people, sampling_world, cycle, seed=4242)
    assert signature(again) == signature(SchoolDraw.objects.get(pk=again.pk))


def test_srs_draw_gives_equal_probabilities_in_a_stratum(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    d = draw(people, sampling_world, cycle, method="srs")
    probs = set(
        SampledSchool.objects.filter(draw=d, county=sampling_world.county_a, stage="primary", role="sample")
        .values_list("selection_probability", flat=True)
    )
    assert len(probs) == 1


def test_only_city_level_roles_draw(sampling_world: World, cycle: Cycle, people: People, frames: Any) -> None:
    with pytest.raises(Http404):  # the city is above the county: outside its scope
        services.draw_create(
            scope=scope_of(people.county_a), cycle=cycle, owner=sampling_world.city, seed=1, actor=people.county_a
        )
    with pytest.raises(Http404):
        services.draw_create(
            scope=scope_of(people.other_city), cycle=cycle, owner=sampling_world.city, seed=1,
            actor=people.other_city,
        )
    with pytest.raises(SamplingError):
        services.draw_create(
            scope=scope_of(people.city), cycle=cycle, owner=sampling_world.county_a, seed=1, actor=people.city
        )
    with pytest.raises(PermissionDenied):  # sees the city, lacks the role
        services.draw_create(
            scope=scope_of(people.city_supervisor), cycle=cycle, owner=sampling_world.city, seed=1,
            actor=people.city_supervisor,
        )


def test_draw_without_a_plan_in_the_cycle_is_refused(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    cycle.config = {"grades": {"primary": 4, "junior": 8}}
    cycle.save()
    with pytest.raises(SamplingError, match="sample_size"):
        draw(people, sampling_world, cycle)


# --- publish, immutability, verification ----------------------------------------------------
def test_publish_computes_and_stores_the_hash(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    d = published(people, sampling_world, cycle)
    assert d.status == DrawStatus.PUBLISHED and d.published_by == people.city
    assert len(d.sample_hash) == 64 and d.sample_hash == d.published_hash
    rows = list(SampledSchool.objects.filter(draw=d))
    assert d.compute_base_hash(rows) == d.sample_hash
    result = services.draw_verify(draw=d)
    assert result.ok and result.problems == []
    with pytest.raises(SamplingError, match="已经发布"):
        services.draw_publish(scope=scope_of(people.city), draw=d, actor=people.city)


def test_the_hash_depends_on_seed_and_rows(sampling_world: World, cycle: Cycle, people: People, frames: Any) -> None:
    d = draw(people, sampling_world, cycle)
    rows = list(SampledSchool.objects.filter(draw=d))
    base = d.compute_base_hash(rows)
    assert d.compute_base_hash(list(reversed(rows))) == base  # canonical order
    d.seed += 1
    assert d.compute_base_hash(rows) != base
    d.seed -= 1
    rows[0].planned_students += 1
    assert d.compute_base_hash(rows) != base


def test_a_published_draw_is_immutable(sampling_world: World, cycle: Cycle, people: People, frames: Any) -> None:
    d = published(people, sampling_world, cycle)
    row = SampledSchool.objects.filter(draw=d, role="sample").first()
    row.base_weight = 1.0
    with pytest.raises(SampleLocked):
        row.save()
    with pytest.raises(SampleLocked):
        SampledSchool.objects.filter(draw=d).update(planned_students=99)
    with pytest.raises(SampleLocked):
        SampledSchool.objects.filter(pk=row.pk).delete()
    with pytest.raises(SampleLocked):
        SampledSchool.objects.get(pk=row.pk).delete()
    with pytest.raises(SampleLocked):
        SampledSchool.objects.create(
            draw=d, county=row.county, stage="junior", school=sampling_world.school_a1, role="sample",
            selection_probability=1, base_weight=1, planned_students=1, school_type="小学", area="城区",
            status=RowStatus.IN_SAMPLE,
        )
    fresh = SchoolDraw.objects.get(pk=d.pk)
    fresh.seed = 1
    with pytest.raises(SampleLocked):
        fresh.save()
    fresh = SchoolDraw.objects.get(pk=d.pk)
    fresh.status = DrawStatus.DRAFT
    with pytest.raises(SampleLocked):
        fresh.save()
    with pytest.raises(SampleLocked):
        SchoolDraw.objects.filter(pk=d.pk).update(seed=1)
    with pytest.raises(SampleLocked):
        SchoolDraw.objects.filter(pk=d.pk).delete()
    assert services.draw_verify(draw=d).ok


def test_a_second_published_draw_for_the_same_counties_is_refused(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    published(people, sampling_world, cycle)
    again = draw(people, sampling_world, cycle, seed=99)
    with pytest.raises(SamplingError, match="已有已发布的样本"):
        services.draw_publish(scope=scope_of(people.city), draw=again, actor=people.city)


def test_publish_refuses_when_the_frame_changed_after_the_preview(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    d = draw(people, sampling_world, cycle)
    FrameRecord.objects.filter(pk=FrameRecord.objects.filter(primary_students__gt=0).first().pk).update(
        primary_students=500
    )
    with pytest.raises(SamplingError, match="抽样框"):
        services.draw_publish(scope=scope_of(people.city), draw=d, actor=people.city)
    assert SchoolDraw.objects.get(pk=d.pk).status == DrawStatus.DRAFT


def _raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_verify_detects_a_direct_database_tamper_of_a_row(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    d = published(people, sampling_world, cycle)
    row = SampledSchool.objects.filter(draw=d, role="sample").first()
    _raw(f"UPDATE {SampledSchool._meta.db_table} SET base_weight = %s WHERE id = %s", [1.0, row.pk])
    result = services.draw_verify(draw=d)
    assert not result.ok
    assert any("发布时的校验码不一致" in p for p in result.problems)


def test_verify_detects_a_swapped_school(sampling_world: World, cycle: Cycle, people: People, frames: Any) -> None:
    d = published(people, sampling_world, cycle)
    sample = SampledSchool.objects.filter(draw=d, role="sample").first()
    standby = SampledSchool.objects.filter(draw=d, status=RowStatus.STANDBY, replaces=sample).first()
    table = SampledSchool._meta.db_table
    _raw(f"UPDATE {table} SET status = %s WHERE id = %s", [RowStatus.WITHDRAWN, sample.pk])
    _raw(f"UPDATE {table} SET status = %s WHERE id = %s", [RowStatus.IN_SAMPLE, standby.pk])
    result = services.draw_verify(draw=d)
    assert not result.ok
    assert any(sample.school.name in p and "已被替换" in p for p in result.problems)


def test_verify_detects_a_changed_seed(sampling_world: World, cycle: Cycle, people: People, frames: Any) -> None:
    d = published(people, sampling_world, cycle)
    _raw(f"UPDATE {SchoolDraw._meta.db_table} SET seed = %s WHERE id = %s", [d.seed + 1, d.pk])
    assert not services.draw_verify(draw=d).ok


# --- replacements ---------------------------------------------------------------------------
def _request(people: People, row: SampledSchool, reason: str = "学校已于 2022 年 3 月撤并") -> ReplacementRequest:
    return services.replacement_request(
        scope=scope_of(people.county_a), sampled_school=row, reason=reason, reason_kind="merged",
        actor=people.county_a,
    )


def _sample_with_two_replacements(d: SchoolDraw, county: Any) -> SampledSchool:
    for row in SampledSchool.objects.filter(draw=d, county=county, role="sample").select_related("school"):
        roles = set(SampledSchool.objects.filter(replaces=row).values_list("role", flat=True))
        if roles == {"replacement1", "replacement2"}:
            return row
    pytest.skip("no sample school with two replacements in this draw")


def test_replacement_flow_swaps_in_replacement1_and_chains_the_hash(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    d = published(people, sampling_world, cycle)
    row = _sample_with_two_replacements(d, sampling_world.county_a)
    rep1 = SampledSchool.objects.get(replaces=row, role="replacement1")
    first_hash = d.sample_hash

    req = _request(people, row)
    assert req.status == RequestStatus.PENDING
    with pytest.raises(SamplingError, match="待审核"):
        _request(people, row)
    # The county cannot decide its own request.
    with pytest.raises(PermissionDenied):
        services.replacement_approve(scope=scope_of(people.county_a), request=req, actor=people.county_a)

    req = services.replacement_approve(scope=scope_of(people.city), request=req, actor=people.city, comment="同意")
    d.refresh_from_db()
    assert req.status == RequestStatus.APPROVED and req.replacement == rep1
    assert req.decided_by == people.city and req.decided_at is not None
    assert req.sequence == 1 and req.prev_hash == first_hash
    assert d.sample_hash == req.hash != first_hash
    assert d.published_hash == first_hash
    assert SampledSchool.objects.get(pk=row.pk).status == RowStatus.WITHDRAWN
    assert SampledSchool.objects.get(pk=rep1.pk).status == RowStatus.IN_SAMPLE
    assert services.draw_verify(draw=d).ok
    assert AuditEntry.objects.filter(object_type="sampling.replacementrequest").count() == 2

    # The replacement, now in the sample, can itself be replaced: by replacement2 of the same school.
    rep1_row = SampledSchool.objects.get(pk=rep1.pk)
    req2 = services.replacement_approve(
        scope=scope_of(people.city), request=_request(people, rep1_row, "拒绝参加"), actor=people.city
    )
    d.refresh_from_db()
    assert req2.replacement.role == "replacement2" and req2.replacement.replaces_id == row.pk
    assert req2.sequence == 2 and req2.prev_hash == req.hash and d.sample_hash == req2.hash
    result = services.draw_verify(draw=d)
    assert result.ok and result.links == 2

    # A withdrawn school cannot be requested again.
    with pytest.raises(SamplingError, match="不在当前样本中"):
        _request(people, SampledSchool.objects.get(pk=row.pk))


def _rows_with_two_replacements(d: SchoolDraw) -> list[SampledSchool]:
    return [
        row for row in SampledSchool.objects.filter(draw=d, role="sample").select_related("school", "county")
        if set(SampledSchool.objects.filter(replaces=row).values_list("role", flat=True))
        == {"replacement1", "replacement2"}
    ]


def _county_user(people: People, row: SampledSchool) -> Any:
    return people.county_a if row.county.code == "360121" else people.county_b


def test_replacement2_when_replacement1_is_unavailable(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    d = published(people, sampling_world, cycle)
    rows = _rows_with_two_replacements(d)
    assert len(rows) >= 2
    first, second = rows[0], rows[1]
    city = scope_of(people.city)

    def ask(row: SampledSchool) -> ReplacementRequest:
        user = _county_user(people, row)
        return services.replacement_request(scope=scope_of(user), sampled_school=row, reason="停办", actor=user)

    # The city says replacement1 cannot take part either.
    req = services.replacement_approve(scope=city, request=ask(first), actor=people.city, skip_first=True)
    assert req.replacement == SampledSchool.objects.get(replaces=first, role="replacement2")
    # Replacement1's school has closed (inactive unit): replacement2 is taken.
    r1 = SampledSchool.objects.get(replaces=second, role="replacement1")
    r1.school.is_active = False
    r1.school.save()
    req2 = services.replacement_approve(scope=city, request=ask(second), actor=people.city)
    assert req2.replacement == SampledSchool.objects.get(replaces=second, role="replacement2")
    assert SampledSchool.objects.get(pk=r1.pk).status == RowStatus.STANDBY
    assert services.draw_verify(draw=d).ok


def test_approval_without_any_replacement_left_is_refused(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    d = published(people, sampling_world, cycle)
    row = _sample_with_two_replacements(d, sampling_world.county_a)
    for rep in SampledSchool.objects.filter(replaces=row):
        rep.school.is_active = False
        rep.school.save()
    req = _request(people, row)
    with pytest.raises(SamplingError, match="没有可用的替补学校"):
        services.replacement_approve(scope=scope_of(people.city), request=req, actor=people.city)
    assert ReplacementRequest.objects.get(pk=req.pk).status == RequestStatus.PENDING
    assert SampledSchool.objects.get(pk=row.pk).status == RowStatus.IN_SAMPLE


def test_reject_needs_a_reason_and_changes_no_row(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    d = published(people, sampling_world, cycle)
    row = in_sample(d, sampling_world.county_a)[0]
    req = _request(people, row)
    with pytest.raises(SamplingError, match="理由"):
        services.replacement_reject(scope=scope_of(people.city), request=req, actor=people.city, comment=" ")
    req = services.replacement_reject(scope=scope_of(people.city), request=req, actor=people.city, comment="理由不足")
    assert req.status == RequestStatus.REJECTED
    d.refresh_from_db()
    assert d.sample_hash == d.published_hash
    with pytest.raises(SamplingError, match="已驳回"):
        services.replacement_approve(scope=scope_of(people.city), request=req, actor=people.city)


def test_verify_detects_a_tampered_replacement_record(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    d = published(people, sampling_world, cycle)
    row = _sample_with_two_replacements(d, sampling_world.county_a)
    req = services.replacement_approve(scope=scope_of(people.city), request=_request(people, row), actor=people.city)
    assert services.draw_verify(draw=d).ok
    _raw(f"UPDATE {ReplacementRequest._meta.db_table} SET reason = %s WHERE id = %s", ["另一个原因", req.pk])
    result = services.draw_verify(draw=d)
    assert not result.ok and any("替换记录" in p for p in result.problems)


def test_replacement_request_needs_a_reason_and_a_published_sample(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    d = draw(people, sampling_world, cycle)
    row = SampledSchool.objects.filter(draw=d, county=sampling_world.county_a, role="sample").first()
    with pytest.raises(SamplingError, match="尚未发布"):
        _request(people, row)
    d = services.draw_publish(scope=scope_of(people.city), draw=d, actor=people.city)
    with pytest.raises(SamplingError, match="原因"):
        _request(people, row, reason="  ")


# --- county confirmation ---------------------------------------------------------------------
def test_county_confirms_one_school_then_the_list(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    d = published(people, sampling_world, cycle)
    rows = in_sample(d, sampling_world.county_a)
    one = services.sample_confirm(scope=scope_of(people.county_a), sampled_school=rows[0], actor=people.county_a)
    assert one.confirmed_by == people.county_a and one.confirmed_at is not None
    again = services.sample_confirm(scope=scope_of(people.county_a), sampled_school=one, actor=people.county_a_admin)
    assert again.confirmed_by == people.county_a  # idempotent
    n = services.sample_confirm_county(
        scope=scope_of(people.county_a_admin), draw=d, county=sampling_world.county_a, actor=people.county_a_admin
    )
    assert n == len(rows) - 1
    assert all(r.confirmed_at for r in in_sample(d, sampling_world.county_a))
    assert not any(r.confirmed_at for r in in_sample(d, sampling_world.county_b))
    # Confirmation is not a change of the sample: the hash still verifies.
    assert services.draw_verify(draw=d).ok


def test_county_cannot_confirm_another_county_and_city_cannot_confirm(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    d = published(people, sampling_world, cycle)
    row_a = in_sample(d, sampling_world.county_a)[0]
    with pytest.raises(Http404):
        services.sample_confirm(scope=scope_of(people.county_b), sampled_school=row_a, actor=people.county_b)
    with pytest.raises(PermissionDenied):
        services.sample_confirm(scope=scope_of(people.city), sampled_school=row_a, actor=people.city)
    with pytest.raises(Http404):
        services.replacement_request(
            scope=scope_of(people.county_b), sampled_school=row_a, reason="x", actor=people.county_b
        )
    assert SampledSchool.objects.get(pk=row_a.pk).confirmed_at is None


def test_standby_school_cannot_be_confirmed(sampling_world: World, cycle: Cycle, people: People, frames: Any) -> None:
    d = published(people, sampling_world, cycle)
    standby = SampledSchool.objects.filter(draw=d, county=sampling_world.county_a, status=RowStatus.STANDBY).first()
    with pytest.raises(SamplingError, match="不在当前样本中"):
        services.sample_confirm(scope=scope_of(people.county_a), sampled_school=standby, actor=people.county_a)


# --- scoping ---------------------------------------------------------------------------------
def test_scoping_of_rows_draws_and_notices(sampling_world: World, cycle: Cycle, people: People, frames: Any) -> None:
    d = published(people, sampling_world, cycle)
    a_scope, b_scope = scope_of(people.county_a), scope_of(people.county_b)
    assert {r.county_id for r in selectors.draw_rows(scope=a_scope, draw=d)} == {sampling_world.county_a.pk}
    assert selectors.draw_rows(scope=scope_of(people.city), draw=d).count() == SampledSchool.objects.filter(
        draw=d
    ).count()
    row_a = in_sample(d, sampling_world.county_a)[0]
    assert selectors.row_get(scope=a_scope, pk=row_a.pk) == row_a
    with pytest.raises(Http404):
        selectors.row_get(scope=b_scope, pk=row_a.pk)
    # The draw itself belongs to the city: counties and other cities do not see it.
    with pytest.raises(Http404):
        selectors.draw_get(scope=a_scope, pk=d.pk)
    with pytest.raises(Http404):
        selectors.draw_get(scope=scope_of(people.other_city), pk=d.pk)
    assert selectors.published_draw_for_county(scope=a_scope, cycle=cycle, county=sampling_world.county_a) == d
    assert selectors.published_draw_for_county(scope=b_scope, cycle=cycle, county=sampling_world.county_a) is None
    # Strata of a county's view hold its own rows only.
    strata = selectors.draw_strata(scope=a_scope, draw=d)
    assert strata and {s.county.pk for s in strata} == {sampling_world.county_a.pk}


def test_school_sample_status(sampling_world: World, cycle: Cycle, people: People, frames: Any) -> None:
    d = draw(people, sampling_world, cycle)
    row = SampledSchool.objects.filter(draw=d, role="sample").select_related("school").first()
    city_scope = scope_of(people.city)
    assert selectors.school_sample_status(city_scope, row.school, cycle) == []  # a draft says nothing
    services.draw_publish(scope=city_scope, draw=d, actor=people.city)
    notices = selectors.school_sample_status(city_scope, row.school, cycle)
    assert [(n.stage, n.role, n.planned_students, n.confirmed) for n in notices] == [
        (row.stage, "sample", row.planned_students, False)
    ]
    # A standby replacement learns nothing until it is swapped in.
    standby = SampledSchool.objects.filter(draw=d, status=RowStatus.STANDBY).select_related("school").first()
    assert all(n.stage != standby.stage for n in selectors.school_sample_status(city_scope, standby.school, cycle))
    # Another city's person learns nothing about this school.
    assert selectors.school_sample_status(scope_of(people.other_city), row.school, cycle) == []



def test_confirming_the_whole_sample_completes_the_countys_task(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    from jiance.cycles.models import Milestone, MilestoneCompletion

    task = Milestone.objects.create(cycle=cycle, level="county", number=3, phase="before", task="确认样本校名单。",
                                    done_when="sample_confirmed")
    d = published(people, sampling_world, cycle)
    rows = in_sample(d, sampling_world.county_a)
    services.sample_confirm(scope=scope_of(people.county_a), sampled_school=rows[0], actor=people.county_a)
    assert not MilestoneCompletion.objects.exists()  # one school of several
    for r in rows[1:]:
        services.sample_confirm(scope=scope_of(people.county_a), sampled_school=r, actor=people.county_a)
    assert MilestoneCompletion.objects.get(milestone=task).unit == sampling_world.county_a
    services.sample_confirm_county(scope=scope_of(people.county_b), draw=d, county=sampling_world.county_b,
                                   actor=people.county_b)
    assert MilestoneCompletion.objects.filter(milestone=task).count() == 2


def test_a_replacement_school_reopens_the_countys_confirmation_task(
    sampling_world: World, cycle: Cycle, people: People, frames: Any
) -> None:
    """The county confirmed its whole sample; the city swaps in a replacement the county has not
    confirmed: the task is open again until the county confirms the newcomer."""
    from jiance.cycles.models import Milestone, MilestoneCompletion

    task = Milestone.objects.create(cycle=cycle, level="county", number=3, phase="before", task="确认样本校名单。",
                                    done_when="sample_confirmed")
    d = published(people, sampling_world, cycle)
    row = _sample_with_two_replacements(d, sampling_world.county_a)
    services.sample_confirm_county(scope=scope_of(people.county_a), draw=d, county=sampling_world.county_a,
                                   actor=people.county_a)
    assert MilestoneCompletion.objects.filter(milestone=task, unit=sampling_world.county_a).exists()
    req = _request(people, SampledSchool.objects.get(pk=row.pk))
    services.replacement_approve(scope=scope_of(people.city), request=req, actor=people.city, comment="同意")
    assert not MilestoneCompletion.objects.filter(milestone=task, unit=sampling_world.county_a).exists()
    services.sample_confirm_county(scope=scope_of(people.county_a), draw=d, county=sampling_world.county_a,
                                   actor=people.county_a)
    assert MilestoneCompletion.objects.filter(milestone=task, unit=sampling_world.county_a).exists()
