"""With a read replica (here a test mirror of the database), the questionnaire progress page
counts on the replica (`tally`, shared through the cache); the person, the roles, the unit and the
list of who has not submitted are read on the primary."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiance import clock
from jiance.questionnaires.models import Kind
from tests.factories import World
from tests.questionnaires.builders import at
from tests.questionnaires.test_progress_pages import (  # noqa: F401 - fixture
    cycle,
    logged_in,
    people,
    row_of,
    submit,
)
from tests.replica import ON_REPLICA, replica_alias, tables, writes  # noqa: F401 - fixture

pytestmark = ON_REPLICA


def test_the_counts_come_from_the_replica(cycle, world: World) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    cache.clear()
    with clock.frozen(at("14:05")):
        submit(people(cycle, world.school_a2, Kind.STUDENT)[1], "student_q1")
    county = logged_in("ci", "county_info", world.county_a)
    with clock.frozen(at("14:10")), CaptureQueriesContext(connections["replica"]) as replica, \
            CaptureQueriesContext(connections["default"]) as primary:
        page = county.get(reverse("questionnaires:progress", args=[world.county_a.code])).content.decode()
    assert row_of(page, "by-questionnaire", "学生相关因素问卷（一）")[:5] == ["学生", "3", "2", "0", "1"]
    assert "questionnaires_response" in tables(replica.captured_queries) and not writes(replica.captured_queries)
    assert not tables(replica.captured_queries) & {"django_session", "accounts_user", "accounts_roleassignment"}
    assert {"django_session", "accounts_user"} <= tables(primary.captured_queries)
