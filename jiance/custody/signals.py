"""Signals the custody app sends for the apps above it.

`contents_mismatch`: a box's counted bags (at issue or return) do not match what the cycle says it
holds — the incidents app turns it into an incident draft (seed 003: 监测工具箱内测试卷袋种类不全,
grade 3). Sent after commit with `sender=LedgerEntry` and the keyword arguments
`entry` (the LedgerEntry), `school` (the Unit, or None) and `description` (Chinese text).
"""

from __future__ import annotations

import django.dispatch

contents_mismatch = django.dispatch.Signal()
