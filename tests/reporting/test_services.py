from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jiance.audit.models import AuditEntry
from jiance.reporting import services
from jiance.reporting.models import (
    FrameError,
    FrameRecord,
    FrameReviewEvent,
    FrameStatus,
    FrameSubmission,
    FrameUpload,
)
from tests.reporting.conftest import FROZEN, good_rows_a, scope_of, xlsx

pytestmark = pytest.mark.django_db

ROW = {"school_type": "小学", "nature": "公办", "area": "镇区", "affiliation": "县属",
       "primary_students": 180, "primary_classes": 4, "junior_students": 0, "junior_classes": 0, "note": ""}


def do_import(people, world, cycle, rows, **kw: Any):
    return services.frame_import(
        scope=scope_of(people.county_a), cycle=cycle, county=world.county_a, content=xlsx(rows),
        actor=people.county_a, filename="a.xlsx", **kw,
    )


def submitted(people, world, cycle) -> FrameSubmission:
    do_import(people, world, cycle, good_rows_a())
    sub = FrameSubmission.objects.get(county=world.county_a)
    return services.frame_submit(scope=scope_of(people.county_a), submission=sub, actor=people.county_a)


# --- import -----------------------------------------------------------------------------

def test_import_writes_every_row_and_audits(people, world, cycle) -> None:
    outcome = do_import(people, world, cycle, good_rows_a())
    assert outcome.applied
    records = {r.school_id: r for r in FrameRecord.objects.all()}
    assert records[world.school_a1.pk].primary_students == 180
    assert records[world.school_a2.pk].junior_classes == 9
    assert records[world.school_a1.pk].updated_by == people.county_a
    entry = AuditEntry.objects.get(action="import", result="ok")
    assert entry.unit == world.county_a and entry.actor == people.county_a
    assert sorted(entry.after["new"]) == ["3601210001", "3601210002"]
    assert FrameReviewEvent.objects.filter(action="import").count() == 1


def test_import_with_any_error_writes_nothing(people, world, cycle) -> None:
    rows = good_rows_a()
    rows[1][8] = "abc"
    outcome = do_import(people, world, cycle, rows)
    assert not outcome.applied
    assert [p.row for p in outcome.result.problems] == [3]
    assert FrameRecord.objects.count() == 0
    assert AuditEntry.objects.get(action="import").result == "rejected"


def test_import_is_atomic_when_a_write_fails(people, world, cycle) -> None:
    do_import(people, world, cycle, good_rows_a())
    rows = good_rows_a()
    rows[0][6], rows[1][8] = 200, 400
    version = FrameSubmission.objects.get().version
    with mock.patch.object(FrameReviewEvent.objects, "create", side_effect=RuntimeError("disk full")), \
            pytest.raises(RuntimeError):
        do_import(people, world, cycle, rows)
    assert sorted(FrameRecord.objects.values_list("primary_students", "junior_students")) == [(0, 420), (180, 0)]
    assert FrameSubmission.objects.get().version == version


def test_dry_run_reports_changes_and_writes_nothing(people, world, cycle) -> None:
    do_import(people, world, cycle, good_rows_a()[:1])
    rows = good_rows_a()
    rows[0][6], rows[0][4] = 200, "城区"
    before = list(FrameRecord.objects.values_list("pk", "primary_students", "area"))
    outcome = do_import(people, world, cycle, rows, dry_run=True)
    assert not outcome.applied
    plan = outcome.plan
    assert [p.school for p in plan.new] == [world.school_a2]
    (changed,) = plan.changed
    assert changed.school == world.school_a1
    assert sorted(changed.changes) == [("4年级学生数", 180, 200), ("城乡区域", "镇区", "城区")]
    assert list(FrameRecord.objects.values_list("pk", "primary_students", "area")) == before
    outcome = do_import(people, world, cycle, good_rows_a()[:1], dry_run=True)
    assert [p.school for p in outcome.plan.unchanged] == [world.school_a1]


def test_upload_confirm_refused_when_data_changed_since_preview(people, world, cycle) -> None:
    scope = scope_of(people.county_a)
    upload = services.frame_upload_store(scope=scope, cycle=cycle, county=world.county_a, filename="a.xlsx",
                                         content=xlsx(good_rows_a()), actor=people.county_a)
    services.frame_record_save(scope=scope, cycle=cycle, county=world.county_a, school=world.school_a1,
                               data=ROW, actor=people.county_a)
    with pytest.raises(FrameError, match="重新上传"):
        services.frame_upload_apply(scope=scope, upload=upload, actor=people.county_a)
    fresh = services.frame_upload_store(scope=scope, cycle=cycle, county=world.county_a, filename="a.xlsx",
                                        content=xlsx(good_rows_a()), actor=people.county_a)
    assert services.frame_upload_apply(scope=scope, upload=fresh, actor=people.county_a).applied
    assert FrameUpload.objects.get(pk=fresh.pk).applied_at == FROZEN
    with pytest.raises(FrameError, match="不能重复导入"):
        services.frame_upload_apply(scope=scope, upload=fresh, actor=people.county_a)


def test_import_refused_for_other_roles_and_counties(people, world, cycle) -> None:
    with pytest.raises(PermissionDenied):
        services.frame_import(scope=scope_of(people.city), cycle=cycle, county=world.county_a,
                              content=xlsx(good_rows_a()), actor=people.city)
    with pytest.raises(Http404):
        services.frame_import(scope=scope_of(people.county_b), cycle=cycle, county=world.county_a,
                              content=xlsx(good_rows_a()), actor=people.county_b)
    assert FrameRecord.objects.count() == 0


# --- one row ------------------------------------------------------------------------------

def test_record_save_creates_then_updates_with_audit(people, world, cycle) -> None:
    scope = scope_of(people.county_a)
    services.frame_record_save(scope=scope, cycle=cycle, county=world.county_a, school=world.school_a1,
                               data=ROW, actor=people.county_a)
    services.frame_record_save(scope=scope, cycle=cycle, county=world.county_a, school=world.school_a1,
                               data={**ROW, "primary_students": 150}, actor=people.county_a)
    assert FrameRecord.objects.get().primary_students == 150
    update = AuditEntry.objects.get(action="update")
    assert update.before["primary_students"] == 180 and update.after["primary_students"] == 150
    assert AuditEntry.objects.filter(action="create").count() == 1


def test_record_save_enforces_model_rules(people, world, cycle) -> None:
    with pytest.raises(ValidationError) as exc:
        services.frame_record_save(scope=scope_of(people.county_a), cycle=cycle, county=world.county_a,
                                   school=world.school_a1, data={**ROW, "primary_classes": 0},
                                   actor=people.county_a)
    assert "primary_classes" in exc.value.message_dict
    assert FrameRecord.objects.count() == 0


def test_record_save_refuses_school_of_another_county(people, world, cycle) -> None:
    with pytest.raises(FrameError, match="不属于"):
        services.frame_record_save(scope=scope_of(people.county_a), cycle=cycle, county=world.county_a,
                                   school=world.school_b1, data=ROW, actor=people.county_a)


# --- the review chain -----------------------------------------------------------------------

def test_submit_requires_every_school(people, world, cycle) -> None:
    do_import(people, world, cycle, good_rows_a()[:1])
    sub = FrameSubmission.objects.get()
    with pytest.raises(FrameError, match=r"还有 1 所学校未填报.*莲塘第二中学"):
        services.frame_submit(scope=scope_of(people.county_a), submission=sub, actor=people.county_a)
    assert FrameSubmission.objects.get().status == FrameStatus.DRAFT


def test_full_chain_submit_return_resubmit_approve(people, world, cycle) -> None:
    sub = submitted(people, world, cycle)
    assert (sub.status, sub.submitted_by, sub.submitted_at) == (FrameStatus.SUBMITTED, people.county_a, FROZEN)
    with pytest.raises(FrameError, match="必须填写退回原因"):
        services.frame_return(scope=scope_of(people.city), submission=sub, actor=people.city, comment="  ")
    sub = services.frame_return(scope=scope_of(people.city), submission=sub, actor=people.city,
                                comment="莲塘一小学生数与学籍系统不符")
    assert sub.status == FrameStatus.RETURNED and sub.comment == "莲塘一小学生数与学籍系统不符"
    # The county fixes the row and resubmits.
    services.frame_record_save(scope=scope_of(people.county_a), cycle=cycle, county=world.county_a,
                               school=world.school_a1, data={**ROW, "primary_students": 176},
                               actor=people.county_a)
    sub = services.frame_submit(scope=scope_of(people.county_a_admin), submission=sub, actor=people.county_a_admin)
    sub = services.frame_approve(scope=scope_of(people.city_info), submission=sub, actor=people.city_info)
    sub.refresh_from_db()
    assert (sub.status, sub.locked, sub.reviewed_by) == (FrameStatus.APPROVED, True, people.city_info)
    history = list(FrameReviewEvent.objects.exclude(action="import").values_list(
        "action", "from_status", "to_status", "actor__username"))
    assert history == [
        ("submit", "draft", "submitted", "nanchang_info"),
        ("return", "submitted", "returned", "nc_city"),
        ("submit", "returned", "submitted", "nanchang_admin"),
        ("approve", "submitted", "approved", "nc_city_info"),
    ]
    assert sorted(AuditEntry.objects.filter(action__in=["submit", "approve", "return"])
                  .values_list("action", flat=True)) == ["approve", "return", "submit", "submit"]


@pytest.mark.parametrize("action", ["approve", "return", "unlock"])
def test_illegal_transitions_refused_in_chinese(people, world, cycle, action: str) -> None:
    do_import(people, world, cycle, good_rows_a())
    sub = FrameSubmission.objects.get()  # still 填报中
    service = getattr(services, f"frame_{action}")
    with pytest.raises(FrameError, match="当前状态为“填报中”"):
        service(scope=scope_of(people.city), submission=sub, actor=people.city, comment="原因")
    assert FrameSubmission.objects.get().status == FrameStatus.DRAFT


def test_submit_twice_refused(people, world, cycle) -> None:
    sub = submitted(people, world, cycle)
    with pytest.raises(FrameError, match="当前状态为“已提交”，不能提交"):
        services.frame_submit(scope=scope_of(people.county_a), submission=sub, actor=people.county_a)


def test_submitted_data_cannot_be_edited(people, world, cycle) -> None:
    submitted(people, world, cycle)
    with pytest.raises(FrameError, match="等待市级审核"):
        services.frame_record_save(scope=scope_of(people.county_a), cycle=cycle, county=world.county_a,
                                   school=world.school_a1, data=ROW, actor=people.county_a)


def test_approved_data_locked_until_unlocked(people, world, cycle) -> None:
    sub = submitted(people, world, cycle)
    sub = services.frame_approve(scope=scope_of(people.city), submission=sub, actor=people.city)
    scope = scope_of(people.county_a)
    with pytest.raises(FrameError, match="锁定"):
        services.frame_record_save(scope=scope, cycle=cycle, county=world.county_a, school=world.school_a1,
                                   data={**ROW, "primary_students": 1}, actor=people.county_a)
    with pytest.raises(FrameError, match="锁定"):
        do_import(people, world, cycle, good_rows_a())
    with pytest.raises(FrameError, match="锁定"):
        services.frame_upload_store(scope=scope, cycle=cycle, county=world.county_a, filename="a.xlsx",
                                    content=b"x", actor=people.county_a)
    # Only the level above unlocks, and says why.
    with pytest.raises(PermissionDenied):
        services.frame_unlock(scope=scope, submission=sub, actor=people.county_a, comment="想改")
    with pytest.raises(FrameError, match="解锁原因"):
        services.frame_unlock(scope=scope_of(people.city), submission=sub, actor=people.city, comment="")
    sub = services.frame_unlock(scope=scope_of(people.city), submission=sub, actor=people.city,
                                comment="新增一所学校")
    assert (sub.status, sub.locked) == (FrameStatus.DRAFT, False)
    services.frame_record_save(scope=scope, cycle=cycle, county=world.county_a, school=world.school_a1,
                               data={**ROW, "primary_students": 170}, actor=people.county_a)
    assert FrameRecord.objects.get(school=world.school_a1).primary_students == 170


def test_review_roles(people, world, cycle) -> None:
    sub = submitted(people, world, cycle)
    with pytest.raises(PermissionDenied):  # the county cannot approve itself
        services.frame_approve(scope=scope_of(people.county_a_admin), submission=sub, actor=people.county_a_admin)
    with pytest.raises(Http404):  # another city does not even see it
        services.frame_approve(scope=scope_of(people.other_city), submission=sub, actor=people.other_city)
    with pytest.raises(Http404):
        services.frame_submit(scope=scope_of(people.county_b), submission=sub, actor=people.county_b)
    assert FrameSubmission.objects.get().status == FrameStatus.SUBMITTED


def test_stale_version_refused(people, world, cycle) -> None:
    sub = submitted(people, world, cycle)
    FrameSubmission.objects.filter(pk=sub.pk).update(version=sub.version + 5)
    stale = FrameSubmission.objects.get(pk=sub.pk)
    stale.version = sub.version  # as if read before someone else's write
    with pytest.raises(FrameError, match="已被他人修改"):
        services._bump(stale, status=FrameStatus.APPROVED)


def test_chongqing_cycle_reports_grades_5_and_9(people, world, cycle) -> None:
    cycle.config = {"grades": {"primary": 5, "junior": 9}}
    cycle.save()
    headers = ["学校代码", "学校名称", "学校类型", "办学性质", "城乡区域", "隶属关系",
               "5年级学生数", "5年级班级数", "9年级学生数", "9年级班级数", "备注"]
    scope = scope_of(people.county_a)
    old = services.frame_import(scope=scope, cycle=cycle, county=world.county_a, content=xlsx(good_rows_a()),
                                actor=people.county_a)
    assert not old.applied and "5年级学生数" in old.result.problems[0].reason  # grade-4 headers refused
    rows = good_rows_a()
    rows[0][7] = 0
    bad = services.frame_import(scope=scope, cycle=cycle, county=world.county_a,
                                content=xlsx(rows, headers), actor=people.county_a)
    assert [(p.column, p.reason) for p in bad.result.problems] == [
        ("5年级班级数", "5年级有 180 名学生，班级数不能为 0")]
    ok = services.frame_import(scope=scope, cycle=cycle, county=world.county_a,
                               content=xlsx(good_rows_a(), headers), actor=people.county_a)
    assert ok.applied and FrameRecord.objects.get(school=world.school_a1).primary_students == 180
