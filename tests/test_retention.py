"""Kept uploads (previews, rejected files with personal data) are deleted after the keep period."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import polars as pl
import pytest
from django.core.management import call_command

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.audit.models import Action, AuditEntry
from jiance.reporting.models import FrameSubmission, FrameUpload
from jiance.retention import uploads_purge
from jiance.rosters import services as rosters
from jiance.rosters.models import RosterUpload
from tests.factories import World
from tests.rosters.builders import (
    ENTRY_TIME,
    roster_ready,
    students,
    xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def reject_a_roster_file(people: Any, roster: Any) -> bytes:
    df = students("3601210001", "360121", 4, 1)
    content = xlsx(pl.concat([df, df[0:1]]))  # a duplicate row: rejected, the file kept
    out = rosters.roster_import(scope=Scope(people.officer_a1), roster=roster, content=content,
                                filename="名单.xlsx", actor=people.officer_a1)
    assert not out.applied
    return content


def test_old_uploads_go_recent_ones_stay(world: World, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with clock.frozen(ENTRY_TIME):
        people, roster = roster_ready(world)
        reject_a_roster_file(people, roster)
        sub = FrameSubmission.objects.get(county=world.county_a)
        FrameUpload.objects.create(submission=sub, base_version=1, **FrameUpload.keep(b"x", filename="old.xlsx"))
    later = ENTRY_TIME + dt.timedelta(days=10)
    with clock.frozen(later):
        FrameUpload.objects.create(submission=sub, base_version=1, **FrameUpload.keep(b"y", filename="new.xlsx"))
        assert uploads_purge(keep_days=14)["roster_rejected"] == 0  # 10 days old: kept
        counts = uploads_purge(keep_days=7)
    assert counts["roster_rejected"] == 1 and counts["frame_uploads"] == 1
    assert not RosterUpload.objects.exists()
    assert list(FrameUpload.objects.values_list("filename", flat=True)) == ["new.xlsx"]
    entry = AuditEntry.objects.filter(action=Action.DELETE, object_type="uploads").get()
    assert entry.after["roster_rejected"] == 1 and "7 天前" in entry.detail


def test_nothing_to_purge_writes_no_audit_entry(world: World) -> None:
    assert set(uploads_purge(keep_days=0).values()) == {0}
    assert not AuditEntry.objects.filter(object_type="uploads").exists()


def test_negative_days_are_refused(world: World) -> None:
    with pytest.raises(ValueError):
        uploads_purge(keep_days=-1)


def test_command_prints_each_kind(world: World, settings: Any) -> None:
    settings.UPLOAD_KEEP_DAYS = 3
    out = StringIO()
    call_command("purge_uploads", stdout=out)
    text = out.getvalue()
    assert "学生/教师名单未通过的文件：删除 0 个" in text and "单位导入待确认文件" in text


def test_kept_files_are_encrypted_at_rest(world: World, settings: Any) -> None:
    """What a kept upload stores is ciphertext: neither the file nor the names in it can be read
    from the database; `read()` gives the file back as it was uploaded."""
    from django.db import connection

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with clock.frozen(ENTRY_TIME):
        people, roster = roster_ready(world)
        content = reject_a_roster_file(people, roster)
        sub = FrameSubmission.objects.get(county=world.county_a)
        names = "张三,李四".encode()
        FrameUpload.objects.create(submission=sub, base_version=1, **FrameUpload.keep(names, filename="f.xlsx"))
    kept = RosterUpload.objects.get(roster=roster)
    assert kept.read() == content and kept.size == len(content) and kept.uploaded_by == people.officer_a1
    with connection.cursor() as cur:
        cur.execute(f"SELECT sealed FROM {RosterUpload._meta.db_table}")
        (stored,) = cur.fetchone()
        cur.execute(f"SELECT sealed FROM {FrameUpload._meta.db_table}")
        (stored_frame,) = cur.fetchone()
    stored, stored_frame = bytes(stored), bytes(stored_frame)
    assert content[:64] not in stored and content[-64:] not in stored
    assert "张三".encode() not in stored_frame and names not in stored_frame
    assert FrameUpload.objects.get().read() == names
