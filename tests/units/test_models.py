from __future__ import annotations

import pytest

from jiance.units.models import Unit
from tests.factories import World


@pytest.mark.django_db
def test_subtree_is_a_range_on_the_materialised_path(world: World) -> None:
    codes = set(Unit.objects.subtree_of(world.county_a).values_list("code", flat=True))
    assert codes == {"360121", "3601210001", "3601210002"}
    city_schools = set(Unit.objects.subtree_of(world.city).schools().values_list("code", flat=True))
    assert city_schools == {"3601210001", "3601210002", "3601240001", "3601240002"}


@pytest.mark.django_db
def test_sibling_with_shared_code_prefix_is_not_in_subtree(world: World) -> None:
    # "360121" must not swallow a sibling whose code merely starts with it.
    twin = Unit.objects.create(code="3601219", name="假想区", level="county", parent=world.city)
    assert twin not in Unit.objects.subtree_of(world.county_a)
    assert world.school_a1.is_within(world.county_a)
    assert not world.school_b1.is_within(world.county_a)


@pytest.mark.django_db
def test_stages_follow_school_type(world: World) -> None:
    assert world.school_a1.stages == ("primary",)
    assert world.school_b2.stages == ("primary", "junior")
    assert world.school_a1.county() == world.county_a


@pytest.mark.django_db
def test_path_compares_bytes_on_postgresql() -> None:
    """Under a glibc locale PostgreSQL may ignore '/', breaking the subtree range; 'C' does not."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite compares text with BINARY already")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_name = 'units_unit' AND column_name = 'path'"
        )
        assert cursor.fetchone()[0] == "C"
