"""Logins, failed logins, lockouts and logouts are written to the audit log."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jiance import clock
from jiance.accounts.models import Role
from jiance.audit.models import Action, AuditEntry
from tests.factories import PASSWORD, World, make_user

AT = dt.datetime(2026, 5, 25, 8, 30)


def post_login(client: Client, username: str, password: str, ip: str = "10.1.2.3"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_is_audited_with_time_ip_and_unit(world: World) -> None:
    user = make_user("a1-xx", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    with clock.frozen(AT):
        assert post_login(Client(), "a1-xx", PASSWORD).status_code == 302
    entry = AuditEntry.objects.get(action=Action.LOGIN)
    assert entry.actor == user and entry.actor_name == "a1-xx"
    assert entry.ip == "10.1.2.3"
    assert entry.unit == world.school_a1
    assert timezone.is_aware(entry.at)
    assert entry.at == timezone.make_aware(AT)
    assert entry.result == "ok"


def test_failed_login_is_audited_without_the_password(world: World) -> None:
    user = make_user("a1-xx", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    post_login(Client(), "a1-xx", "Wrong-guess-77")
    entry = AuditEntry.objects.get(action=Action.LOGIN_FAILED)
    assert entry.result == "failed"
    assert entry.object_repr == "a1-xx" and entry.object_id == str(user.pk)
    assert entry.unit == world.school_a1
    assert entry.ip == "10.1.2.3"
    assert entry.actor is None and entry.actor_name == "匿名"  # whoever typed is unknown
    assert "Wrong-guess-77" not in f"{entry.before}{entry.after}{entry.detail}{entry.object_repr}"


def test_failed_login_for_unknown_username_has_no_unit(world: World) -> None:
    post_login(Client(), "ghost", "Wrong-guess-77")
    entry = AuditEntry.objects.get(action=Action.LOGIN_FAILED)
    assert entry.unit is None and entry.actor is None and entry.object_repr == "ghost"


def test_lockout_is_audited(world: World) -> None:
    make_user("a1-xx", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    client = Client()
    for _ in range(6):
        post_login(client, "a1-xx", "Wrong-guess-77")
    entries = AuditEntry.objects.filter(action=Action.LOGIN_FAILED).order_by("id")
    # The fifth failure locks the username on this address; the sixth attempt hits the lock.
    assert [e.result for e in entries] == ["failed"] * 4 + ["locked"] * 2
    assert all(e.unit == world.school_a1 for e in entries)
    assert AuditEntry.objects.count() == 6


def test_logout_is_audited(world: World) -> None:
    user = make_user("a1-xx", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    client = Client()
    post_login(client, "a1-xx", PASSWORD)
    client.post(reverse("logout"), REMOTE_ADDR="10.1.2.3")
    entry = AuditEntry.objects.get(action=Action.LOGOUT)
    assert entry.actor == user and entry.unit == world.school_a1 and entry.ip == "10.1.2.3"


def test_login_unit_is_the_highest_role_unit(world: World) -> None:
    from jiance.accounts.models import RoleAssignment

    user = make_user("both", Role.PROCTOR, world.school_a1)
    RoleAssignment.objects.create(user=user, role=Role.COUNTY_INFO_OFFICER, unit=world.county_a)
    post_login(Client(), "both", PASSWORD)
    assert AuditEntry.objects.get(action=Action.LOGIN).unit == world.county_a
