"""The apps are layered: a module may import modules of its own layer and of the layers below,
never above. The test parses every module of `jiance/` (function-local and type-checking imports
count: they are dependencies all the same) and fails on an import upwards.

The order, bottom to top (see `LAYERS`): the shared foundation modules; the unit tree; the audit
journal (writing the log); accounts (people, roles, the Scope); the audit log's pages; the unit
pages; cycles; the review engine; then the apps in the order work flows through a cycle —
reporting → sampling → rosters → testday → aftertest → (later apps) → web; and on top the
modules that wire everything together (URLs, API, retention, CLI).

The issue's order is units → accounts → audit: units and audit each have a lower half that every
app builds on (the tree; writing the journal) and an upper half with pages, which need the Scope
from accounts. Splitting them is what breaks the units ↔ accounts ↔ audit import cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "jiance"

# Each layer: (name, module prefixes). A module belongs to the layer of its longest prefix.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    # Shared root modules with no app below them: any app may use them.
    ("foundation", (
        "jiance.clock",          # the injected "now" (tests freeze it)
        "jiance.requestlog",     # the request id and the one log line per request
        "jiance.offline",        # the contract of actions queued offline by static/jiance/queue.js
        "jiance.crypto",         # ID-number encryption
        "jiance.kept",           # kept uploads, encrypted at rest (abstract model)
        "jiance.files",          # the one file storage of files kept outside the database
        "jiance.replica",        # the read replica's router and the context that reads from it
        "jiance.htmx",           # page-or-partial for htmx requests
        "jiance.http",           # the one download helper
        "jiance.errors",         # the styled 403/404/500 pages and the 403 that names who may act
        "jiance.bulk",           # batched writes
        "jiance.stages",         # school stages and their labels
        "jiance.spreadsheets",   # reading and writing sheets
        "jiance.printouts",      # PDF/XLSX rendering of test-day material (data in, bytes out)
        "jiance.apps_registry",  # reads each app's declaration through Django's app list
        "jiance.saving",         # the one newest-wins, idempotent answer save (questionnaires, cbt)
        "jiance.settings",
        "jiance.__init__",
    )),
    # The unit tree: the hierarchy itself and its import parser, used by everything.
    ("units tree", ("jiance.units.models", "jiance.units.importer", "jiance.units.uploads")),
    # Writing the audit journal: every service records its writes here, accounts included.
    ("audit journal", ("jiance.audit.models", "jiance.audit.context", "jiance.audit.services",
                       "jiance.audit.middleware")),
    # Deleting kept uploads: finds them through the app registry, records the purge in the journal.
    ("retention", ("jiance.retention",)),
    ("accounts", ("jiance.accounts",)),
    # Background jobs: the Job record, its services and worker/scheduler commands; apps submit jobs.
    ("jobs", ("jiance.jobs",)),
    # Reading the audit log (its pages need the Scope).
    ("audit pages", ("jiance.audit",)),
    # Managing the hierarchy: import, export, browse (needs the Scope and the journal).
    ("units pages", ("jiance.units",)),
    ("cycles", ("jiance.cycles",)),
    # Reporting windows from the cycle, and their reopening by the level above.
    ("windows", ("jiance.windows",)),
    # The one review engine the chains below are specifications of.
    ("review", ("jiance.review",)),
    ("reporting", ("jiance.reporting",)),
    ("sampling", ("jiance.sampling",)),
    ("rosters", ("jiance.rosters",)),
    ("testday", ("jiance.testday",)),
    ("aftertest", ("jiance.aftertest",)),
    # Leadership groups, the staffing of sample schools with its rules, badges, test-day accounts.
    ("staffing", ("jiance.staffing",)),
    # In-app notifications, the daily reminder job and reminders to laggards.
    ("notifications", ("jiance.notifications",)),
    # Tasks marked done by hand, confirmed through the review engine.
    ("milestones", ("jiance.milestones",)),
    # Implementation documents: one more review chain; reads the sample and publishes the phone line.
    ("documents", ("jiance.documents",)),
    # Custody of the test materials: the hash-chained hand-over ledger; reads test rooms (testday),
    # fills two document tables, alerts through notifications.
    ("custody", ("jiance.custody",)),
    # Test day in the rooms: session runs, check-in, the timekeeper, discipline cases.
    ("proctoring", ("jiance.proctoring",)),
    # Test day: incidents graded 1-3 and the local supervision line (above custody and proctoring).
    ("incidents", ("jiance.incidents",)),
    # Online questionnaires: XLSForm versions, respondents (accounts, slips, parent links), answers.
    ("questionnaires", ("jiance.questionnaires",)),
    # Computer-based tests: items as data, deliveries on the server clock, the proctor console;
    # reuses the questionnaires' slips and the shared answer save.
    ("cbt", ("jiance.cbt",)),
    # Singing and spoken-English recordings: tasks are items of cbt banks, recorded in a delivery.
    ("recordings", ("jiance.recordings",)),
    # The live progress of test day: reads every app's progress source (the top app layer).
    ("live", ("jiance.live",)),
    # Weights from the published draw, the rosters and the after-test reports (issue 14).
    ("analysis", ("jiance.analysis",)),
    # PE field test: record cards entered by the school, checked per card through the review engine;
    # its export uses the analysis pseudonyms (one student id across the centre's files).
    ("fieldtest", ("jiance.fieldtest",)),
    # Later apps (implementation documents, questionnaires, analysis) go here, in workflow order.
    ("web", ("jiance.web",)),
    # Wiring: the URL table, the API, the CLI.
    ("top", ("jiance.urls", "jiance.api", "jiance.cli", "jiance.wsgi", "jiance.gunicorn_conf", "jiance.health")),
]

# Imports upwards that are allowed for now, one reason each: (importing module, imported module).
# Empty: every layer violation found when the test was written has been removed.
ALLOWED: dict[tuple[str, str], str] = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts)


def _rank(module: str) -> tuple[int, str] | None:
    best: tuple[int, int, str] | None = None
    for i, (name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            inside = module == prefix or module.startswith(prefix + ".")
            if inside and (best is None or len(prefix) > best[0]):
                best = (len(prefix), i, name)
    return None if best is None else (best[1], best[2])


def _imports(path: Path, module: str) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from jiance.units import uploads` imports the module jiance.units.uploads
            found += [(f"{base}.{a.name}", node.lineno) for a in node.names]
    return [(name, line) for name, line in found if name == "jiance" or name.startswith("jiance.")]


def _modules() -> list[tuple[Path, str]]:
    return [
        (p, _module_name(p)) for p in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in p.parts and "locale" not in p.parts
    ]


def test_every_module_has_a_layer() -> None:
    unplaced = [m for _, m in _modules() if _rank(m) is None]
    assert not unplaced, f"place these modules in tests/test_layers.py LAYERS (and say why): {unplaced}"


def test_no_module_imports_a_layer_above_it() -> None:
    violations = []
    for path, module in _modules():
        here = _rank(module)
        assert here is not None
        for imported, line in _imports(path, module):
            there = _rank(imported)
            if there is None:  # e.g. `from jiance.units import X` where X is not a module
                there = _rank(imported.rsplit(".", 1)[0])
            if there is None or there[0] <= here[0] or (module, imported) in ALLOWED:
                continue
            violations.append(f"{path.relative_to(ROOT)}:{line}: {here[1]} imports {imported} ({there[1]})")
    assert not violations, "imports upwards:\n" + "\n".join(violations)


def test_allowed_exceptions_are_still_needed() -> None:
    """An allow-list entry whose import is gone must be removed, so the list only shrinks."""
    present = {(m, i) for p, m in _modules() for i, _ in _imports(p, m)}
    stale = [k for k in ALLOWED if k not in present]
    assert not stale, f"remove from ALLOWED: {stale}"


def test_the_test_sees_an_import_upwards(tmp_path: Path) -> None:
    """The checker itself: a function-local import of a higher app counts."""
    src = tmp_path / "jiance" / "units" / "models.py"
    src.parent.mkdir(parents=True)
    src.write_text("def f():\n    from jiance.accounts.scoping import Scope\n    return Scope\n")
    found = _imports(src, "jiance.units.models")
    assert found == [("jiance.accounts.scoping.Scope", 2)]
    assert _rank("jiance.accounts.scoping.Scope")[0] > _rank("jiance.units.models")[0]  # type: ignore[index]
