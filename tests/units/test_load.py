from __future__ import annotations

import polars as pl
import pytest

from jiance.units.models import Unit
from jiance.units.services import LOAD_COLUMNS, LoadError, units_bulk_load, units_load_synth


def frame(rows: list[dict[str, str]]) -> pl.DataFrame:
    return pl.DataFrame([{**dict.fromkeys(LOAD_COLUMNS, ""), **r} for r in rows])


def sch(code: str, parent: str) -> dict[str, str]:
    return {"code": code, "name": f"学校{code}", "level": "学校", "parent_code": parent, "school_type": "小学",
            "nature": "公办", "area": "乡村", "affiliation": "县属"}


BASE = [
    {"code": "CN", "name": "中心", "level": "centre"},
    {"code": "11", "name": "甲省", "level": "省", "parent_code": "CN"},
    {"code": "1101", "name": "甲市", "level": "市", "parent_code": "11"},
    {"code": "110101", "name": "甲县", "level": "县级", "parent_code": "1101", "county_kind": "县"},
    {"code": "1101011", "name": "甲县二", "level": "county", "parent_code": "1101", "county_kind": "区"},
]


@pytest.mark.django_db
def test_bulk_load_builds_paths_and_keeps_prefix_siblings_apart() -> None:
    rows = [*BASE, sch("1101010001", "110101"), sch("11010110001", "1101011"), sch("1101011000", "1101011")]
    result = units_bulk_load(frame=frame(list(reversed(rows))), batch_size=2)  # children first, tiny batches
    assert result.total == 8 and result.counts["学校"] == 3
    a = Unit.objects.get(code="110101")
    assert a.path == "CN/11/1101/110101/" and a.parent.code == "1101" and a.county_kind == "县"
    school = Unit.objects.get(code="11010110001")
    assert school.path == "CN/11/1101/1101011/11010110001/" and school.parent.code == "1101011"
    assert set(Unit.objects.subtree_of(a).values_list("code", flat=True)) == {"110101", "1101010001"}
    b = Unit.objects.get(code="1101011")
    assert Unit.objects.subtree_of(b).schools().count() == 2
    # the id sequence continues after explicit ids
    new = Unit.objects.create(code="9", name="新", level="province", parent=Unit.objects.get(code="CN"))
    assert new.pk > max(Unit.objects.exclude(pk=new.pk).values_list("pk", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ([sch("1101010001", "110199")], "上级单位不存在"),
        ([sch("1101010001", "1101")], "层级与上级不匹配"),
        ([sch("1101010001", "110101"), sch("1101010001", "110101")], "代码重复"),
        ([{**sch("1101010001", "110101"), "level": "乡"}], "层级无效"),
    ],
)
def test_bulk_load_refuses_bad_frames_and_writes_nothing(extra, words) -> None:
    with pytest.raises(LoadError, match=words):
        units_bulk_load(frame=frame([*BASE, *extra]))
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_bulk_load_refuses_codes_already_present() -> None:
    units_bulk_load(frame=frame(BASE))
    with pytest.raises(LoadError, match="已有 1 个相同代码"):
        units_bulk_load(frame=frame([sch("110101", "110101")]))


@pytest.mark.django_db
def test_load_synth_city_under_existing_centre() -> None:
    centre = Unit.objects.create(code="CN", name="中心", level="centre")
    result = units_load_synth(scale="city", seed=3)
    assert result.counts["县级"] == 12 and result.counts["学校"] > 1000
    province = Unit.objects.get(code="360000")
    assert province.parent == centre
    schools = Unit.objects.subtree_of(province).schools()
    assert schools.count() == result.counts["学校"]
    orphans = Unit.objects.schools().exclude(parent__level="county")
    assert not orphans.exists()
    assert not Unit.objects.schools().filter(school_type="").exists()
