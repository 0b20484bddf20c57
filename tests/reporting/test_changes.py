"""The frame's “changes since the last approved version”: a snapshot at each approval, the diff on
the city's review page and on a page of its own, and a plain statement before the first approval."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from jiance.reporting import services
from jiance.reporting.changes import frame_changes
from jiance.reporting.models import FrameSubmission
from jiance.review.snapshots import ReviewSnapshot, last_approved
from tests.factories import client_for
from tests.reporting.conftest import good_rows_a, scope_of, xlsx
from tests.reporting.test_views import county_url

pytestmark = pytest.mark.django_db


def submitted(people: Any, world: Any, cycle: Any, rows: list[list[Any]]) -> FrameSubmission:
    services.frame_import(scope=scope_of(people.county_a), cycle=cycle, county=world.county_a,
                          content=xlsx(rows), actor=people.county_a)
    sub = FrameSubmission.objects.get(county=world.county_a)
    return services.frame_submit(scope=scope_of(people.county_a), submission=sub, actor=people.county_a)


def changed_rows() -> list[list[Any]]:
    rows = good_rows_a()
    rows[0][6], rows[0][7], rows[0][10] = 200, 5, "新增一个班"
    return rows


def test_no_earlier_version_before_the_first_approval(people, world, cycle) -> None:
    sub = submitted(people, world, cycle, good_rows_a())
    changes = frame_changes(scope=scope_of(people.city), submission=sub)
    assert changes is not None and changes.baseline is None and changes.sections == []
    page = client_for(people.city).get(county_url(world)).content.decode()
    assert 'id="changes"' in page and "尚无审核通过的版本" in page
    assert frame_changes(scope=scope_of(people.city), submission=None) is None


def test_approval_stores_a_snapshot_and_the_next_review_shows_what_changed(people, world, cycle) -> None:
    sub = submitted(people, world, cycle, good_rows_a())
    sub = services.frame_approve(scope=scope_of(people.city), submission=sub, actor=people.city)
    snap = ReviewSnapshot.objects.get(chain="frame", object_id=sub.pk)
    assert snap.data["schools"]["3601210001"]["primary_students"] == 180
    # while approved, the last approval is the version itself: nothing earlier to compare with
    assert frame_changes(scope=scope_of(people.city), submission=sub).baseline is None  # type: ignore[union-attr]
    sub = services.frame_unlock(scope=scope_of(people.city), submission=sub, actor=people.city, comment="补报班级")
    # while the county edits, it compares with what was approved
    assert last_approved(sub) == snap
    sub = submitted(people, world, cycle, changed_rows())
    changes = frame_changes(scope=scope_of(people.city), submission=sub)
    assert changes is not None and changes.baseline == snap and changes.total == 1
    (section,) = changes.sections
    assert (len(section.diff.added), len(section.diff.removed), len(section.diff.changed)) == (0, 0, 1)
    (row,) = section.rows
    assert row.kind == "changed" and "3601210001" in row.name
    assert [(label, old, new) for label, old, new in row.fields] == [
        ("小学测试年级学生数", "180", "200"), ("小学测试年级班级数", "4", "5"), ("备注", "", "新增一个班")]

    page = client_for(people.city).get(county_url(world)).content.decode()
    assert "自上次审核通过以来的变化" in page and "学校：新增 0，删除 0，修改 1" in page
    assert "<del>180</del>" in page and "<ins>200</ins>" in page
    full = client_for(people.city).get(county_url(world, "changes"))
    assert full.status_code == 200 and "<ins>新增一个班</ins>" in full.content.decode()
    # a second approval: the next round compares with it
    sub = services.frame_approve(scope=scope_of(people.city), submission=sub, actor=people.city)
    assert ReviewSnapshot.objects.filter(chain="frame", object_id=sub.pk).count() == 2


def test_the_snapshot_is_encrypted_at_rest(people, world, cycle) -> None:
    sub = submitted(people, world, cycle, good_rows_a())
    services.frame_approve(scope=scope_of(people.city), submission=sub, actor=people.city)
    with connection.cursor() as cur:
        cur.execute("SELECT data_json FROM review_reviewsnapshot")
        (raw,) = cur.fetchone()
    assert "3601210001" not in raw and "莲塘" not in raw


def test_changes_page_is_scoped(people, world, cycle) -> None:
    submitted(people, world, cycle, good_rows_a())
    assert client_for(people.county_b).get(county_url(world, "changes")).status_code in (403, 404)
    assert client_for(people.other_city).get(county_url(world, "changes")).status_code in (403, 404)
    assert client_for(people.county_a).get(county_url(world, "changes")).status_code == 200
