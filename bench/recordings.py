"""Throughput of the recordings' server side (issue 13): recordings received and checked per
second on one core.

What a PUT of a recording costs on the server, per recording, in one process (one core): the
SHA-256 of the bytes, the decode with PyAV (WebM/Opus as Chromium's MediaRecorder sends it, or
MP4/AAC), the sound check (numpy: duration, silence, clipping) and the atomic file write under the
media root. The database part — one locked delivery row, one insert, one update, as an answer
save — is measured by `bench/answers.py` and is small beside the decode. The recordings are
speech-like (a tone with syllable-rate amplitude modulation, pauses, a little noise), generated
and encoded before the timing.

Run: ``.venv/bin/python bench/recordings.py [--seconds 10,30,60] [--count 20]``. The machine's
load average is printed: other sessions may share it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from jiance_core.recordings import audio, checks  # noqa: E402

RATE = 48000


def speech_like(seconds: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    voice = 0.3 * np.sin(2 * np.pi * 180 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)) ** 2
    pauses = (np.sin(2 * np.pi * 0.3 * t) > -0.6).astype(np.float32)
    return (voice * pauses + rng.normal(0, 0.003, len(t))).astype(np.float32)


def run(seconds: float, count: int, container: str, codec: str, folder: Path) -> tuple[float, int]:
    files = [audio.encode(speech_like(seconds, i), RATE, container=container, codec=codec) for i in range(count)]
    limits = checks.Thresholds()
    started = time.perf_counter()
    for i, data in enumerate(files):
        digest = hashlib.sha256(data).hexdigest()
        decoded = audio.decode(data)
        result = checks.check_samples(decoded.samples, decoded.rate, limits=limits, max_seconds=seconds + 5)
        assert result.passed, result.problems
        target = folder / f"{i}-{digest[:16]}.bin"
        tmp = folder / f".up-{i}"
        tmp.write_bytes(data)
        os.replace(tmp, target)
    elapsed = time.perf_counter() - started
    return count / elapsed, sum(len(f) for f in files) // count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", default="10,30,60")
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; PyAV {audio.av.__version__}")
    print(f"{'recording':>10} {'format':>10} {'size':>9} {'per s (1 core)':>15} {'audio s per s':>14}")
    with tempfile.TemporaryDirectory() as folder:
        for seconds in [float(x) for x in args.seconds.split(",")]:
            for container, codec, label in (("webm", "libopus", "webm/opus"), ("mp4", "aac", "mp4/aac")):
                rate, size = run(seconds, args.count, container, codec, Path(folder))
                print(f"{seconds:>9.0f}s {label:>10} {size / 1024:>7.0f}KB {rate:>15.1f} {rate * seconds:>14.0f}")


if __name__ == "__main__":
    main()
