"""Writes to the hierarchy: file import (whole or nothing), export, and the national-scale load."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import CharField, Max, Value
from django.db.models.functions import Concat, Substr

from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.spreadsheets import build_template, write_rows
from jiance.units.importer import (
    HEADERS,
    LEVEL_LABELS,
    SCHOOL_FIELDS,
    ErrorGroup,
    ImportPlan,
    UnitRow,
    export_row,
    group_errors,
    read_and_plan,
    rejected_workbook,
    unit_template_spec,
)
from jiance.units.models import LEVEL_DEPTH, PATH_SEPARATOR, Level, Unit, subtree_upper_bound
from jiance.units.selectors import existing_units, export_rows, units_for_export

WRITE_BATCH = 5000
# Exports up to this size carry the template's dropdowns; bigger ones are streamed plainly.
TEMPLATE_EXPORT_LIMIT = 5000


@dataclass
class ImportResult:
    plan: ImportPlan
    filename: str
    dry_run: bool
    written: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.plan.ok

    @property
    def counts(self) -> dict[str, int]:
        return self.plan.counts()

    @cached_property
    def groups(self) -> list[ErrorGroup]:
        return group_errors(self.plan.errors)

    def rejected_xlsx(self) -> bytes:
        return rejected_workbook(self.plan)


def units_import(
    *,
    data: bytes,
    filename: str,
    roots: Sequence[str] | None,
    dry_run: bool = False,
    actor: Any = None,
    audit_unit: Unit | None = None,
) -> ImportResult:
    """Check a hierarchy file and, unless `dry_run` or any row is wrong, write all of it.

    `roots` are the paths of the subtrees the importer manages (None: unrestricted, the
    command line run by the system operator). One audit entry per real (non-dry) import.
    """
    started = time.perf_counter()
    if dry_run:
        plan = read_and_plan(data, existing_units, roots=roots)
        return ImportResult(plan, filename, dry_run=True, seconds=time.perf_counter() - started)
    with transaction.atomic():
        plan = read_and_plan(data, existing_units, roots=roots)
        if plan.ok:
            _apply(plan)
        counts = plan.counts()
        audit_record(
            action=Action.IMPORT,
            object_type="units.unit",
            object_repr=f"单位导入：{filename}"[:200],
            unit=audit_unit,
            after={"file": filename, **counts},
            result="ok" if plan.ok else "rejected",
            detail=(
                f"导入 {filename}：新建 {counts['new']}，更新 {counts['updated']}，未变 {counts['unchanged']}"
                if plan.ok
                else f"导入 {filename} 被拒绝：{counts['errors']} 处错误，涉及 {counts['rejected_rows']} 行，未写入任何数据"
            ),
            actor=actor,
        )
    return ImportResult(plan, filename, dry_run=False, written=plan.ok, seconds=time.perf_counter() - started)


def _fields_of(r: UnitRow) -> dict[str, Any]:
    school = r.level == Level.SCHOOL
    return {
        "name": r.name,
        "path": r.path,
        "county_kind": r.county_kind if r.level == Level.COUNTY else "",
        **{k: (getattr(r, k) if school else "") for k, _ in SCHOOL_FIELDS},
    }


def _apply(plan: ImportPlan) -> None:
    """Write a checked plan: new units shallow-first, moved subtrees re-rooted, changes in bulk."""
    ids: dict[str, int] = {}
    for r, old in plan.changed:
        ids[r.code] = old.id
    missing_parents = {r.parent_code for r in plan.new} | {r.parent_code for r, _ in plan.changed}
    missing_parents -= {r.code for r in plan.new} | set(ids) | {""}
    if missing_parents:
        ids.update(dict(Unit.objects.filter(code__in=missing_parents).values_list("code", "id")))

    by_depth = sorted(plan.new, key=lambda r: LEVEL_DEPTH[r.level])  # type: ignore[index]
    for depth in sorted({LEVEL_DEPTH[r.level] for r in by_depth}):  # type: ignore[index]
        layer = [r for r in by_depth if LEVEL_DEPTH[r.level] == depth]  # type: ignore[index]
        objs = [
            Unit(code=r.code, level=r.level, parent_id=ids.get(r.parent_code), **_fields_of(r))
            for r in layer
        ]
        created = Unit.objects.bulk_create(objs, batch_size=WRITE_BATCH)
        if all(o.pk for o in created):
            ids.update({o.code: o.pk for o in created})
        else:  # a backend that cannot return ids from a bulk insert
            codes = [o.code for o in created]
            for i in range(0, len(codes), WRITE_BATCH):
                ids.update(dict(Unit.objects.filter(code__in=codes[i : i + WRITE_BATCH]).values_list("code", "id")))

    moved = [(r, old) for r, old in plan.changed if r.parent_code != old.parent_code]
    for r, old in sorted(moved, key=lambda p: LEVEL_DEPTH[p[0].level]):  # type: ignore[index]
        current = Unit.objects.filter(pk=old.id).values_list("path", flat=True).get()
        if current != r.path:
            Unit.objects.filter(path__gte=current, path__lt=subtree_upper_bound(current)).update(
                path=Concat(Value(r.path), Substr("path", len(current) + 1), output_field=CharField())
            )

    if plan.changed:
        objs = []
        for r, old in plan.changed:
            objs.append(Unit(pk=old.id, code=r.code, level=r.level, parent_id=ids[r.parent_code] if r.parent_code else None, **_fields_of(r)))
        Unit.objects.bulk_update(
            objs,
            ["name", "parent", "path", "county_kind", "school_type", "nature", "area", "affiliation"],
            batch_size=1000,
        )


# --- export -----------------------------------------------------------------------------------
def units_export(*, scope: Any, root: Unit | None = None, actor: Any = None) -> bytes:
    """The units the person sees (under `root`) as the import template, ready to re-import."""
    qs = units_for_export(scope=scope, root=root)
    n = qs.count()
    rows = (export_row(v) for v in export_rows(qs))
    if n <= TEMPLATE_EXPORT_LIMIT:
        data = build_template(unit_template_spec(max_rows=max(5000, n + 1000)), rows)
    else:
        data = write_rows("数据", HEADERS, rows)
    audit_record(
        action=Action.EXPORT,
        object_type="units.unit",
        object_repr=f"单位导出：{root.name if root else '全部'}"[:200],
        unit=root,
        after={"units": n, "root": root.code if root else ""},
        detail=f"导出单位 {n} 个",
        actor=actor,
    )
    return data


# --- national-scale load ----------------------------------------------------------------------
@dataclass
class LoadResult:
    counts: dict[str, int] = field(default_factory=dict)
    seconds_prepare: float = 0.0
    seconds_insert: float = 0.0
    seconds_generate: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class LoadError(ValueError):
    pass


LOAD_COLUMNS = ("code", "name", "level", "parent_code", "county_kind", "school_type", "nature", "area", "affiliation")


def units_bulk_load(*, frame: Any, batch_size: int = WRITE_BATCH, use_copy: bool = True) -> LoadResult:
    """Insert a whole hierarchy from a polars DataFrame (columns `LOAD_COLUMNS`; level as the
    model's value or its Chinese label), e.g. 3,000 counties and 220,000 schools, in seconds.

    Everything is vectorised in polars: ids are assigned up front, paths are built by one join
    per level (5 joins, not a walk per row), and the rows go in with bulk_create(batch_size) —
    or PostgreSQL COPY when available. Codes already in the database are refused; parents may
    already exist (e.g. the centre). Runs in one transaction: all or nothing.
    """
    import polars as pl

    t0 = time.perf_counter()
    df = _normalise_frame(frame, pl)
    if df.is_empty():
        raise LoadError("没有要载入的单位")
    errors: list[str] = []
    dup = df.filter(pl.col("code").is_duplicated())["code"].unique().sort()
    if len(dup):
        errors.append(f"代码重复 {len(dup)} 个，例如：{'、'.join(dup.head(5).to_list())}")
    taken: list[str] = []
    codes = df["code"].to_list()
    if Unit.objects.exists():
        for i in range(0, len(codes), WRITE_BATCH):
            taken += list(Unit.objects.filter(code__in=codes[i : i + WRITE_BATCH]).values_list("code", flat=True))
    if taken:
        errors.append(f"系统中已有 {len(taken)} 个相同代码，例如：{'、'.join(sorted(taken)[:5])}")
    outside = set(df.filter(pl.col("parent_code") != "")["parent_code"].unique().to_list()) - set(codes)
    known_rows = list(Unit.objects.filter(code__in=sorted(outside)).values_list("code", "id", "path", "level"))
    known = pl.DataFrame(
        {
            "code": [c for c, *_ in known_rows],
            "id": [i for _, i, _, _ in known_rows],
            "path": [p for *_, p, _ in known_rows],
            "depth": [LEVEL_DEPTH[lv] for *_, lv in known_rows],  # type: ignore[index]
        },
        schema={"code": pl.String, "id": pl.Int64, "path": pl.String, "depth": pl.Int64},
    )
    if errors:
        raise LoadError("；".join(errors))

    start = (Unit.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    df = df.sort("depth", "code").with_row_index("idx").with_columns((pl.col("idx").cast(pl.Int64) + start).alias("id"))
    resolved = known
    parts = []
    for depth in range(5):
        layer = df.filter(pl.col("depth") == depth)
        if layer.is_empty():
            continue
        if depth == 0:
            layer = layer.with_columns(
                pl.lit(None, dtype=pl.Int64).alias("parent_id"), pl.lit(-1, dtype=pl.Int64).alias("parent_depth"),
                (pl.col("code") + PATH_SEPARATOR).alias("path"),
            )
        else:
            parents = resolved.select(
                pl.col("code").alias("parent_code"), pl.col("id").alias("parent_id"),
                pl.col("path").alias("parent_path"), pl.col("depth").alias("parent_depth"),
            )
            layer = layer.join(parents, on="parent_code", how="left")
            orphans = layer.filter(pl.col("parent_id").is_null())
            if len(orphans):
                raise LoadError(
                    f"上级单位不存在：{len(orphans)} 个单位，例如 "
                    + "、".join(f"{c}（上级 {p}）" for c, p in orphans.select("code", "parent_code").head(5).iter_rows())
                )
            wrong = layer.filter(pl.col("parent_depth") != depth - 1)
            if len(wrong):
                raise LoadError(
                    f"层级与上级不匹配：{len(wrong)} 个单位，例如 " + "、".join(wrong["code"].head(5).to_list())
                )
            layer = layer.with_columns((pl.col("parent_path") + pl.col("code") + PATH_SEPARATOR).alias("path"))
        too_long = layer.filter(pl.col("path").str.len_chars() > 120)
        if len(too_long):
            raise LoadError(f"层级路径过长：{'、'.join(too_long['code'].head(5).to_list())}")
        parts.append(layer.select("id", "code", "name", "level", "parent_id", "path", *LOAD_COLUMNS[4:]))
        resolved = pl.concat([resolved, layer.select("code", "id", "path", "depth")])
    table = (pl.concat(parts) if parts else df).sort("path")  # sequential inserts into the path index
    t1 = time.perf_counter()

    with transaction.atomic():
        if use_copy and connection.vendor == "postgresql":
            _copy_units(table)
        else:
            _insert_units(table, batch_size)
        _reset_sequence()
    t2 = time.perf_counter()
    counts = {str(LEVEL_LABELS[lv]): n for lv, n in table.group_by("level").len().iter_rows()}
    return LoadResult(counts=counts, seconds_prepare=t1 - t0, seconds_insert=t2 - t1)


def _normalise_frame(frame: Any, pl: Any) -> Any:
    from jiance.units.importer import LEVEL_ALIASES

    missing = [c for c in ("code", "name", "level", "parent_code") if c not in frame.columns]
    if missing:
        raise LoadError("数据缺少列：" + "、".join(missing))
    df = frame.with_columns(
        [pl.lit("").alias(c) for c in LOAD_COLUMNS if c not in frame.columns]
    ).select(
        [pl.col(c).cast(pl.String).fill_null("").str.strip_chars().alias(c) for c in LOAD_COLUMNS]
    )
    levels = {k: str(v) for k, v in LEVEL_ALIASES.items()}
    df = df.with_columns(pl.col("level").replace_strict(levels, default=None).alias("level"))
    bad = df.filter(pl.col("level").is_null())
    if len(bad):
        raise LoadError(f"层级无效：{len(bad)} 个单位，例如 {'、'.join(bad['code'].head(5).to_list())}")
    depth = {str(k): v for k, v in LEVEL_DEPTH.items()}
    return df.with_columns(pl.col("level").replace_strict(depth, return_dtype=pl.Int64).alias("depth"))


def _insert_units(table: Any, batch_size: int) -> None:
    """Plain INSERTs through the Django cursor, `batch_size` rows per executemany (no model
    instance per row, unlike bulk_create)."""
    cols = [*table.columns, "local_time", "is_active"]
    qn = connection.ops.quote_name
    # identifiers come from the model, values are parameters
    columns, marks = ", ".join(qn(c) for c in cols), ", ".join(["%s"] * len(cols))
    sql = f"INSERT INTO {qn(Unit._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for chunk in table.iter_slices(batch_size):
            cursor.executemany(sql, [(*row, False, True) for row in chunk.iter_rows()])


def _copy_units(table: Any) -> None:
    """PostgreSQL COPY of the whole table as one tab-separated stream written by polars."""
    import polars as pl

    bad = table.filter(pl.any_horizontal(pl.col(pl.String).str.contains(r"[\t\n\r\\]")))
    if len(bad):
        raise LoadError(f"单位名称含制表符或换行：{'、'.join(bad['code'].head(5).to_list())}")
    data = table.with_columns(pl.lit("f").alias("local_time"), pl.lit("t").alias("is_active")).write_csv(
        separator="\t", include_header=False, null_value="\\N", quote_style="never"
    )
    cols = ", ".join(connection.ops.quote_name(c) for c in [*table.columns, "local_time", "is_active"])
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {connection.ops.quote_name(Unit._meta.db_table)} ({cols}) FROM STDIN") as copy:
            copy.write(data.encode())


def _reset_sequence() -> None:
    sql = connection.ops.sequence_reset_sql(no_style(), [Unit])
    if sql:
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)


# --- synthetic hierarchy ----------------------------------------------------------------------
CENTRE_CODE, CENTRE_NAME = "CN", "教育部基础教育质量监测中心"
# Synthetic county kinds outside the platform's five: an Inner-Mongolian 旗 is a county.
COUNTY_KIND_MAP = {"旗": "县", "自治县": "县", "自治旗": "县", "林区": "县", "特区": "区"}


def synth_frame(*, scale: str, seed: int, centre_code: str | None) -> Any:
    """The synthetic hierarchy of `jiance_core.synth` as one frame in `LOAD_COLUMNS` order.

    `centre_code`: the existing centre to hang provinces under; None adds a centre row.
    """
    import polars as pl

    from jiance_core import synth

    if scale == "national":
        h = synth.national_hierarchy(seed)
        units, schools = h.units, h.schools
    elif scale == "city":
        c = synth.nanchang_city(seed)
        units, schools = c.units, c.schools
    else:
        raise LoadError(f"规模无效：{scale}（应为 national 或 city）")
    centre = centre_code or CENTRE_CODE
    unit_rows = units.select(
        pl.col("code"), pl.col("name"), pl.col("level"),
        pl.col("parent_code").fill_null(centre),
        pl.when(pl.col("level") == "county").then(pl.col("kind").replace(COUNTY_KIND_MAP)).otherwise(pl.lit(""))
        .alias("county_kind"),
        *[pl.lit("").alias(c) for c in ("school_type", "nature", "area", "affiliation")],
    )
    school_rows = schools.select(
        pl.col("school_id").alias("code"), pl.col("school_name").alias("name"), pl.lit("school").alias("level"),
        pl.col("county").alias("parent_code"), pl.lit("").alias("county_kind"),
        "school_type", "nature", "area", "affiliation",
    )
    parts = [unit_rows, school_rows]
    if centre_code is None:
        parts.insert(0, pl.DataFrame([{**dict.fromkeys(LOAD_COLUMNS, ""), "code": CENTRE_CODE, "name": CENTRE_NAME, "level": "centre"}]))
    return pl.concat([p.select(LOAD_COLUMNS) for p in parts])


def units_load_synth(*, scale: str, seed: int) -> LoadResult:
    """Load the synthetic national or city hierarchy (under the existing centre, if any)."""
    centres = list(Unit.objects.filter(level=Level.CENTRE, parent__isnull=True).values_list("code", flat=True)[:2])
    if len(centres) > 1:
        raise LoadError("系统中有多个监测中心，无法确定挂接位置")
    t0 = time.perf_counter()
    frame = synth_frame(scale=scale, seed=seed, centre_code=centres[0] if centres else None)
    generated = time.perf_counter() - t0
    with transaction.atomic():
        result = units_bulk_load(frame=frame)
        audit_record(
            action=Action.IMPORT,
            object_type="units.unit",
            object_repr=f"合成层级：{scale}，种子 {seed}",
            after={"scale": scale, "seed": seed, **result.counts},
            detail=f"载入合成层级 {scale}（种子 {seed}）：共 {result.total} 个单位",
        )
    result.seconds_generate = generated
    return result
