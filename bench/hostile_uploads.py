"""Benchmark of the guarded sheet reader on hostile spreadsheets (issue 8).

Builds each hostile file of `tests/security/hostile_files.py` once, plus a normal 100,000-row
student roster for reference, then reads every file with the caps of every import kind (from
`JIANCE_SHEET_LIMITS` in the settings) in a fresh subprocess per file and kind, as the upload
would: students through `jiance_core.roster.read_roster_bytes`, the other kinds by reading every
row of the data sheet. Prints per file and kind: the outcome (rows read or the Chinese refusal),
wall time, peak Python memory (tracemalloc, in a second run) and the subprocess's peak RSS above
its RSS after the imports. Target: under 2 s and 300 MB per file.

Run: ``.venv/bin/python bench/hostile_uploads.py [--kinds units,frame,...] [--files name,...]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

KINDS = ("units", "frame", "students", "teachers", "aftertest")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _read(data: bytes, kind: str) -> str:
    from jiance.spreadsheets import sheet_limits
    from jiance_core.errors import ValidationFailed
    from jiance_core.roster import read_roster_bytes
    from jiance_core.sheets import SheetError, open_workbook

    try:
        if kind == "students":
            frame = read_roster_bytes(data, "upload.xlsx", limits=sheet_limits(kind))
            return f"read {frame.height:,} rows"
        book = open_workbook(data, sheet_limits(kind))
        n = sum(1 for _ in book.rows("数据" if "数据" in book.sheet_names else None))
        return f"read {n:,} rows"
    except SheetError as exc:
        return f"refused: {exc}"
    except ValidationFailed as exc:
        return f"refused: {exc.errors[0].reason}"


def child(path: str, kind: str) -> None:
    """One file, one kind, in this fresh process: prints a JSON line."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiance.settings")
    django.setup()
    import python_calamine  # noqa: F401

    import jiance.spreadsheets  # noqa: F401  (imports before the baseline RSS and the clock)
    import jiance_core.roster
    import jiance_core.sheets  # noqa: F401

    _read(b"", kind)  # first-call costs (settings, lazy imports) are not the file's

    data = Path(path).read_bytes()
    base = _rss_mb()
    started = time.perf_counter()
    outcome = _read(data, kind)
    wall = time.perf_counter() - started
    rss = _rss_mb()
    tracemalloc.start()
    _read(data, kind)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    print(json.dumps({"outcome": outcome, "wall": wall, "peak_mb": peak, "rss_mb": rss, "rss_delta_mb": rss - base},
                     ensure_ascii=False))


def build(names: list[str], workdir: Path) -> dict[str, Path]:
    from bench.rosters import student_file
    from tests.security.hostile_files import HOSTILE

    files: dict[str, Path] = {}
    for name in names:
        started = time.perf_counter()
        data = student_file(1, 100_000) if name == "normal_roster_100k" else HOSTILE[name]()
        path = workdir / f"{name}.xlsx"
        path.write_bytes(data)
        files[name] = path
        print(f"built {name}: {len(data):,} bytes in {time.perf_counter() - started:.1f} s", flush=True)
    return files


def main() -> int:
    from tests.security.hostile_files import HOSTILE

    parser = argparse.ArgumentParser()
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--files", default=",".join([*HOSTILE, "normal_roster_100k"]))
    parser.add_argument("--child", nargs=2, metavar=("PATH", "KIND"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    kinds = args.kinds.split(",")
    worst_wall = worst_mem = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        files = build(args.files.split(","), Path(tmp))
        print(f"\n{'file':<30} {'kind':<10} {'wall s':>7} {'py MB':>7} {'RSS MB':>7} {'+RSS':>6}  outcome")
        for name, path in files.items():
            for kind in kinds:
                out = subprocess.run(
                    [sys.executable, __file__, "--child", str(path), kind],
                    capture_output=True, text=True, cwd=ROOT, check=False,
                )
                if out.returncode != 0:
                    print(f"{name:<30} {kind:<10} FAILED: {out.stderr.strip().splitlines()[-1:]}")
                    continue
                r = json.loads(out.stdout.strip().splitlines()[-1])
                if name != "normal_roster_100k":
                    worst_wall = max(worst_wall, r["wall"])
                    worst_mem = max(worst_mem, r["peak_mb"], r["rss_delta_mb"])
                print(f"{name:<30} {kind:<10} {r['wall']:>7.3f} {r['peak_mb']:>7.1f} {r['rss_mb']:>7.0f} "
                      f"{r['rss_delta_mb']:>6.0f}  {r['outcome'][:70]}", flush=True)
    print(f"\nworst hostile file: {worst_wall:.2f} s, {worst_mem:.0f} MB (target: < 2 s, < 300 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
