"""URL parameters of jiance.web routes for the access walk."""

from __future__ import annotations

from jiance.units.models import Unit
from tests.access.registry import param


@param("milestone_id", missing="999999999")
def milestone_id(school: Unit) -> str:
    """Milestones belong to a cycle (programme-wide), not to a branch: one school-level task."""
    from jiance.cycles.models import Cycle, Milestone

    cycle, _ = Cycle.objects.get_or_create(
        code="walk-2022", defaults={"year": 2022, "name": "走查周期", "config": {"test_days": []}}
    )
    # A distinctive id: the walk blanks argument values out of response bodies.
    milestone, _ = Milestone.objects.get_or_create(
        pk=7_700_001,
        defaults={"cycle": cycle, "level": "school", "number": 1, "phase": "before", "task": "走查任务"},
    )
    return str(milestone.pk)
