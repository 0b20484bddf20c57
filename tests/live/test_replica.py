"""With a read replica (JIANCE_READ_REPLICA_URL; here a test mirror of the database), the live
progress page computes its figures on the replica, and everything else on the primary: the
person, the roles, the session and its renewal, and every write."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jiance.accounts.models import Role, User
from jiance.cycles.models import Cycle
from jiance.replica import reads
from jiance.units.models import Unit
from tests.factories import World, make_user
from tests.live.test_views import cells, login
from tests.replica import ON_REPLICA, replica_alias, tables, writes  # noqa: F401 - fixture
from tests.testday.builders import sample_school

pytestmark = ON_REPLICA


def test_the_figures_come_from_the_replica(world: World, cycle: Cycle, fake_source: dict[str, dict[str, int]]) -> None:
    fake_source.update({world.school_a1.code: {"fake_open": 2}})
    sample_school(cycle, world.school_a1, 5)
    client = login(Role.CITY_ADMIN, world.city)
    with CaptureQueriesContext(connections["replica"]) as replica, \
            CaptureQueriesContext(connections["default"]) as primary:
        r = client.get("/live/")
    assert r.status_code == 200
    own = cells(r.content.decode(), world.school_a1.code)
    assert own["fake_open"] == "2" and own["testday_students"] == "5"  # the replica sees the committed rows
    on_replica = tables(replica.captured_queries)
    assert {"sampling_sampledschool", "units_unit"} <= on_replica  # the sample and the sources' GROUP BYs
    assert not writes(replica.captured_queries)
    assert not on_replica & {"django_session", "accounts_user", "accounts_roleassignment"}
    on_primary = tables(primary.captured_queries)
    assert {"django_session", "accounts_user"} <= on_primary  # who asks, and the session renewed
    assert any("django_session" in sql for sql in writes(primary.captured_queries))

    # a second viewer within the TTL reads the cached figures: the replica is not asked again
    with CaptureQueriesContext(connections["replica"]) as again:
        assert login(Role.CITY_ADMIN, world.city, "second").get("/live/").status_code == 200
    assert not again.captured_queries


def test_writes_transactions_and_accounts_never_read_the_replica(world: World) -> None:
    user = make_user("someone", Role.CITY_ADMIN, world.city)

    def on_replica(step: Callable[[], object]) -> set[str]:
        with CaptureQueriesContext(connections["replica"]) as replica, reads():
            step()
        assert not writes(replica.captured_queries)
        return tables(replica.captured_queries)

    assert on_replica(lambda: Unit.objects.filter(code=world.school_a1.code).count()) == {"units_unit"}
    assert on_replica(lambda: User.objects.filter(pk=user.pk).exists()) == set()  # accounts: the primary
    assert on_replica(lambda: Unit.objects.filter(code=world.school_b1.code).update(name="改名小学")) == set()

    def in_a_transaction() -> None:  # what a service reads inside a transaction, it may change
        with transaction.atomic():
            assert Unit.objects.get(code=world.school_b1.code).name == "改名小学"

    assert on_replica(in_a_transaction) == set()
    with reads():
        read_there = Unit.objects.get(code=world.school_b1.code)
    with CaptureQueriesContext(connections["replica"]) as replica:
        read_there.name = "再改名小学"
        read_there.save()  # a row read from the replica is saved to the primary …
        assert read_there.parent is not None  # … and read outside reads() from the primary
    assert not replica.captured_queries
    assert Unit.objects.get(code=world.school_b1.code).name == "再改名小学"


def test_readyz_reaches_the_replica(client: Client) -> None:
    assert client.get("/readyz").json()["checks"]["replica"] == "ok"
