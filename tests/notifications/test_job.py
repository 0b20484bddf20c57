"""The daily job: which deadlines it reminds of on which day (3 days, 1 day, today, overdue once),
idempotent when run twice, inbox items too; the senders; reminders to laggards, rate-limited."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from jiance import clock
from jiance.accounts.models import Role
from jiance.accounts.scoping import Scope
from jiance.audit.models import AuditEntry
from jiance.cycles.models import Cycle, CycleStatus, Milestone, MilestoneCompletion
from jiance.notifications.models import Kind, LaggardReminder, Notification
from jiance.notifications.services import ReminderRefused, laggards_remind, notifications_daily
from jiance.units.models import Unit
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2024, 4, 26)


@pytest.fixture
def cycle(world: World) -> Cycle:
    return Cycle.objects.create(code="t-2024", year=2024, name="2024 年监测", config={"test_days": []},
                                status=CycleStatus.ACTIVE)


@pytest.fixture
def roster_task(cycle: Cycle) -> Milestone:
    return Milestone.objects.create(cycle=cycle, level="school", number=2, phase="before", deadline=DEADLINE,
                                    task="完成测试年级师生信息的上报。")


def run(day: dt.date) -> None:
    with clock.frozen(dt.datetime(day.year, day.month, day.day, 7, 0)):
        notifications_daily(today=day)


def buckets(user) -> list[str]:  # type: ignore[no-untyped-def]
    return [k.rsplit(":", 1)[1] for k in Notification.objects.filter(recipient=user, kind=Kind.DEADLINE)
            .order_by("pk").values_list("key", flat=True)]


def test_reminds_3_days_1_day_the_day_and_once_overdue(world: World, roster_task: Milestone) -> None:
    officer = make_user("a1", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    proctor = make_user("p1", Role.PROCTOR, world.school_a1)  # not the school's office: no reminders
    seen = []
    for offset in range(-5, 4):
        run(DEADLINE + dt.timedelta(days=offset))
        seen.append(buckets(officer)[-1] if buckets(officer) else "")
    assert buckets(officer) == ["d3", "d1", "d0", "overdue"]
    # the day each was created: 3 days before, the day before, the day, the day after
    assert seen == ["", "", "d3", "d3", "d1", "d0", "overdue", "overdue", "overdue"]
    assert not Notification.objects.filter(recipient=proctor).exists()
    n = Notification.objects.filter(recipient=officer).order_by("pk").first()
    assert n is not None and "完成测试年级师生信息的上报" in n.title and "3 天后截止" in n.title
    assert n.url == reverse("milestones:unit", args=[world.school_a1.code])


def test_running_twice_the_same_day_adds_nothing(world: World, roster_task: Milestone) -> None:
    make_user("a1", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    make_user("a1p", Role.PRINCIPAL, world.school_a1)
    make_user("b1", Role.SCHOOL_INFO_OFFICER, world.school_b1)
    run(DEADLINE)
    first = Notification.objects.count()
    run(DEADLINE)
    assert first == 3 == Notification.objects.count()  # one each: two at school A1, one at B1


def test_a_unit_that_has_done_the_task_is_not_reminded(world: World, roster_task: Milestone) -> None:
    a1 = make_user("a1", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    b1 = make_user("b1", Role.SCHOOL_INFO_OFFICER, world.school_b1)
    MilestoneCompletion.objects.create(milestone=roster_task, unit=world.school_a1, done_at=clock.now())
    run(DEADLINE)
    assert not buckets(a1) and buckets(b1) == ["d0"]


def test_the_job_notifies_inbox_items_once(world: World, cycle: Cycle) -> None:
    from jiance.milestones.models import MilestoneMark

    city = make_user("city", Role.CITY_ADMIN, world.city)
    m = Milestone.objects.create(cycle=cycle, level="county", number=6, phase="before", deadline=DEADLINE,
                                 task="完成县级培训", confirmed_by="city")
    now = clock.now()
    MilestoneMark.objects.create(cycle=cycle, milestone=m, unit=world.county_a, status="marked", created_at=now,
                                 updated_at=now)
    run(DEADLINE - dt.timedelta(days=10))
    run(DEADLINE - dt.timedelta(days=10))
    items = Notification.objects.filter(recipient=city, kind=Kind.INBOX)
    assert items.count() == 1 and "待确认完成" in items.get().title


def test_the_command_takes_a_date_and_the_senders_are_pluggable(  # type: ignore[no-untyped-def]
    world: World, roster_task: Milestone, settings, caplog, django_capture_on_commit_callbacks,
) -> None:
    make_user("a1", Role.SCHOOL_INFO_OFFICER, world.school_a1, email="a1@example.cn")
    make_user("a2", Role.SCHOOL_INFO_OFFICER, world.school_a2)  # no address: no mail
    settings.JIANCE_NOTIFY_SENDERS = ["jiance.notifications.senders.LoggingSender",
                                      "jiance.notifications.senders.EmailSender"]
    with caplog.at_level(logging.INFO, logger="jiance.notifications"), \
            django_capture_on_commit_callbacks(execute=True):
        call_command("remind", "--date", "2024-04-25")
    assert [m.to for m in mail.outbox] == [["a1@example.cn"]]
    assert "明天截止" in mail.outbox[0].subject
    assert sum("提醒 →" in r.getMessage() for r in caplog.records) == 2
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("remind", "--date", "25/04/2024")


def test_a_failing_sender_does_not_stop_the_others(  # type: ignore[no-untyped-def]
    world: World, roster_task: Milestone, settings, django_capture_on_commit_callbacks,
) -> None:
    make_user("a1", Role.SCHOOL_INFO_OFFICER, world.school_a1, email="a1@example.cn")
    settings.JIANCE_NOTIFY_SENDERS = ["tests.notifications.test_job.Broken", "jiance.notifications.senders.EmailSender"]
    with django_capture_on_commit_callbacks(execute=True):
        run(DEADLINE)
    assert len(mail.outbox) == 1 and Notification.objects.count() == 1


class Broken:
    def send(self, notification: Notification) -> None:
        raise RuntimeError("网关故障")


# --- the level above reminds laggards ----------------------------------------------------------
def test_the_county_reminds_its_laggards_once_a_day(world: World, roster_task: Milestone) -> None:
    county = make_user("ca", Role.COUNTY_ADMIN, world.county_a)
    a1 = make_user("a1", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    a2 = make_user("a2", Role.SCHOOL_INFO_OFFICER, world.school_a2)
    b1 = make_user("b1", Role.SCHOOL_INFO_OFFICER, world.school_b1)
    MilestoneCompletion.objects.create(milestone=roster_task, unit=world.school_a1, done_at=clock.now())
    with clock.frozen(dt.datetime(2024, 4, 24, 9, 0)):
        assert laggards_remind(scope=Scope(county), unit=world.county_a, milestone=roster_task, actor=county) == (1, 0)
        with pytest.raises(ReminderRefused, match="每天只能提醒一次"):
            laggards_remind(scope=Scope(county), unit=world.county_a, milestone=roster_task, actor=county)
    reminder = Notification.objects.get(kind=Kind.REMINDER)
    assert reminder.recipient == a2 and "南昌县提醒" in reminder.title
    assert not Notification.objects.filter(recipient__in=[a1, b1]).exists()
    assert AuditEntry.objects.filter(detail__contains="催办工作节点 2").count() == 1
    with clock.frozen(dt.datetime(2024, 4, 25, 9, 0)):  # the next day: again
        assert laggards_remind(scope=Scope(county), unit=world.county_a, milestone=roster_task, actor=county) == (1, 0)
    assert LaggardReminder.objects.count() == 2


def test_reminding_needs_the_office_above_and_someone_to_remind(world: World, roster_task: Milestone) -> None:
    from jiance.errors import RoleRequired

    liaison = make_user("la", Role.COUNTY_LIAISON, world.county_a)
    with pytest.raises(RoleRequired):
        laggards_remind(scope=Scope(liaison), unit=world.county_a, milestone=roster_task, actor=liaison)
    city = make_user("city", Role.CITY_ADMIN, world.city)
    with pytest.raises(ReminderRefused, match="直接下级"):  # a school task, two levels below the city
        laggards_remind(scope=Scope(city), unit=world.city, milestone=roster_task, actor=city)
    county = make_user("ca", Role.COUNTY_ADMIN, world.county_a)
    for school in (world.school_a1, world.school_a2):
        MilestoneCompletion.objects.create(milestone=roster_task, unit=school, done_at=clock.now())
    with pytest.raises(ReminderRefused, match="均已完成"):
        laggards_remind(scope=Scope(county), unit=world.county_a, milestone=roster_task, actor=county)
    assert not LaggardReminder.objects.exists()


def test_remind_button_and_notification_list(world: World, roster_task: Milestone) -> None:
    county = make_user("ca", Role.COUNTY_ADMIN, world.county_a)
    a2 = make_user("a2", Role.SCHOOL_INFO_OFFICER, world.school_a2)
    c = Client()
    c.force_login(county)
    url = reverse("notifications:remind", args=[world.county_a.code, roster_task.pk])
    r = c.post(url, {"next": reverse("milestones:unit", args=[world.county_a.code])}, follow=True)
    assert "已提醒 2 个未完成单位" in r.content.decode()
    r = c.post(url, follow=True)
    assert "每天只能提醒一次" in r.content.decode()
    s = Client()
    s.force_login(a2)
    page = s.get(reverse("notifications:list")).content.decode()
    assert "南昌县提醒" in page and 'data-unread-count="1"' in page
    n = Notification.objects.get(recipient=a2)
    r = s.post(reverse("notifications:read", args=[n.pk]), {"next": n.url})
    assert r.status_code == 302 and r["Location"] == n.url
    n.refresh_from_db()
    assert n.read_at is not None
    assert 'data-unread-count="0"' in s.get(reverse("notifications:list")).content.decode()
    # someone else's notification is not touched
    other = Client()
    other.force_login(county)
    Notification.objects.filter(pk=n.pk).update(read_at=None)
    other.post(reverse("notifications:read", args=[n.pk]))
    assert Notification.objects.get(pk=n.pk).read_at is None
    s.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=a2, read_at__isnull=True).exists()
    assert Unit.objects.filter(pk=world.school_a2.pk).exists()
