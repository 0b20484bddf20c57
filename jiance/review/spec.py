"""A review chain as data: its statuses, and for each action where it may start, where it leads,
who may take it, whether it needs a reason, what the audit log calls it and which milestone event
it may complete. The engine (`jiance.review.engine`) reads nothing else; a new chain (e.g. the
implementation documents) is one more `Chain`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from jiance.accounts.roles import Roles


class ReviewRefused(ValueError):
    """A refused step of a review chain, with the reason in Chinese for the user. Each app's error
    type derives from it, so a view may catch either."""


@dataclass(frozen=True)
class Step:
    """One action of a chain."""

    code: str
    label: StrOrPromise
    sources: tuple[str, ...]
    target: str
    # who may take it: one set for every source, or per source status (each step returns what
    # waits for it)
    roles: Roles | Mapping[str, Roles]
    audit: str  # jiance.audit.models.Action
    reason_required: bool = False
    reason_message: StrOrPromise = ""
    milestone: str = ""  # a `done_when` event this step may complete (see Chain.milestone_done)

    def roles_for(self, status: str) -> Roles | None:
        """The roles that may take this step from `status` (None: not from there)."""
        if status not in self.sources:
            return None
        if isinstance(self.roles, Mapping):
            return self.roles.get(status)
        return self.roles


@dataclass(frozen=True)
class Chain:
    name: str
    statuses: type[models.TextChoices]
    editable: tuple[str, ...]  # statuses in which the reported data may change
    steps: tuple[Step, ...]
    error: type[ReviewRefused]
    noun: StrOrPromise  # what is reviewed, for messages ("名单")
    audit_subject: str  # prefix of the audit detail ("学生名单")
    locked_message: StrOrPromise
    in_review_message: StrOrPromise  # may name %(status)s
    final: str = "approved"  # reaching it locks the record
    # did this step finish the unit's task? (e.g. every sampled stage submitted)
    milestone_done: Callable[[Any], bool] | None = None
    # extra columns a step writes, from (step code, now, actor)
    stamp: Callable[[str, Any, Any], dict[str, Any]] | None = None
    # the record's data (JSON-able) to keep at each approving step, for "changes since the last
    # approved version" (jiance.review.snapshots)
    snapshot: Callable[[Any], Any] | None = None
    actions: Mapping[str, Step] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "actions", {s.code: s for s in self.steps})

    def target(self, status: str, action: str) -> str | None:
        """Where `action` leads from `status` (None: not allowed). The transition table."""
        step = self.actions[action]
        return step.target if status in step.sources else None

    def holding(self, event: str) -> frozenset[str]:
        """The statuses in which a record still counts as evidence of milestone `event`: where the
        steps reporting it lead, and every status reached from there without going back to an
        editable one (a submitted roster stays evidence of "submitted" while it is approved up the
        chain; returned, it does not)."""
        held = {s.target for s in self.steps if s.milestone == event}
        grew = True
        while grew:
            grew = False
            for s in self.steps:
                if s.target not in held and s.target not in self.editable and held & set(s.sources):
                    held.add(s.target)
                    grew = True
        return frozenset(held)

    def status_label(self, status: str) -> str:
        return str(dict(self.statuses.choices).get(status, status))
