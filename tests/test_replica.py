"""Without JIANCE_READ_REPLICA_URL the router gives no opinion: every query goes to "default" as
before, inside `reads()` too. (With a replica: tests/live/test_replica.py and
tests/questionnaires/test_replica.py.)"""

from __future__ import annotations

from django.db import router

from jiance import replica
from jiance.accounts.models import User
from jiance.units.models import Unit


def test_without_a_replica_nothing_changes() -> None:
    assert not replica.configured()
    with replica.reads():
        assert router.db_for_read(Unit) == "default" and router.db_for_write(Unit) == "default"
        assert router.db_for_read(User) == "default"
    assert replica.ReplicaRouter().db_for_read(Unit) is None
    assert replica.ReplicaRouter().allow_migrate("replica", "units") is False


def test_reads_is_a_decorator_too() -> None:
    @replica.replica_reads
    def inside() -> bool:
        return replica._reading.get()

    assert inside() and not replica._reading.get()
