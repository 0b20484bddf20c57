"""The cycle's incident section (`incidents:` of its template, `jiance_core.cycles.incidents`): the
grades, the catalogue of kinds and the report clock. A cycle loaded before the section existed
reads the national catalogue shipped with the platform (seed 003's plan, the same in every
national template)."""

from __future__ import annotations

from functools import cache
from typing import Any

from jiance_core.cycles.incidents import IncidentKind, IncidentRules
from jiance_core.cycles.loader import SHIPPED_TEMPLATES_DIR, load_template

FALLBACK_TEMPLATE = "national-2022.yaml"


@cache
def _fallback() -> IncidentRules:
    rules = load_template(SHIPPED_TEMPLATES_DIR / FALLBACK_TEMPLATE).incidents
    return rules or IncidentRules()


def rules_of(cycle: Any) -> IncidentRules:
    raw = (cycle.config or {}).get("incidents")
    if not raw:
        return _fallback()
    return IncidentRules.model_validate(raw)


def kinds_by_group(rules: IncidentRules) -> list[tuple[str, list[IncidentKind]]]:
    """The catalogue in the seed's order, grouped under its headings."""
    out: list[tuple[str, list[IncidentKind]]] = []
    for k in rules.kinds:
        group = k.group or ""
        if not out or out[-1][0] != group:
            out.append((group, []))
        out[-1][1].append(k)
    return out


def report_clock_applies(rules: IncidentRules, grade: int) -> bool:
    """Does the report-after-handling clock run for an incident of `grade` in this cycle?"""
    return rules.report_within_minutes is not None and grade >= rules.report_from_grade


def sessions_of(cycle: Any) -> list[tuple[str, str]]:
    """(code, "day name start–end") of the cycle's student sessions, for the record form."""
    out = []
    for s in (cycle.config or {}).get("sessions") or []:
        if "student" not in (s.get("respondents") or ["student"]):
            continue
        start = str(s.get("start") or (s.get("primary") or {}).get("start") or "")[:5]
        out.append((str(s.get("code", "")), f"{str(s.get('day', ''))[5:]} {s.get('name', '')} {start}".strip()))
    return out
