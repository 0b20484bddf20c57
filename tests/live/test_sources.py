"""Progress sources through the app registry: test day declares one; a source's module is checked
when it is read; two apps cannot share a column key."""

from __future__ import annotations

import sys
import types

import pytest

from jiance import apps_registry
from jiance.apps_registry import AppEntry, ProgressSource


def module(name: str, **attrs: object) -> str:
    mod = types.ModuleType(name)
    for k, v in attrs.items():
        setattr(mod, k, v)
    sys.modules[name] = mod
    return name


def reader(**_kw: object) -> dict[int, dict[str, int]]:
    return {}


def test_testday_declares_its_source() -> None:
    sources = {s.app: s for s in apps_registry.progress_sources()}
    assert "testday" in sources
    testday = sources["testday"]
    assert testday.keys == ("testday_students", "testday_rooms", "testday_absent", "testday_unplanned")
    assert testday.attention["testday_unplanned"] > testday.attention["testday_absent"]


def test_injected_source_is_read_after_the_real_ones(fake_source: dict[str, dict[str, int]]) -> None:
    apps = [s.app for s in apps_registry.progress_sources()]
    assert apps[-1] == "fake" and "testday" in apps


@pytest.mark.parametrize(("attrs", "problem"), [
    ({"COLUMNS": [], "school_progress": reader}, "required"),
    ({"COLUMNS": [("bad_x", "x")], "school_progress": reader}, "start with 'demo_'"),
    ({"COLUMNS": [("demo_x", "x"), ("demo_x", "y")], "school_progress": reader}, "unique"),
    ({"COLUMNS": [("demo_x", "x")], "ATTENTION": {"demo_y": 1}, "school_progress": reader}, "unknown"),
    ({"COLUMNS": [("demo_x", "x")]}, "required"),
])
def test_a_wrong_module_is_refused(attrs: dict[str, object], problem: str) -> None:
    name = module("tests.live._wrong_progress", **attrs)
    with pytest.raises(ValueError, match=problem):
        ProgressSource.from_module("demo", name)


def test_two_apps_cannot_share_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    module("tests.live._one_progress", COLUMNS=[("testday_rooms", "x")], school_progress=reader)
    real = apps_registry.entries()
    monkeypatch.setattr(apps_registry, "entries",
                        lambda: (*real, AppEntry(app="testday", progress="tests.live._one_progress")))
    with pytest.raises(ValueError, match="testday_rooms"):
        apps_registry.progress_sources()
