from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiance import clock
from jiance.accounts.models import Role
from jiance.accounts.signals import home_unit
from jiance.audit.context import Actor, acting_as
from jiance.audit.models import Action, AuditEntry
from jiance.audit.services import audit_record, audit_record_many, snapshot
from tests.factories import World, make_user

AT = dt.datetime(2026, 5, 25, 9, 0, 0)


def test_record_takes_actor_ip_and_frozen_time(world: World) -> None:
    user = make_user("a1-xx", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    with clock.frozen(AT), acting_as(Actor(user=user, ip="192.0.2.7", label="web")):
        entry = audit_record(action=Action.UPDATE, obj=world.school_a1, before={"n": 1}, after={"n": 2})
    entry.refresh_from_db()
    assert entry.at == timezone.make_aware(AT) and timezone.is_aware(entry.at)
    assert entry.actor == user and entry.actor_name == "a1-xx" and entry.ip == "192.0.2.7"
    assert entry.unit == world.school_a1  # a unit is its own unit
    assert entry.object_type == "units.unit" and entry.object_id == str(world.school_a1.pk)
    assert (entry.before, entry.after, entry.result) == ({"n": 1}, {"n": 2}, "ok")


def test_record_without_a_person_names_the_channel(world: World) -> None:
    with acting_as(Actor(label="cli")):
        entry = audit_record(action=Action.IMPORT, unit=world.county_a, detail="导入学校")
    assert entry.actor is None and entry.actor_name == "cli"


def test_record_many_writes_every_entry(world: World) -> None:
    with clock.frozen(AT):
        entries = audit_record_many(
            [{"action": Action.CREATE, "unit": s, "object_repr": s.code} for s in (world.school_a1, world.school_b1)]
        )
    assert len(entries) == 2
    assert set(AuditEntry.objects.values_list("object_repr", flat=True)) == {world.school_a1.code, world.school_b1.code}
    assert all(e.at == timezone.make_aware(AT) for e in AuditEntry.objects.all())


def test_snapshot_never_contains_the_password(world: World) -> None:
    user = make_user("a1-xx", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    data = snapshot(user)
    assert "password" not in data and data["username"] == "a1-xx"


def test_home_unit_is_the_highest(world: World) -> None:
    from jiance.accounts.models import RoleAssignment

    user = make_user("x", Role.PROCTOR, world.school_b2)
    assert home_unit(user) == world.school_b2
    RoleAssignment.objects.create(user=user, role=Role.CITY_INFO_OFFICER, unit=world.city)
    assert home_unit(user) == world.city
    assert home_unit(None) is None
