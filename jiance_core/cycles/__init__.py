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
    shift_cycle_with_flags,
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
from jiance_core.cycles.shifting import TextFlag, shift_text, shift_texts

__all__ = [
    "SHIPPED_TEMPLATES_DIR",
    "CycleTemplate",
    "DocumentKind",
    "Issue",
    "Milestone",
    "ReportingWindow",
    "Session",
    "TemplateError",
    "TextFlag",
    "check_rules",
    "dump_template",
    "load_template",
    "loads_template",
    "milestones_for",
    "parse_template",
    "shift_cycle",
    "shift_cycle_with_flags",
    "shift_text",
    "shift_texts",
    "shipped_templates",
]
