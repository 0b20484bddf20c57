"""The check of a recording's sound: long enough, not mostly silent, not clipped. Plain numpy on
mono float samples in [-1, 1] (decoded by `jiance_core.recordings.audio`).

- duration: samples / rate; shorter than `min_seconds` fails, longer than the task's limit plus
  `LATE_SECONDS` fails too (a recorder that did not stop);
- silence: the share of 50 ms windows whose RMS level is below `silence_db` dBFS;
- clipping: the share of samples at or above `clip_level` in magnitude.

Thresholds come from the cycle (`config["recordings"]["checks"]`) and the task's `checks`, task
over cycle over the defaults below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

WINDOW_SECONDS = 0.05
LATE_SECONDS = 3.0

# The states a task has for one student, in order (the monitoring page's columns).
NOT_STARTED, RECORDED, UPLOADED, CHECKED, FAILED = "not_started", "recorded", "uploaded", "checked", "failed"
STATES = (NOT_STARTED, RECORDED, UPLOADED, CHECKED, FAILED)


@dataclass(frozen=True)
class Thresholds:
    min_seconds: float = 3.0
    max_silence: float = 0.8   # share of silent windows
    max_clipped: float = 0.01  # share of clipped samples
    silence_db: float = -45.0  # a window quieter than this is silence
    clip_level: float = 0.98

    KEYS = {"minSeconds": "min_seconds", "maxSilence": "max_silence", "maxClipped": "max_clipped",
            "silenceDb": "silence_db"}

    def over(self, settings: Mapping[str, Any] | None) -> Thresholds:
        """These thresholds with `settings` (task or cycle, camelCase keys) laid over them."""
        given = {self.KEYS[k]: float(v) for k, v in (settings or {}).items() if k in self.KEYS}
        return replace(self, **given)


@dataclass(frozen=True)
class Result:
    duration: float
    silence: float
    clipped: float
    peak_db: float
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}


def _db(x: float) -> float:
    return float(20 * np.log10(max(x, 1e-10)))


def check_samples(samples: np.ndarray, rate: int, *, limits: Thresholds, max_seconds: float) -> Result:
    """Measure and judge mono float samples at `rate` Hz."""
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    duration = len(x) / rate if rate else 0.0
    window = max(1, int(rate * WINDOW_SECONDS))
    whole = len(x) // window
    if whole:
        frames = x[: whole * window].reshape(whole, window).astype(np.float64)
        rms = np.sqrt(np.mean(frames * frames, axis=1))
        silent = float(np.mean(rms < 10 ** (limits.silence_db / 20)))
    else:
        silent = 1.0
    clipped = float(np.mean(np.abs(x) >= limits.clip_level)) if len(x) else 0.0
    peak = _db(float(np.max(np.abs(x)))) if len(x) else -200.0
    problems = []
    if duration < limits.min_seconds:
        problems.append(f"录音太短（{duration:.1f} 秒，至少 {limits.min_seconds:g} 秒）")
    if duration > max_seconds + LATE_SECONDS:
        problems.append(f"录音太长（{duration:.1f} 秒，限时 {max_seconds:g} 秒）")
    if silent > limits.max_silence:
        problems.append(f"录音中无声部分太多（{silent:.0%}），请靠近麦克风大声一些")
    if clipped > limits.max_clipped:
        problems.append(f"录音声音过大、失真（削波 {clipped:.1%}），请让麦克风离嘴远一些")
    return Result(duration=round(duration, 2), silence=round(silent, 4), clipped=round(clipped, 5),
                  peak_db=round(peak, 1), problems=problems)


def task_state(attempts: list[dict[str, Any]], *, marked: bool) -> str:
    """A student's state for one task from their recordings (oldest first, each with `state`):
    the last recording's state; `recorded` when the browser said it holds one not yet uploaded."""
    if attempts:
        last = str(attempts[-1]["state"])
        if marked and last == FAILED:
            return RECORDED
        return last
    return RECORDED if marked else NOT_STARTED
