"""The cycle template's `analysis:` section (issue 14): the replicate method and its parameters."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from jiance_core.cycles.editing import validate

TEMPLATES = sorted((Path(__file__).resolve().parents[2] / "jiance" / "cycles" / "templates_data").glob("*.yaml"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_shipped_templates_name_their_replicate_method(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    template, issues = validate(data)
    assert not issues and template is not None
    assert template.analysis.replicate_method in ("jk2", "fay")
    # a template without the section gets the default, JK2
    bare = copy.deepcopy(data)
    bare.pop("analysis")
    template, issues = validate(bare)
    assert not issues and template is not None
    assert (template.analysis.replicate_method, template.analysis.fay_replicates, template.analysis.fay_rho) == (
        "jk2", 80, 0.5)


@pytest.mark.parametrize(("field", "value", "path"), [
    ("replicate_method", "brr", "analysis.replicate_method"),
    ("fay_replicates", 81, "analysis.fay_replicates"),
    ("fay_replicates", 0, "analysis.fay_replicates"),
    ("fay_rho", 1.0, "analysis.fay_rho"),
    ("trim_ratio", 0.5, "analysis.trim_ratio"),
])
def test_bad_settings_are_named(field: str, value: object, path: str) -> None:
    data = yaml.safe_load(TEMPLATES[0].read_text(encoding="utf-8"))
    data["analysis"][field] = value
    _, issues = validate(data)
    assert any(i.path.startswith(path) for i in issues), issues
