"""Tasks marked done by hand: by the unit's own office, undone by it, confirmed or returned by the
level the cycle names, every step through the review engine (version, history, audit)."""

from __future__ import annotations

import pytest
from django.http import Http404

from jiance.accounts.scoping import Scope
from jiance.audit.models import AuditEntry
from jiance.cycles.models import Cycle, MilestoneCompletion
from jiance.errors import RoleRequired
from jiance.milestones import services
from jiance.milestones.attachments import AttachmentRefused, check_attachment
from jiance.milestones.models import MarkError, MarkStatus, MilestoneMark
from tests.factories import World
from tests.milestones.conftest import People, task

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF"


def done(m, unit) -> bool:  # type: ignore[no-untyped-def]
    return MilestoneCompletion.objects.filter(milestone=m, unit=unit).exists()


def test_the_county_marks_its_task_done_with_a_note_and_undoes_it(world: World, cycle: Cycle, people: People) -> None:
    m = task(cycle, "county", 6, text="完成县级测试程序与工作规范的统一培训。")
    scope = Scope(people.county_a)
    row = services.milestone_mark(scope=scope, milestone=m, unit=world.county_a, actor=people.county_a,
                                  note="4 月 9 日完成培训，到会 56 人", attachment=check_attachment(PNG, "签到表.png"))
    row.refresh_from_db()
    assert row.status == MarkStatus.DONE and row.note == "4 月 9 日完成培训，到会 56 人"
    assert row.attachment_name == "签到表.png" and bytes(row.attachment) == PNG
    assert done(m, world.county_a) and not done(m, world.county_b)
    assert AuditEntry.objects.filter(detail__contains="工作节点标记完成").exists()
    services.milestone_undo(scope=scope, mark=row, actor=people.county_a, version=row.version)
    row.refresh_from_db()
    assert row.status == MarkStatus.OPEN and not done(m, world.county_a)
    assert [e.action for e in row.events.all()] == ["mark", "undo"]


def test_a_stale_page_is_refused(world: World, cycle: Cycle, people: People) -> None:
    m = task(cycle, "county", 6)
    scope = Scope(people.county_a)
    row = services.milestone_mark(scope=scope, milestone=m, unit=world.county_a, actor=people.county_a)
    with pytest.raises(MarkError, match="页面已过期"):
        services.milestone_undo(scope=scope, mark=MilestoneMark.objects.get(pk=row.pk), actor=people.county_a,
                                version=row.version - 1)
    assert done(m, world.county_a)


def test_only_the_units_own_office_marks(world: World, cycle: Cycle, people: People) -> None:
    m = task(cycle, "county", 6)
    for who in (people.city, people.liaison_a):  # the level above, the county's liaison: not its office
        with pytest.raises(RoleRequired):
            services.milestone_mark(scope=Scope(who), milestone=m, unit=world.county_a, actor=who)
    with pytest.raises(Http404):  # a sibling county's office does not even see it
        services.milestone_mark(scope=Scope(people.county_b), milestone=m, unit=world.county_a, actor=people.county_b)
    school_task = task(cycle, "school", 3)
    with pytest.raises(MarkError, match="不属于本级"):
        services.milestone_mark(scope=Scope(people.county_a), milestone=school_task, unit=world.county_a,
                                actor=people.county_a)
    assert not MilestoneCompletion.objects.exists()


def test_an_observed_task_cannot_be_marked_by_hand(world: World, cycle: Cycle, people: People) -> None:
    m = task(cycle, "county", 2, done_when="sample_confirmed")
    with pytest.raises(MarkError, match="自动记录"):
        services.milestone_mark(scope=Scope(people.county_a), milestone=m, unit=world.county_a, actor=people.county_a)


def test_confirmation_by_the_city_then_return_with_a_reason(world: World, cycle: Cycle, people: People) -> None:
    m = task(cycle, "county", 6, confirmed_by="city")
    row = services.milestone_mark(scope=Scope(people.county_a), milestone=m, unit=world.county_a,
                                  actor=people.county_a, note="已完成培训")
    assert row.status == MarkStatus.MARKED and not done(m, world.county_a)  # waits for the city
    with pytest.raises(RoleRequired):  # the county cannot confirm its own marking
        services.milestone_confirm(scope=Scope(people.county_a), mark=row, actor=people.county_a)
    with pytest.raises(MarkError, match="退回原因"):
        services.milestone_return(scope=Scope(people.city), mark=row, actor=people.city, comment=" ")
    row = services.milestone_return(scope=Scope(people.city), mark=row, actor=people.city, comment="缺培训签到表",
                                    version=row.version)
    assert row.status == MarkStatus.RETURNED and not done(m, world.county_a)
    # marked again, with the sign-in sheet; confirmed: done
    row = services.milestone_mark(scope=Scope(people.county_a), milestone=m, unit=world.county_a,
                                  actor=people.county_a, attachment=check_attachment(PDF, "签到表.pdf"),
                                  version=row.version)
    row = services.milestone_confirm(scope=Scope(people.city), mark=row, actor=people.city, version=row.version)
    assert row.status == MarkStatus.DONE and done(m, world.county_a)
    assert [e.action for e in row.events.order_by("pk")] == ["submit", "return", "submit", "confirm"]


def test_confirm_is_refused_where_the_cycle_asks_none(world: World, cycle: Cycle, people: People) -> None:
    m = task(cycle, "county", 6)
    row = services.mark_row(milestone=m, unit=world.county_a)
    with pytest.raises(MarkError, match="无需上级确认"):
        services.milestone_confirm(scope=Scope(people.city), mark=row, actor=people.city)


def test_marking_completes_the_parents_subunits_task(world: World, cycle: Cycle, people: People) -> None:
    """subunits_done counts hand-marked tasks as well: the county's task follows its schools'."""
    school_task = task(cycle, "school", 5)
    county_task = task(cycle, "county", 9, done_when="subunits_done:5")
    services.milestone_mark(scope=Scope(people.school_a1), milestone=school_task, unit=world.school_a1,
                            actor=people.school_a1)
    assert not done(county_task, world.county_a)
    from tests.factories import make_user

    a2 = make_user("sa2", "school_info", world.school_a2)
    row = services.milestone_mark(scope=Scope(a2), milestone=school_task, unit=world.school_a2, actor=a2)
    assert done(county_task, world.county_a)
    services.milestone_undo(scope=Scope(a2), mark=row, actor=a2)
    assert not done(county_task, world.county_a)


@pytest.mark.parametrize(("content", "name", "reason"), [
    (b"MZ\x90\x00" + b"\x00" * 100, "签到表.pdf", "只能是 PDF、JPEG 或 PNG"),  # an EXE renamed
    (b"", "空.png", "空文件"),
    (b"%PDF-1.4\n<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>", "通知.pdf", "脚本"),
    (b"<html><script>alert(1)</script>", "a.png", "只能是 PDF、JPEG 或 PNG"),
])
def test_attachments_are_checked_by_content(content: bytes, name: str, reason: str) -> None:
    with pytest.raises(AttachmentRefused, match=reason):
        check_attachment(content, name)


def test_an_oversized_attachment_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    settings.JIANCE_MILESTONE_ATTACHMENT_MB = 1
    with pytest.raises(AttachmentRefused, match="不能超过 1 MB"):
        check_attachment(PNG + b"\x00" * (1024 * 1024), "大.png")
    assert check_attachment(b"\xff\xd8\xff\xe0" + b"\x00" * 10, "照片.JPEG").name == "照片.jpg"
