from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from jiance.accounts.models import Role
from jiance.accounts.scoping import Scope
from jiance.audit.models import Action, AuditEntry
from jiance.units.importer import REJECT_HEADER, Kind
from jiance.units.models import Unit
from jiance.units.selectors import manage_roots
from jiance.units.services import units_export, units_import
from tests.factories import World, make_user
from tests.units.helpers import city, county, school, xlsx


def run(data: bytes, *, roots: list[str] | None = None, dry_run: bool = False, name: str = "单位.xlsx"):
    return units_import(data=data, filename=name, roots=roots, dry_run=dry_run)


def errors_of(result) -> list[tuple[int, str, str, str]]:
    return [(e.row, e.column, e.kind, e.reason) for e in sorted(result.plan.errors)]


def snapshot() -> list[tuple]:
    return list(Unit.objects.order_by("code").values_list(
        "code", "name", "level", "parent_id", "path", "county_kind", "school_type", "nature", "area", "affiliation"))


@pytest.mark.django_db
def test_good_file_creates_parents_and_children_in_any_order(world: World) -> None:
    data = xlsx(
        school("3601990001", "新区第一小学", "360199", area="镇区"),  # child before its parent
        county("360199", "南昌新区", "360100", kind="开发区"),
        school("3601990002", "新区实验中学", "360199", school_type="初中", nature="民办", affiliation="市管民办"),
    )
    result = run(data)
    assert result.ok and result.written
    assert result.counts["new"] == 3 and result.counts["updated"] == 0
    new_county = Unit.objects.get(code="360199")
    assert new_county.parent == world.city and new_county.county_kind == "开发区"
    s1 = Unit.objects.get(code="3601990001")
    assert s1.parent == new_county and s1.path == "CN/360000/360100/360199/3601990001/"
    assert s1.area == "镇区" and s1.school_type == "小学"
    s2 = Unit.objects.get(code="3601990002")
    assert (s2.nature, s2.affiliation, s2.school_type) == ("民办", "市管民办", "初中")
    assert set(Unit.objects.subtree_of(new_county).values_list("code", flat=True)) == {"360199", "3601990001", "3601990002"}


@pytest.mark.django_db
def test_one_import_writes_one_audit_entry_with_counts_and_file_name(world: World) -> None:
    before = AuditEntry.objects.filter(action=Action.IMPORT).count()
    run(xlsx(school("3601210009", "新学校", "360121"), school("3601210001", "南昌县莲塘第一小学", "360121", area="镇区")), name="莲塘.xlsx")
    entries = AuditEntry.objects.filter(action=Action.IMPORT)
    assert entries.count() == before + 1
    entry = entries.latest("id")
    assert entry.after["file"] == "莲塘.xlsx"
    assert (entry.after["new"], entry.after["updated"], entry.after["unchanged"]) == (1, 0, 1)
    assert "莲塘.xlsx" in entry.detail and entry.result == "ok"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rows", "row", "column", "kind", "words"),
    [
        # duplicate code inside the file names the first occurrence
        ([school("3601210009", "甲", "360121"), school("3601210009", "乙", "360121")],
         3, "单位代码", Kind.DUPLICATE, ["代码重复", "第 2 行"]),
        ([school("3601210009", "甲", "999999")], 2, "上级单位代码", Kind.NO_PARENT, ["上级单位不存在", "999999"]),
        ([school("3601000009", "市直学校", "360100")], 2, "上级单位代码", Kind.LEVEL_MISMATCH,
         ["学校的上级必须是县级单位", "360100"]),
        ([county("360188", "错县", "360000")], 2, "上级单位代码", Kind.LEVEL_MISMATCH, ["县级的上级必须是市单位"]),
        ([school("3601210009", "甲", "360121", school_type="高中")], 2, "学校类型", "学校类型无效",
         ["学校类型“高中”无效", "九年一贯制"]),
        ([school("3601210009", "甲", "360121", area="郊区")], 2, "城乡区域", "城乡区域无效", ["城乡区域“郊区”无效"]),
        ([school("3601210009", "", "360121")], 2, "单位名称", Kind.MISSING, ["缺少必填项"]),
        ([school("3601210009", "甲", "360121", nature="")], 2, "办学性质", Kind.MISSING, ["学校须填写办学性质"]),
        ([county("360188", "某县", "360100", kind="")], 2, "县级类型", Kind.MISSING, ["县级单位须填写县级类型"]),
        ([county("360188", "某县", "360100", kind="旗")], 2, "县级类型", "县级类型无效", ["县级类型“旗”无效"]),
        ([school("36/0121", "甲", "360121")], 2, "单位代码", Kind.BAD_CODE, ["只能是字母或数字"]),
        ([["3601210009", "甲", "乡", "360121", "", "", "", "", ""]], 2, "层级", Kind.BAD_LEVEL, ["层级“乡”无效"]),
        ([county("3601210001", "学校变县", "360100")], 2, "层级", Kind.LEVEL_CHANGE, ["不能修改已有单位的层级"]),
    ],
)
def test_each_error_names_row_column_and_reason(world, rows, row, column, kind, words) -> None:
    padding = [school(f"36012100{50 + i}", f"正确学校{i}", "360121") for i in range(2)]
    result = run(xlsx(*padding, *rows) if row > 3 else xlsx(*rows, *padding))
    found = [e for e in result.plan.errors if e.kind == kind]
    assert found, errors_of(result)
    e = found[0]
    expected_row = row + (2 if row > 3 else 0)
    assert (e.row, e.column) == (expected_row, column)
    for w in words:
        assert w in e.reason
    assert str(e).startswith(f"第 {expected_row} 行，列 {column}：")


@pytest.mark.django_db
def test_unreadable_file_is_one_file_level_error(world: World) -> None:
    result = run(b"not a spreadsheet at all")
    assert not result.ok
    assert [(e.row, e.kind) for e in result.plan.errors] == [(0, Kind.FILE)]


@pytest.mark.django_db
def test_one_bad_row_means_nothing_is_written(world: World) -> None:
    before = snapshot()
    rows = [school(f"36012100{10 + i}", f"新学校{i}", "360121") for i in range(30)]
    rows.append(school("3601210001", "改名的学校", "360121", area="镇区"))
    rows.append(school("3601210099", "坏行", "360121", school_type="大学"))
    result = run(xlsx(*rows))
    assert not result.ok and not result.written
    assert result.counts["rejected_rows"] == 1
    assert snapshot() == before
    entry = AuditEntry.objects.filter(action=Action.IMPORT).latest("id")
    assert entry.result == "rejected" and entry.after["errors"] == 1


@pytest.mark.django_db
def test_dry_run_reports_counts_and_writes_nothing(world: World) -> None:
    before = snapshot()
    audits = AuditEntry.objects.count()
    data = xlsx(
        school("3601210009", "新学校", "360121"),
        school("3601210001", "南昌县莲塘第一小学（新名）", "360121", area="镇区"),
        school("3601210002", "南昌县莲塘第二中学", "360121", school_type="初中", area="镇区"),
    )
    result = run(data, dry_run=True)
    assert result.ok and not result.written
    assert (result.counts["new"], result.counts["updated"], result.counts["unchanged"]) == (1, 1, 1)
    assert snapshot() == before
    assert AuditEntry.objects.count() == audits


@pytest.mark.django_db
def test_reimport_updates_attributes_and_moves_subtrees(world: World) -> None:
    # 进贤县 moves to a new city created by the same file; its schools follow.
    data = xlsx(
        city("360200", "景德镇市", "360000"),
        county("360124", "进贤县", "360200", kind="县"),
        school("3601240001", "进贤县民和镇中心小学", "360124", area="镇区"),  # 乡村 → 镇区
    )
    result = run(data)
    assert result.ok, errors_of(result)
    assert (result.counts["new"], result.counts["updated"]) == (1, 2)
    world.county_b.refresh_from_db()
    assert world.county_b.path == "CN/360000/360200/360124/"
    b1 = Unit.objects.get(code="3601240001")
    b2 = Unit.objects.get(code="3601240002")  # not in the file, moved with its county
    assert b1.area == "镇区" and b1.path == "CN/360000/360200/360124/3601240001/"
    assert b2.path == "CN/360000/360200/360124/3601240002/"
    assert set(Unit.objects.subtree_of(world.city).schools().values_list("code", flat=True)) == {"3601210001", "3601210002"}
    again = run(data)
    assert (again.counts["new"], again.counts["updated"], again.counts["unchanged"]) == (0, 0, 3)


@pytest.mark.django_db
def test_new_school_under_a_county_whose_city_moves_gets_the_final_path(world: World) -> None:
    data = xlsx(
        ["360300", "萍乡市", "市", "360000", "", "", "", "", ""],
        ["360100", "南昌市", "市", "360000", "", "", "", "", ""],  # unchanged city
        county("360121", "南昌县", "360300", kind="县"),
        school("3601210077", "新学校", "360121"),  # parent not moved in file row, but moved above
    )
    result = run(data)
    assert result.ok, errors_of(result)
    assert Unit.objects.get(code="3601210077").path == "CN/360000/360300/360121/3601210077/"
    assert Unit.objects.get(code="3601210001").path == "CN/360000/360300/360121/3601210001/"


@pytest.mark.django_db
def test_county_admin_cannot_import_into_sibling_county(world: World) -> None:
    admin = make_user("nc_admin", Role.COUNTY_ADMIN, world.county_a)
    roots = manage_roots(Scope(admin))
    assert roots == [world.county_a.path]
    before = snapshot()
    data = xlsx(
        school("3601210009", "本县新学校", "360121"),
        school("3601240009", "邻县新学校", "360124"),           # row 3: new unit in the sibling county
        school("3601240001", "改邻县学校", "360124", area="乡村"),  # row 4: existing unit of the sibling
        school("3601210001", "搬去邻县", "360124", area="镇区"),   # row 5: moving own school out
        county("360121", "南昌县（改名）", "360100", kind="县"),  # row 6: own unit, only the city may change it
    )
    result = run(data, roots=roots)
    assert not result.ok
    assert snapshot() == before
    out = {(e.row, e.column) for e in result.plan.errors if e.kind == Kind.OUT_OF_SCOPE}
    assert out == {(3, "上级单位代码"), (4, "单位代码"), (5, "上级单位代码"), (6, "单位代码")}
    assert all("单位不在您的管辖范围内" in e.reason for e in result.plan.errors)
    ok = run(xlsx(school("3601210009", "本县新学校", "360121"), county("360121", "南昌县", "360100", kind="县")), roots=roots)
    assert ok.ok and Unit.objects.filter(code="3601210009").exists()


@pytest.mark.django_db
def test_rejected_rows_workbook_has_the_reason_column(world: World) -> None:
    data = xlsx(school("3601210009", "好学校", "360121"), school("3601210010", "坏学校", "360121", school_type="职高"))
    result = run(data, dry_run=True)
    wb = load_workbook(io.BytesIO(result.rejected_xlsx()))
    rows = list(wb.active.values)
    assert rows[0][-1] == REJECT_HEADER
    assert len(rows) == 2
    assert rows[1][0] == "3601210010" and "第 3 行" in rows[1][-1] and "学校类型" in rows[1][-1]


@pytest.mark.django_db
def test_export_reimports_unchanged(world: World) -> None:
    data = units_export(scope=None, root=world.city)
    result = run(data, roots=[world.city.path])
    assert result.ok, errors_of(result)
    assert result.counts["rows"] == 7  # city, 2 counties, 4 schools
    assert result.counts["unchanged"] == 7 and result.counts["new"] == 0 and result.counts["updated"] == 0


@pytest.mark.django_db
def test_export_round_trip_as_county_admin_sees_only_own_subtree(world: World) -> None:
    admin = make_user("nc_admin", Role.COUNTY_ADMIN, world.county_a)
    scope = Scope(admin)
    data = units_export(scope=scope, actor=admin)
    codes = [r[0] for r in list(load_workbook(io.BytesIO(data))["数据"].values)[1:]]
    assert codes == ["360121", "3601210001", "3601210002"]
    assert AuditEntry.objects.filter(action=Action.EXPORT, actor=admin).count() == 1
    result = run(data, roots=manage_roots(scope))
    assert result.ok and result.counts["unchanged"] == 3


@pytest.mark.django_db
def test_export_neutralises_formulas_and_reimport_keeps_the_name(world: World) -> None:
    evil = '=HYPERLINK("http://evil.example","点我")'
    Unit.objects.filter(pk=world.school_a1.pk).update(name=evil)
    Unit.objects.filter(pk=world.school_a2.pk).update(name="-2+3")
    data = units_export(scope=None, root=world.county_a)
    ws = load_workbook(io.BytesIO(data))["数据"]
    names = {r[0]: r[1] for r in list(ws.values)[1:]}
    assert names["3601210001"] == "'" + evil
    assert names["3601210002"] == "'-2+3"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    result = run(data)
    assert result.ok and result.counts["unchanged"] == 3
    assert Unit.objects.get(code="3601210001").name == evil
