"""The statistical and scheduling core must never import Django: Django calls it, not the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "jiance_core"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_has_no_django_or_web_app_import() -> None:
    offenders = {
        str(p.relative_to(CORE)): sorted(m for m in imported_modules(p) if m.split(".")[0] in {"django", "jiance", "ninja"})
        for p in CORE.rglob("*.py")
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert not offenders, offenders
    assert len(list(CORE.rglob("*.py"))) > 3  # the walk really found the core


def test_the_check_sees_an_import(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text("from django.db import models\nimport jiance.units\n", encoding="utf-8")
    assert imported_modules(f) == {"django.db", "jiance.units"}
