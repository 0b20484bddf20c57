"""A roster's “changes since the last approved version”: students and teachers added, removed and
changed between rounds of the chain, ID numbers masked unless the viewer may unmask and asks to."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from django.db import connection
from django.urls import reverse

from jiance.audit.models import Action, AuditEntry
from jiance.crypto import masked_id
from jiance.review.snapshots import ReviewSnapshot
from jiance.rosters import services
from jiance.rosters.changes import roster_changes
from jiance.rosters.models import Roster, RosterStatus
from tests.factories import client_for
from tests.rosters.conftest import scope_of
from tests.rosters.test_services import a1_students, do_import, open_roster, submit_with_teacher

pytestmark = pytest.mark.django_db


def second_round(people: Any, world: Any, cycle: Any) -> tuple[Roster, dict[str, str]]:
    """Approved by the principal, returned by the county, then re-imported with the first student
    removed, the second renamed and a new one added, and one more teacher; submitted again."""
    roster = open_roster(people, world, cycle)
    first = a1_students()
    do_import(people, roster, first)
    roster = submit_with_teacher(people, roster)
    roster = services.roster_approve(scope=scope_of(people.principal_a1), roster=roster, actor=people.principal_a1)
    roster = services.roster_return(scope=scope_of(people.county_a), roster=roster, actor=people.county_a,
                                    comment="学号有误")
    new = a1_students(seed=7).head(1).with_columns(pl.lit(first["班级"][0]).alias("班级"))
    names = first["姓名"].to_list()
    ids = first["身份证号"].to_list()
    second = pl.concat([first.slice(1).with_columns(
        pl.Series("姓名", [names[1] + "明", *names[2:]])), new])
    assert do_import(people, roster, second).applied
    services.teacher_save(scope=scope_of(people.officer_a1), roster=roster, actor=people.officer_a1,
                          data={"name": "赵老师", "sex": "女", "roles": ["english"]})
    roster = submit_with_teacher(people, roster)
    return roster, {"removed": ids[0], "renamed": ids[1], "added": new["身份证号"][0],
                    "old_name": names[1], "new_name": names[1] + "明"}


def test_before_the_first_approval(world, cycle, people) -> None:
    roster = open_roster(people, world, cycle)
    do_import(people, roster, a1_students())
    roster = submit_with_teacher(people, roster)
    assert roster_changes(scope=scope_of(people.principal_a1), roster=roster).baseline is None
    page = client_for(people.principal_a1).get(reverse("rosters:roster", args=[roster.pk])).content.decode()
    assert "尚无审核通过的版本" in page


def test_students_and_teachers_added_removed_changed(world, cycle, people) -> None:
    roster, who = second_round(people, world, cycle)
    assert roster.status == RosterStatus.SUBMITTED
    changes = roster_changes(scope=scope_of(people.principal_a1), roster=roster)
    assert changes.baseline is not None and changes.baseline.action == "principal"
    students, teachers = changes.sections
    assert (len(students.diff.added), len(students.diff.removed), len(students.diff.changed)) == (1, 1, 1)
    (renamed,) = [r for r in students.rows if r.kind == "changed"]
    assert renamed.fields == [("姓名", who["old_name"], who["new_name"])]
    assert (len(teachers.diff.added), len(teachers.diff.removed), len(teachers.diff.changed)) == (1, 0, 0)
    assert teachers.rows[0].name == "赵老师" and "英语教师" in teachers.rows[0].summary
    # masked by default: the record names and summaries show no full ID number
    text = " ".join(f"{r.name} {r.summary}" for r in students.rows)
    assert masked_id(who["added"]) in text and who["added"] not in text and who["removed"] not in text
    # unmasked on request (the view checks who may)
    full = roster_changes(scope=scope_of(people.principal_a1), roster=roster, unmask=True)
    assert who["added"] in " ".join(r.summary for r in full.sections[0].rows)


def test_review_pages_show_the_changes_masked_unless_unmasked(world, cycle, people) -> None:
    roster, who = second_round(people, world, cycle)
    principal = client_for(people.principal_a1)
    page = principal.get(reverse("rosters:roster", args=[roster.pk])).content.decode()
    assert 'id="changes"' in page and "学生：新增 1，删除 1，修改 1" in page and "教师：新增 1，删除 0，修改 0" in page
    assert f"<del>{who['old_name']}</del>" in page and f"<ins>{who['new_name']}</ins>" in page
    assert who["added"] not in page and masked_id(who["added"]) in page
    # the principal may unmask while the school checks: full numbers, audited
    full = principal.get(reverse("rosters:changes", args=[roster.pk]) + "?full=1").content.decode()
    assert who["added"] in full and who["removed"] in full
    assert AuditEntry.objects.filter(action=Action.VIEW_PERSONAL, detail__contains="名单变化").count() == 1
    # the county never sees full numbers, even asking
    roster = services.roster_approve(scope=scope_of(people.principal_a1), roster=roster, actor=people.principal_a1)
    county = client_for(people.county_a)
    for url in (reverse("rosters:roster", args=[roster.pk]) + "?full=1",
                reverse("rosters:changes", args=[roster.pk]) + "?full=1"):
        body = county.get(url).content.decode()
        assert "学生：新增 1，删除 1，修改 1" in body
        assert who["added"] not in body and who["removed"] not in body and masked_id(who["removed"]) in body
    # another county's officer cannot open the changes page
    assert client_for(people.county_b).get(reverse("rosters:changes", args=[roster.pk])).status_code in (403, 404)


def test_every_approving_step_snapshots_encrypted(world, cycle, people) -> None:
    roster, who = second_round(people, world, cycle)
    for user in (people.principal_a1, people.county_a, people.city):
        roster = services.roster_approve(scope=scope_of(user), roster=roster, actor=user)
    snaps = list(ReviewSnapshot.objects.filter(chain="roster", object_id=roster.pk).order_by("event_id"))
    assert [s.action for s in snaps] == ["principal", "principal", "county", "city"]
    assert len(snaps[-1].data["students"]) == 40
    with connection.cursor() as cur:
        cur.execute("SELECT data_json FROM review_reviewsnapshot")
        raws = [r[0] for r in cur.fetchall()]
    assert all(who["added"] not in raw and who["new_name"] not in raw for raw in raws)
    # approved: compared with the approval before this round (the principal's first)
    changes = roster_changes(scope=scope_of(people.city), roster=roster)
    assert changes.baseline == snaps[0] and changes.total == 4
