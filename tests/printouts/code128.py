"""A small Code 128 decoder for tests: reads the bars of a rendered page along one pixel row,
so a barcode is checked by what it encodes, not only by the text printed under it."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.barcode.code128 import _patterns

WIDTH = {"a": 1, "b": 2, "c": 3, "d": 4}


def _widths(pattern: str) -> tuple[int, ...]:
    return tuple(WIDTH[ch.lower()] for ch in pattern)


SYMBOLS = {_widths(p): v for v, p in _patterns.items()}
START_A, START_B, START_C, STOP = 103, 104, 105, 106
CODE_A, CODE_B, CODE_C = 101, 100, 99


def runs(row: Sequence[bool]) -> list[int]:
    """Lengths of alternating dark/light runs from the first dark pixel to the last."""
    dark = [i for i, d in enumerate(row) if d]
    if not dark:
        return []
    out: list[int] = []
    current, length = True, 0
    for d in row[dark[0]: dark[-1] + 1]:
        if d == current:
            length += 1
        else:
            out.append(length)
            current, length = d, 1
    out.append(length)
    return out


def _symbol(widths: Sequence[int]) -> int:
    module = sum(widths) / 11
    key = tuple(max(1, min(4, round(w / module))) for w in widths)
    if key not in SYMBOLS:
        raise ValueError(f"unreadable symbol {widths}")
    return SYMBOLS[key]


def decode(row: Sequence[bool]) -> str:
    """The text of the Code 128 symbol crossed by a row of pixels (True = dark)."""
    r = runs(row)
    if len(r) < 19 or (len(r) - 7) % 6:
        raise ValueError(f"{len(r)} bars and spaces is not a Code 128 symbol")
    values = [_symbol(r[i:i + 6]) for i in range(0, len(r) - 7, 6)]
    stop = r[-7:]
    module = sum(stop) / 13
    if tuple(round(x / module) for x in stop) != _widths(_patterns[STOP]):
        raise ValueError("no stop symbol")
    start, *data, check = values
    if check != (start + sum(i * v for i, v in enumerate(data, start=1))) % 103:
        raise ValueError("check digit mismatch")
    mode = {START_A: "A", START_B: "B", START_C: "C"}[start]
    out = []
    for v in data:
        if v in (CODE_A, CODE_B, CODE_C) and not (mode == "C" and v < 100):
            mode = {CODE_A: "A", CODE_B: "B", CODE_C: "C"}[v]
        elif mode == "C":
            out.append(f"{v:02d}")
        else:
            out.append(chr(v + 32) if v < 64 or mode == "B" else chr(v - 64))
    return "".join(out)
