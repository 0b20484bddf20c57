"""“Changes since the last approved version”, ready for `review/_changes.html`: the record's data
now against the snapshot its last approval stored (`jiance.review.snapshots`), compared by
`jiance_core.diff`. Each chain's app says what its data is, how a record is named and how a value
reads; this module only lays the result out."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from jiance.review.snapshots import ReviewSnapshot, last_approved
from jiance_core.diff import Diff, diff_records

KIND_LABELS = {"added": _("新增"), "removed": _("删除"), "changed": _("修改")}


@dataclass(frozen=True)
class ChangeRow:
    kind: str
    name: str  # how the record is named to the reviewer
    fields: list[tuple[str, str, str]]  # changed: (field label, old, new)
    summary: str = ""  # added / removed: the record's values in one line

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


@dataclass(frozen=True)
class Section:
    """One list of the record (the frame's schools; a roster's students, its teachers)."""

    title: str
    diff: Diff
    rows: list[ChangeRow]


@dataclass
class Changes:
    baseline: ReviewSnapshot | None
    sections: list[Section] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(s.diff.total for s in self.sections)


@dataclass(frozen=True)
class ListSpec:
    """How to compare and show one list: its title, the key in the snapshot, the compared fields
    with their labels, how a record is named and how a field's value reads."""

    title: Any
    key: str
    fields: Sequence[tuple[str, Any]]
    name: Callable[[Mapping[str, Any]], str]
    show: Callable[[str, Any], str] = lambda _f, v: "" if v is None else str(v)


def compare(obj: Any, current: Callable[[], Mapping[str, Any]], specs: Sequence[ListSpec]) -> Changes:
    """`current()` is what the chain's `snapshot` would store now: {list key: {record key: record}};
    it is read only when there is an approved version to compare with."""
    baseline = last_approved(obj)
    out = Changes(baseline)
    if baseline is None:
        return out
    before = baseline.data or {}
    now = current()
    for spec in specs:
        names = [f for f, _label in spec.fields]
        labels = {f: str(label) for f, label in spec.fields}
        diff = diff_records(before.get(spec.key) or {}, now.get(spec.key) or {}, names)
        rows = []
        for rc in diff.rows:
            rec = rc.record
            if rc.kind == "changed":
                rows.append(ChangeRow("changed", spec.name(rec), [
                    (labels[c.field], spec.show(c.field, c.old), spec.show(c.field, c.new)) for c in rc.changes]))
            else:
                summary = "，".join(f"{labels[f]}：{spec.show(f, rec.get(f))}" for f in names
                                   if rec.get(f) not in (None, "", []))
                rows.append(ChangeRow(rc.kind, spec.name(rec), [], summary))
        out.sections.append(Section(str(spec.title), diff, rows))
    return out
