"""What changed between two versions of a list of records: added, removed, and changed fields.

Plain data in, plain data out: a version is a mapping key → record (a mapping field → value);
the caller chooses the key (a school's code, a student's blind index) and the fields compared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Record = Mapping[str, Any]


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class RecordChange:
    """One record that was added (before is None), removed (after is None) or changed."""

    key: str
    kind: str  # "added" | "removed" | "changed"
    before: Record | None
    after: Record | None
    changes: tuple[FieldChange, ...] = ()

    @property
    def record(self) -> Record:
        """The record as it is now, or as it was when removed."""
        return self.after if self.after is not None else (self.before or {})


@dataclass(frozen=True)
class Diff:
    added: list[RecordChange] = field(default_factory=list)
    removed: list[RecordChange] = field(default_factory=list)
    changed: list[RecordChange] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)

    @property
    def rows(self) -> list[RecordChange]:
        """Added, then changed, then removed (the order a reviewer reads them)."""
        return [*self.added, *self.changed, *self.removed]


def _same(a: Any, b: Any) -> bool:
    # a field absent from an older snapshot equals an empty one
    return (a if a is not None else "") == (b if b is not None else "")


def diff_records(before: Mapping[str, Record], after: Mapping[str, Record],
                 fields: Sequence[str] | None = None) -> Diff:
    """Compare two versions. `fields` limits and orders the compared fields (default: every field
    of either record, sorted). Added and changed follow `after`'s order, removed `before`'s."""
    out = Diff()
    for key, new in after.items():
        old = before.get(key)
        if old is None:
            out.added.append(RecordChange(key, "added", None, new))
            continue
        names = fields if fields is not None else sorted(set(old) | set(new))
        changes = tuple(FieldChange(f, old.get(f), new.get(f)) for f in names if not _same(old.get(f), new.get(f)))
        if changes:
            out.changed.append(RecordChange(key, "changed", old, new, changes))
    for key, old in before.items():
        if key not in after:
            out.removed.append(RecordChange(key, "removed", old, None))
    return out


def keyed(records: Iterable[Record], key: Callable[[Record], str]) -> dict[str, Record]:
    """Records by `key`; a key met again gets "#2", "#3"… in order (two teachers of one name)."""
    out: dict[str, Record] = {}
    seen: dict[str, int] = {}
    for r in records:
        k = key(r)
        seen[k] = seen.get(k, 0) + 1
        out[k if seen[k] == 1 else f"{k}#{seen[k]}"] = r
    return out
