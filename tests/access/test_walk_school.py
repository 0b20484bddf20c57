"""The access walk for every role held at a school (see test_access_walk.py for what must hold)."""

from __future__ import annotations

import pytest

from tests.access.walk import cases_at, walk_problems


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "level"), cases_at('school',))
def test_no_cross_unit_read_or_write(role: str, level: str) -> None:
    problems = walk_problems(role, level)
    assert not problems, "\n".join(problems)
