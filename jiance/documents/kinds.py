"""The document kinds of a cycle, read from its validated template (`documents:`), and the state
of a kind's submission window on a day.

A kind's window differs from the reporting windows (`jiance.windows`): before it opens nothing can
be submitted (the kind is shown as upcoming); after the deadline a submission is still taken but
marked late, and the reviewer sees the mark ([002] lists deadlines, not closings). So no reopening
is needed; the date wording is the windows' own (`jiance_core.cycles.windows`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.translation import gettext as _

from jiance.cycles.services import TEMPLATE_LEVEL_TO_UNIT_LEVEL
from jiance.units.models import CHILD_LEVEL, Level
from jiance_core.cycles.schema import DOCUMENT_FORM_NAMES, ChecklistItem
from jiance_core.cycles.schema import DocumentKind as KindSpec
from jiance_core.cycles.windows import day_label

PARENT_LEVEL: dict[str, str] = {str(child): str(parent) for parent, child in CHILD_LEVEL.items()}
WindowPhase = Literal["unset", "upcoming", "open", "late"]


@dataclass(frozen=True)
class Kind:
    """One document kind of a cycle, in the units' levels (school, county, city, …)."""

    code: str
    name: str
    level: str  # units.Level of the submitting unit
    reviewer_level: str  # "" when nobody reviews it (filed: 备案)
    form: str  # table | scan | document | checklist
    start: dt.date | None
    deadline: dt.date | None
    review_start: dt.date | None
    review_deadline: dt.date | None
    stamped_scan: bool
    photos: bool
    attachment: str
    note: str
    items: tuple[ChecklistItem, ...]

    @classmethod
    def from_spec(cls, d: KindSpec) -> Kind:
        filed = d.filed_only or d.reviewed_by is None
        return cls(
            code=d.code, name=d.name, level=TEMPLATE_LEVEL_TO_UNIT_LEVEL[d.submitted_by],
            reviewer_level="" if filed else TEMPLATE_LEVEL_TO_UNIT_LEVEL[d.reviewed_by],  # type: ignore[index]
            form=d.form, start=d.start, deadline=d.deadline, review_start=d.review_start,
            review_deadline=d.review_deadline, stamped_scan=d.stamped_scan, photos=d.photos,
            attachment=d.attachment or "", note=d.note or "", items=tuple(d.items),
        )

    @property
    def filed(self) -> bool:
        """Submitted for the record (备案), not reviewed."""
        return not self.reviewer_level

    @property
    def overseer_level(self) -> str:
        """Who follows this kind across the units: the reviewing level, or for a filed kind the
        level right above the submitting one (备案、备查: it consults the lists)."""
        return self.reviewer_level or PARENT_LEVEL.get(self.level, "")

    @property
    def reviewer_level_label(self) -> str:
        """"县（区）审核" / "市审核", or "备案"."""
        if self.filed:
            return _("备案")
        return _("%(level)s审核") % {"level": Level(self.reviewer_level).label}

    @property
    def form_label(self) -> str:
        return DOCUMENT_FORM_NAMES.get(self.form, self.form)

    @property
    def title(self) -> str:
        """"附件3-1《县级实施工作领导小组名单》", as the seeds name it."""
        return f"{self.attachment}《{self.name}》" if self.attachment else f"《{self.name}》"

    @property
    def window_label(self) -> str:
        start, end = day_label(self.start), day_label(self.deadline)
        if start and end:
            return f"{start}至{end}"
        if end:
            return _("%(end)s前") % {"end": end}
        return _("%(start)s起") % {"start": start} if start else _("不限时")

    @property
    def wants_files(self) -> tuple[str, ...]:
        """The file purposes a submission of this kind takes, in page order."""
        out: list[str] = []
        if self.form == "document":
            out.append("document")
        if self.form == "scan" or (self.form == "table" and self.stamped_scan):
            out.append("scan")
        if self.photos:
            out.append("photo")
        return tuple(out)

    def phase(self, today: dt.date) -> WindowPhase:
        if self.start is None and self.deadline is None:
            return "unset"
        if self.start is not None and today < self.start:
            return "upcoming"
        if self.deadline is not None and today > self.deadline:
            return "late"
        return "open"

    def window_message(self, today: dt.date) -> str:
        phase = self.phase(today)
        facts = {"window": self.window_label, "start": day_label(self.start), "end": day_label(self.deadline)}
        if phase == "unset":
            return _("本周期未规定提交时间，可随时提交。")
        if phase == "upcoming":
            return _("尚未开始：%(start)s起可以提交（%(window)s）。") % facts
        if phase == "late":
            return _("已于 %(end)s 截止：现在仍可提交，但会标记为逾期，审核人可见。") % facts
        return _("提交时间：%(window)s。") % facts


def cycle_kinds(cycle: Any) -> list[Kind]:
    """Every document kind of `cycle`, in the template's order."""
    return [Kind.from_spec(KindSpec.model_validate(d)) for d in (getattr(cycle, "config", None) or {}).get("documents") or []]


def kind_of(cycle: Any, code: str) -> Kind | None:
    return next((k for k in cycle_kinds(cycle) if k.code == code), None)
