"""A recording task is an item of a computer-based test bank (`jiance_core.cbt.items`) whose
interaction is `recordingInteraction` — not a QTI 3 interaction, a Jiance one in the same style::

    {"identifier": "E-SPK-01", "prompt": "Read the text aloud.", "media": [...],
     "interaction": {"type": "recordingInteraction", "kind": "speaking",
                     "prepSeconds": 30, "maxSeconds": 60, "attempts": 2,
                     "checks": {"minSeconds": 5, "maxSilence": 0.7}}}

`kind` is `speaking` (英语口语) or `singing` (演唱); `prepSeconds` the preparation time shown
before recording may start (0-600), `maxSeconds` the recording time limit (5-600), `attempts`
how many recordings the student may make (1-5). `checks` overrides the cycle's thresholds
(`checks.Thresholds`) for this task. The prompt is the item's text, image or audio (`media`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

INTERACTION = "recordingInteraction"
KINDS = {"speaking": "英语口语", "singing": "演唱"}
CHECK_KEYS = ("minSeconds", "maxSilence", "maxClipped", "silenceDb")


def _int_in(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def check_interaction(where: str, item: Mapping[str, Any], problems: list[str]) -> None:
    """Append the problems of a recording task's fields (item, field, reason in Chinese)."""
    inter = item["interaction"]
    if inter.get("kind", "speaking") not in KINDS:
        problems.append(f"{where}：字段 interaction.kind：须为 {'、'.join(KINDS)}")
    if not _int_in(inter.get("prepSeconds", 0), 0, 600):
        problems.append(f"{where}：字段 interaction.prepSeconds：须为 0 到 600 的整数（秒）")
    if not _int_in(inter.get("maxSeconds"), 5, 600):
        problems.append(f"{where}：字段 interaction.maxSeconds：须为 5 到 600 的整数（秒）")
    if not _int_in(inter.get("attempts", 1), 1, 5):
        problems.append(f"{where}：字段 interaction.attempts：须为 1 到 5 的整数")
    checks = inter.get("checks", {})
    if not isinstance(checks, Mapping) or any(k not in CHECK_KEYS for k in checks) or any(
            not isinstance(v, (int, float)) or isinstance(v, bool) for v in checks.values()):
        problems.append(f"{where}：字段 interaction.checks：只能设 {'、'.join(CHECK_KEYS)}，值为数字")
    if item.get("correct") is not None:
        problems.append(f"{where}：字段 correct：录音题不设正确答案（由评分员评分）")
    if item.get("onPaper"):
        problems.append(f"{where}：字段 onPaper：录音题在计算机上录音，不能在答题卡上作答")


@dataclass(frozen=True)
class Task:
    identifier: str
    prompt: str
    kind: str
    prep_seconds: int
    max_seconds: int
    attempts: int
    checks: dict[str, float]
    media: list[dict[str, Any]]

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


def is_task(item: Mapping[str, Any]) -> bool:
    inter = item.get("interaction")
    return isinstance(inter, Mapping) and inter.get("type") == INTERACTION


def task_of(item: Mapping[str, Any]) -> Task:
    inter = item["interaction"]
    return Task(identifier=str(item["identifier"]), prompt=str(item.get("prompt", "")),
                kind=str(inter.get("kind", "speaking")), prep_seconds=int(inter.get("prepSeconds", 0)),
                max_seconds=int(inter["maxSeconds"]), attempts=int(inter.get("attempts", 1)),
                checks={str(k): float(v) for k, v in (inter.get("checks") or {}).items()},
                media=list(item.get("media") or []))
