"""Errors shown to users: each names the file row, the column and the reason, in Chinese."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class RowError:
    """One problem in an imported file.

    ``row`` is the row number a user sees in a spreadsheet (the header is row 1, the first
    data row is row 2); 0 means the file as a whole. ``column`` is the column name, or "" when
    the problem is not about one column.
    """

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row > 0 else "文件"
        if self.column:
            where += f"，列 {self.column}"
        return f"{where}：{self.reason}"


class ValidationFailed(Exception):
    """Raised when input has errors; ``errors`` holds every one of them, not only the first."""

    def __init__(self, errors: Iterable[RowError]) -> None:
        self.errors: list[RowError] = list(errors)
        super().__init__(self.summary())

    def summary(self) -> str:
        n = len(self.errors)
        head = "\n".join(str(e) for e in self.errors[:20])
        more = f"\n……另有 {n - 20} 处错误" if n > 20 else ""
        return f"共 {n} 处错误：\n{head}{more}"
