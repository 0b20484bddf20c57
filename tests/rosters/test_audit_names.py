"""The audit log names what was reviewed as a person would, not by internal keys."""

from __future__ import annotations

import pytest

from jiance.audit.models import AuditEntry
from jiance.cycles.models import Cycle
from jiance.rosters import services
from tests.factories import World
from tests.rosters.builders import People
from tests.rosters.conftest import scope_of
from tests.rosters.test_services import approve_all

pytestmark = pytest.mark.django_db


def test_roster_and_draw_entries_are_named_for_people(world: World, cycle: Cycle, people: People) -> None:
    approve_all(world, cycle, people)
    services.students_draw(cycle=cycle, actor=people.city, seed=3, scope=scope_of(people.city))
    reprs = set(AuditEntry.objects.filter(object_type="rosters.roster").values_list("object_repr", flat=True))
    assert f"{world.school_a1.name}小学学生名单" in reprs
    assert not any(":" in r for r in reprs)
    draw = AuditEntry.objects.get(object_type="rosters.studentdraw")
    assert draw.object_repr == f"{world.city.name}样本学生抽取（随机种子 3）"
