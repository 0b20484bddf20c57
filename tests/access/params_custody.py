"""URL parameters of jiance.custody routes for the access walk.

Ids are distinctive because the walk blanks argument values out of response bodies.
"""

from __future__ import annotations

from jiance.units.models import Unit
from tests.access.registry import param

ID_BASE = 87_000_000


@param("report", missing="no-such-report", shared=True)
def report(school: Unit) -> str:
    return "receipt"


@param("entry_id", missing="999999999")
def entry_id(school: Unit) -> str:
    """A watch-log entry of the school's county ledger (the walk's cycle, one per county)."""
    from jiance import clock
    from jiance.accounts.models import User
    from jiance.custody import chain
    from jiance.custody.models import LedgerEntry, Step
    from jiance.cycles.models import Cycle

    county = school.county()
    assert county is not None
    cycle, _ = Cycle.objects.get_or_create(
        code="walk-2022", defaults={"year": 2022, "name": "走查周期", "config": {"test_days": []}}
    )
    found = LedgerEntry.objects.filter(cycle=cycle, county=county, school=school).first()
    if found is not None:
        return str(found.pk)
    actor, _ = User.objects.get_or_create(username=f"walk-keeper-{county.code}")
    from django.db import transaction

    with transaction.atomic():
        entry = chain.append(cycle=cycle, county=county, school=school, step=Step.WATCH, at=clock.now(),
                             recorded_at=clock.now(), recorded_by=actor, note="走查值守记录")
    return str(entry.pk)
