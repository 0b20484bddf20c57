"""Building hierarchy files for tests."""

from __future__ import annotations

from collections.abc import Sequence

from jiance.spreadsheets import build_template
from jiance.units.importer import unit_template_spec


def xlsx(*rows: Sequence[str]) -> bytes:
    """A filled import template (rows in column order of the template)."""
    return build_template(unit_template_spec(), rows)


def school(code: str, name: str, parent: str, school_type: str = "小学", nature: str = "公办",
           area: str = "城区", affiliation: str = "县属") -> list[str]:
    return [code, name, "学校", parent, "", school_type, nature, area, affiliation]


def county(code: str, name: str, parent: str, kind: str = "区") -> list[str]:
    return [code, name, "县级", parent, kind, "", "", "", ""]


def city(code: str, name: str, parent: str) -> list[str]:
    return [code, name, "市", parent, "", "", "", "", ""]
