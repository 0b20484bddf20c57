"""The sampling plan of a cycle: its `sample_size` section read into the engine's `SamplingPlan`.

    sample_size:
      schools_per_unit: {primary: 12, junior: 8}
      schools_by_unit: [{unit: 渝中区 | 500103, primary: 6, junior: 4}]
      students_per_school: 30

A stage the cycle does not test (absent from `grades`) draws no school. Overrides name a county
by code or by name; the plan keys them by county code, as the frame does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from jiance.sampling.models import SamplingError
from jiance.stages import stage_name
from jiance.units.models import Unit
from jiance_core.sampling.schools import SamplingPlan

STAGES = ("primary", "junior")


@dataclass(frozen=True)
class PlanParams:
    primary_schools: int
    junior_schools: int
    students_per_school: int
    replacements: int = 2
    county_overrides: dict[str, dict[str, int]] = field(default_factory=dict)
    # The shortfall rule's version (jiance_core.sampling.schools): a draw's stored plan names it;
    # a plan stored without it was drawn with "v1".
    shortfall: str = "v2"

    def as_json(self) -> dict[str, Any]:
        return {
            "primary_schools": self.primary_schools,
            "junior_schools": self.junior_schools,
            "students_per_school": self.students_per_school,
            "replacements": self.replacements,
            "county_overrides": {k: dict(sorted(v.items())) for k, v in sorted(self.county_overrides.items())},
            "shortfall": self.shortfall,
        }

    def engine_plan(self, method: str) -> SamplingPlan:
        return SamplingPlan(
            primary_schools=self.primary_schools,
            junior_schools=self.junior_schools,
            students_per_school=self.students_per_school,
            method=method,  # type: ignore[arg-type]
            replacements=self.replacements,
            county_overrides=self.county_overrides,
            shortfall=self.shortfall,  # type: ignore[arg-type]
        )

    def schools_for(self, county_code: str, stage: str) -> int:
        default = self.primary_schools if stage == "primary" else self.junior_schools
        return int(self.county_overrides.get(county_code, {}).get(stage, default))


def _count(value: Any, where: str) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError) as exc:
        raise SamplingError(f"监测周期配置 {where} 不是整数：{value!r}") from exc
    if n < 0:
        raise SamplingError(f"监测周期配置 {where} 不能为负数：{n}")
    return n


def plan_from_config(config: dict[str, Any], counties: Sequence[Unit]) -> PlanParams:
    """The plan of a cycle for these counties; SamplingError (Chinese) when the cycle lacks it."""
    size = (config or {}).get("sample_size")
    if not isinstance(size, dict):
        raise SamplingError("本监测周期没有配置样本量（sample_size），请先在监测周期中设置每县样本校数和每校学生数。")
    grades = (config or {}).get("grades") or {"primary": 4, "junior": 8}
    per_unit = size.get("schools_per_unit") or {}
    counts: dict[str, int] = {}
    for stage in STAGES:
        if stage not in grades:
            counts[stage] = 0
        elif stage in per_unit:
            counts[stage] = _count(per_unit[stage], f"sample_size.schools_per_unit.{stage}")
        else:
            counts[stage] = -1  # every county must then have its own number
    if "students_per_school" not in size:
        raise SamplingError("本监测周期没有配置每校抽取学生数（sample_size.students_per_school）。")
    students = _count(size["students_per_school"], "sample_size.students_per_school")
    if students < 1:
        raise SamplingError("每校抽取学生数至少为 1。")

    by_key: dict[str, Unit] = {}
    for c in counties:
        by_key.setdefault(c.code, c)
        by_key.setdefault(c.name, c)
    overrides: dict[str, dict[str, int]] = {}
    for i, entry in enumerate(size.get("schools_by_unit") or []):
        unit = by_key.get(str((entry or {}).get("unit", "")).strip())
        if unit is None:
            continue  # a county of another owner
        for stage in STAGES:
            value = entry.get(stage)
            if value is not None and stage in grades:
                overrides.setdefault(unit.code, {})[stage] = _count(value, f"sample_size.schools_by_unit[{i}].{stage}")

    missing = [
        f"{c.name}（{stage_name(stage)}）"
        for c in counties for stage in STAGES
        if counts[stage] < 0 and stage not in overrides.get(c.code, {})
    ]
    if missing:
        raise SamplingError("本监测周期没有规定以下县（区）的样本校数：" + "、".join(missing))
    return PlanParams(
        primary_schools=max(counts["primary"], 0),
        junior_schools=max(counts["junior"], 0),
        students_per_school=students,
        county_overrides=overrides,
    )


