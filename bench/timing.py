"""Best-of-N timings for the benchmarks (`bench/estimation.py`, `bench/sampling.py`): the best wall
time and the best CPU time of `repeat` runs, in process or of a command run from the repository.

On a loaded machine the CPU time is the steadier figure: the wall time of an idle machine lies
between CPU time / cores and CPU time."""

from __future__ import annotations

import resource
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Best wall time and best CPU time (all threads of this process) of `repeat` calls of `fn`."""
    walls, cpus = [], []
    for _ in range(repeat):
        c = time.process_time()
        t = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus)


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def best_command(cmd: list[str], repeat: int, *, quiet: bool = False) -> tuple[float, float]:
    """Best wall time and best CPU time (the child's) of `repeat` runs of `cmd` from the repository
    root; `quiet`: its standard output discarded."""
    runs = []
    for _ in range(repeat):
        c = child_cpu()
        t = time.perf_counter()
        subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL if quiet else None)
        runs.append((time.perf_counter() - t, child_cpu() - c))
    return min(w for w, _ in runs), min(c for _, c in runs)
