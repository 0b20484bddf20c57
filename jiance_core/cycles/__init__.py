"""Monitoring cycles as data: the template schema, loading/dumping YAML, copying a cycle."""

from __future__ import annotations

from jiance_core.cycles.loader import (
    SHIPPED_TEMPLATES_DIR,
    TemplateError,
    dump_template,
    load_template,
    loads_template,
    milestones_for,
    parse_template,
    shift_cycle,
    shipped_templates,
)
from jiance_core.cycles.schema import (
    CycleTemplate,
    DocumentKind,
    Issue,
    Milestone,
    ReportingWindow,
    Session,
    check_rules,
)

__all__ = [
    "SHIPPED_TEMPLATES_DIR",
    "CycleTemplate",
    "DocumentKind",
    "Issue",
    "Milestone",
    "ReportingWindow",
    "Session",
    "TemplateError",
    "check_rules",
    "dump_template",
    "load_template",
    "loads_template",
    "milestones_for",
    "parse_template",
    "shift_cycle",
    "shipped_templates",
]
