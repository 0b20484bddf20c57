"""Two city officers approving two replacements at the same moment leave one unbroken hash chain;
two approving the same request leave one approval. (PostgreSQL only: see
tests/concurrency.py)."""

from __future__ import annotations

from typing import Any
from unittest import mock

from jiance.sampling import services
from jiance.sampling.models import (
    ReplacementRequest,
    RequestStatus,
    RowStatus,
    SampledSchool,
    SamplingError,
)
from tests.concurrency import POSTGRES_RACE, holding_lock, race
from tests.sampling.conftest import scope_of

pytestmark = POSTGRES_RACE

slow_locked_draw = holding_lock(services._locked_draw)


def _setup(people: Any, world: Any, cycle: Any) -> tuple[Any, list[ReplacementRequest]]:
    scope = scope_of(people.city)
    d = services.draw_create(scope=scope, cycle=cycle, owner=world.city, seed=8, actor=people.city)
    d = services.draw_publish(scope=scope, draw=d, actor=people.city)
    rows = [
        r for r in SampledSchool.objects.filter(draw=d, role="sample", county=world.county_a)
        if SampledSchool.objects.filter(replaces=r).exists()
    ][:2]
    assert len(rows) == 2
    reqs = [
        services.replacement_request(scope=scope_of(people.county_a), sampled_school=r, reason="撤并",
                                     actor=people.county_a)
        for r in rows
    ]
    return d, reqs


def test_two_approvals_at_once_chain_in_order(people, sampling_world, cycle, frames) -> None:
    d, (r1, r2) = _setup(people, sampling_world, cycle)

    def approve(req: ReplacementRequest, user: Any) -> Any:
        return services.replacement_approve(scope=scope_of(user), request=req, actor=user)

    with mock.patch.object(services, "_locked_draw", slow_locked_draw):
        results = race(lambda: approve(r1, people.city), lambda: approve(r2, people.city_info))
    assert not any(isinstance(r, Exception) for r in results), results
    approved = list(ReplacementRequest.objects.filter(status=RequestStatus.APPROVED).order_by("sequence"))
    assert [a.sequence for a in approved] == [1, 2]
    d.refresh_from_db()
    assert approved[0].prev_hash == d.published_hash
    assert approved[1].prev_hash == approved[0].hash
    assert d.sample_hash == approved[1].hash
    assert services.draw_verify(draw=d).ok


def test_the_same_request_is_approved_once(people, sampling_world, cycle, frames) -> None:
    d, (r1, _r2) = _setup(people, sampling_world, cycle)

    def approve(user: Any) -> Any:
        return services.replacement_approve(scope=scope_of(user), request=r1, actor=user)

    with mock.patch.object(services, "_locked_draw", slow_locked_draw):
        results = race(lambda: approve(people.city), lambda: approve(people.city_info))
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], SamplingError) and "已同意" in str(errors[0])
    assert SampledSchool.objects.filter(draw=d, status=RowStatus.IN_SAMPLE, replaces=r1.sampled_school).count() == 1
    assert services.draw_verify(draw=d).ok
