"""The app registry: what each app contributes to the shared parts of the platform, read here.

Each app declares, in one module `jiance/<app>/registry.py` holding `APP = AppEntry(...)`:
its nav entries (label, URL name, the roles that may use it, order), its home-page links, the
uploads it keeps (so retention deletes them), the milestone events its services report
(`done_when` in the cycle templates) and the URL parameters of its routes (the access walk
builds a value for each). The nav template, the home page, `jiance.retention`, the cycle
loader and the access walk read the declarations through the functions below, so adding an app
means adding its declaration and its URLs, nothing else.

An app that has figures for the live progress pages of test day names its module in
`AppEntry.progress` (`"jiance.<app>.progress"`, holding COLUMNS, ATTENTION and
`school_progress`, see `ProgressSource`); `progress_sources()` reads every declared one, and
`progress_changed()` is what a service calls after commit when those figures moved.

Layer: a shared root module at the bottom. It imports no app at module level; it finds the
declarations through Django's app list (`django.apps.apps`), so every app may use it.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any, Literal

from django.apps import apps
from django.db.models import Model
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Roles = tuple[str, ...]


@dataclass(frozen=True)
class NavEntry:
    """One item of the top navigation. `roles`: who may use the page (None: everyone signed in);
    the item is shown to a person who holds one of them anywhere."""

    label: StrOrPromise
    url_name: str
    order: int
    roles: Roles | None = None


@dataclass(frozen=True)
class HomeLink:
    """A link in a unit's panel on the home page, shown when the person holds one of `roles` in
    that very unit (None: any role) and the unit's level is one of `levels` (None: any).
    `arg` names what the URL takes: the unit's code, the active cycle's code, or nothing; a
    link that needs the cycle is left out when no cycle is active."""

    label: StrOrPromise
    url_name: str
    order: int
    roles: Roles | None = None
    levels: tuple[str, ...] | None = None
    arg: Literal["", "unit", "cycle"] = ""


@dataclass(frozen=True)
class KeptUpload:
    """Files with personal data an app keeps for its users' downloads: retention deletes the
    rows of `model` (app_label.Model) whose `date_field` is older than the keep period, or
    calls `purge(cutoff)` for uploads kept outside the database (returns how many went)."""

    key: str
    label: StrOrPromise
    model: str = ""
    date_field: str = "uploaded_at"
    purge: Callable[[dt.datetime], int] | None = None


@dataclass(frozen=True)
class MilestoneEvent:
    """Something the platform sees a unit finish (`done_when` of a template milestone): the
    app's service reports it with `jiance.cycles.services.milestones_observed(event=name)`.
    `level` is the template level of the milestones it may complete ("": any level). An event
    with a `param` is written `name:<param>` in `done_when` (e.g. `document_approved:<code>`)."""

    name: str
    level: str
    label: StrOrPromise = ""
    param: Literal["", "document", "milestone"] = ""


@dataclass(frozen=True)
class InboxItem:
    """One thing waiting for a person: to check, to review, returned to them, to decide. A plain
    record (no model, no request), so the reminder e-mails can send the same items."""

    kind: Literal["check", "review", "returned", "decide", "confirm"]
    title: str
    unit: str  # the unit's name
    since: dt.datetime  # when it started waiting (newest first)
    url: str
    app: str


# An app's inbox provider: every item waiting for the person of `scope` in the active `cycle`,
# scoped through the Scope and read in a fixed, small number of queries (no query per item).
InboxProvider = Callable[..., Iterable[InboxItem]]
INBOX_KINDS: dict[str, StrOrPromise] = {
    "check": gettext_lazy("待审核"),
    "review": gettext_lazy("待审核"),
    "returned": gettext_lazy("被退回"),
    "decide": gettext_lazy("待审批"),
    "confirm": gettext_lazy("待确认"),
}


@dataclass(frozen=True)
class DocumentTable:
    """An official table the platform fills from its own data for an implementation document
    (e.g. 县级实施工作领导小组名单 from the leadership group): the documents app prints it as PDF
    and XLSX to sign and stamp. Plain data: the app that owns the data builds it."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    unit: str = ""  # 填报单位
    notes: tuple[str, ...] = ()
    attachment: str = ""  # the form number in the manual, e.g. 附件3-1


# Builds a document kind's table for one unit of a cycle: `provider(cycle=..., unit=...)`.
DocumentTableProvider = Callable[..., DocumentTable]


# The figures one app gives the live progress pages (`jiance.live`): per school id, for one
# test day, counts under the app's column keys. `school_progress(*, cycle, school_ids, day)` reads
# them in a constant number of queries (GROUP BY), whatever the number of schools.
SchoolProgress = Callable[..., Mapping[int, Mapping[str, int]]]


@dataclass(frozen=True)
class ProgressSource:
    """One app's live-progress figures, read from its module `jiance/<app>/progress.py`:

    - `COLUMNS`: [(key, label)], keys unique across apps and prefixed by the app's label;
    - `ATTENTION`: {key: weight} for the keys whose non-zero value needs attention (the higher
      the weight, the earlier the school is listed among those that need attention);
    - `school_progress(*, cycle, school_ids, day) -> {school_id: {key: count}}` (only schools
      with something to show; missing keys count 0)."""

    app: str
    columns: tuple[tuple[str, StrOrPromise], ...]
    attention: Mapping[str, int]
    school_progress: SchoolProgress

    @classmethod
    def from_module(cls, app: str, module_name: str) -> ProgressSource:
        """The source an app's progress module declares; ValueError naming what is wrong."""
        module = importlib.import_module(module_name)
        columns = tuple((str(k), label) for k, label in getattr(module, "COLUMNS", ()))
        attention = dict(getattr(module, "ATTENTION", {}))
        reader = getattr(module, "school_progress", None)
        keys = [k for k, _label in columns]
        if not columns or not callable(reader):
            raise ValueError(f"{module_name}: COLUMNS and school_progress are required")
        if len(set(keys)) != len(keys) or any(not k.startswith(f"{app}_") for k in keys):
            raise ValueError(f"{module_name}: column keys must be unique and start with '{app}_': {keys}")
        if set(attention) - set(keys):
            raise ValueError(f"{module_name}: ATTENTION names unknown columns {sorted(set(attention) - set(keys))}")
        return cls(app=app, columns=columns, attention=attention, school_progress=reader)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for k, _label in self.columns)


@dataclass(frozen=True)
class AttendanceFact:
    """What test day recorded about one sampled student, for the after-test report to prefill
    (no retyping): the session codes the student missed, and the absence reason (an after-test
    `AbsenceReason` value, or "") and note. Plain data: the app that records attendance builds it."""

    absent_sessions: tuple[str, ...]
    reason: str = ""
    note: str = ""


# Test-day attendance of some students of a cycle: `provider(cycle=..., student_ids=[...])` →
# {student id: AttendanceFact}, only for students with something recorded.
AttendanceProvider = Callable[..., Mapping[int, AttendanceFact]]


@dataclass(frozen=True)
class AppEntry:
    app: str  # the Django app label
    url_prefix: str = ""  # its URLs (`<app>/urls.py`) are served under `/<url_prefix>/`
    nav: tuple[NavEntry, ...] = ()
    home_links: tuple[HomeLink, ...] = ()
    kept_uploads: tuple[KeptUpload, ...] = ()
    milestone_events: tuple[MilestoneEvent, ...] = ()
    # Names of the URL parameters this app's routes take (the access walk needs a value for each).
    url_params: tuple[str, ...] = ()
    # What waits for a person in this app: `inbox(scope=..., cycle=...)` → InboxItems (see below).
    inbox: InboxProvider | None = None
    # Implementation-document kinds (cycle `documents:` codes) whose official table this app fills.
    document_tables: Mapping[str, DocumentTableProvider] = field(default_factory=dict)
    # The module with this app's live-progress figures ("jiance.<app>.progress"; see ProgressSource).
    progress: str = ""
    # Test-day attendance the after-test report is prefilled from (see AttendanceFact).
    attendance: AttendanceProvider | None = None


# --- reading the declarations ---------------------------------------------------------------
@cache
def entries() -> tuple[AppEntry, ...]:
    """Every installed app's declaration, in the order of INSTALLED_APPS."""
    found = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.registry"
        if not config.name.startswith("jiance.") or find_spec(module_name) is None:
            continue
        entry = getattr(importlib.import_module(module_name), "APP", None)
        if isinstance(entry, AppEntry):
            found.append(entry)
    return tuple(found)


def nav_entries() -> list[NavEntry]:
    return sorted((n for e in entries() for n in e.nav), key=lambda n: n.order)


def home_links() -> list[HomeLink]:
    return sorted((h for e in entries() for h in e.home_links), key=lambda h: h.order)


def kept_uploads() -> list[KeptUpload]:
    return [k for e in entries() for k in e.kept_uploads]


def milestone_events() -> dict[str, MilestoneEvent]:
    return {m.name: m for e in entries() for m in e.milestone_events}


def inbox_items(*, scope: Any, cycle: Any) -> list[InboxItem]:
    """Every app's items waiting for the person of `scope`, newest first (none without a cycle)."""
    if cycle is None:
        return []
    items = [i for e in entries() if e.inbox is not None for i in e.inbox(scope=scope, cycle=cycle)]
    items.sort(key=lambda i: (i.since, i.url), reverse=True)
    return items


def progress_sources() -> list[ProgressSource]:
    """Every app's live-progress source, in the order of INSTALLED_APPS; ValueError when two apps
    use the same column key."""
    sources = [ProgressSource.from_module(e.app, e.progress) for e in entries() if e.progress]
    seen: dict[str, str] = {}
    for source in sources:
        for key in source.keys:
            if key in seen:
                raise ValueError(f"progress column {key!r} of {source.app} is already {seen[key]}'s")
            seen[key] = source.app
    return sources


PROGRESS_STAMP_KEY = "jiance:progress:stamp"


def progress_stamp() -> int:
    """The change stamp of the live-progress figures: moves whenever an app reports a change
    (one cache read; 0 before any change or after the cache was emptied)."""
    from django.core.cache import cache

    return int(cache.get(PROGRESS_STAMP_KEY) or 0)


def progress_changed() -> None:
    """An app's figures moved (call it in `transaction.on_commit`): the live pages recompute
    instead of waiting for their cached figures to expire."""
    from django.core.cache import cache

    if not cache.add(PROGRESS_STAMP_KEY, 1, timeout=None):
        try:
            cache.incr(PROGRESS_STAMP_KEY)
        except ValueError:  # expired between add and incr
            cache.set(PROGRESS_STAMP_KEY, 1, timeout=None)


def document_table_provider(code: str) -> DocumentTableProvider | None:
    """The app function that fills document kind `code`'s table, if an app fills it."""
    for e in entries():
        if code in e.document_tables:
            return e.document_tables[code]
    return None


def attendance_facts(*, cycle: Any, student_ids: list[int]) -> dict[int, AttendanceFact]:
    """Every app's recorded attendance of these students (a later app's fact wins)."""
    out: dict[int, AttendanceFact] = {}
    for e in entries():
        if e.attendance is not None:
            out.update(e.attendance(cycle=cycle, student_ids=student_ids))
    return out


def url_includes() -> list[tuple[str, str]]:
    """(prefix, URL module) of every app that serves pages, for `jiance/urls.py`."""
    return [(e.url_prefix, f"{apps.get_app_config(e.app).name}.urls") for e in entries() if e.url_prefix]


def url_params() -> dict[str, str]:
    """Every declared URL parameter, with the app that declared it first."""
    out: dict[str, str] = {}
    for e in entries():
        for p in e.url_params:
            out.setdefault(p, e.app)
    return out


# --- what the shared pages do with them -----------------------------------------------------
def _may_use(roles: Roles | None, held: Iterable[str]) -> bool:
    return roles is None or bool(set(roles) & set(held))


def menu(held_roles: Iterable[str]) -> list[tuple[StrOrPromise, str]]:
    """The nav items a person holding `held_roles` (anywhere) may use: (label, url)."""
    held = set(held_roles)
    return [(n.label, reverse(n.url_name)) for n in nav_entries() if _may_use(n.roles, held)]


def unit_links(
    *, held_roles: Iterable[str], unit_level: str, unit_code: str, cycle_code: str | None
) -> list[tuple[str, str]]:
    """The home-page links of one unit for a person holding `held_roles` in it: (label, url)."""
    held = set(held_roles)
    links = []
    for h in home_links():
        if not _may_use(h.roles, held) or (h.levels is not None and unit_level not in h.levels):
            continue
        args: tuple[str, ...] = ()
        if h.arg == "unit":
            args = (unit_code,)
        elif h.arg == "cycle":
            if cycle_code is None:
                continue
            args = (cycle_code,)
        try:
            links.append((str(h.label), reverse(h.url_name, args=args)))
        except NoReverseMatch:
            continue
    return links


def purge_kept_uploads(cutoff: dt.datetime) -> dict[str, int]:
    """Delete every kept upload older than `cutoff`; how many of each kind went."""
    counts = {}
    for k in kept_uploads():
        if k.purge is not None:
            counts[k.key] = k.purge(cutoff)
        else:
            model: type[Model] = apps.get_model(k.model)
            counts[k.key] = model._default_manager.filter(**{f"{k.date_field}__lt": cutoff}).delete()[0]
    return counts


def done_when_issues(items: Iterable[tuple[str, str, str]]) -> list[str]:
    """What is wrong with milestones' `done_when` conditions, given as (field path, level,
    condition): each must name an event an app registered (with its parameter, for a
    parametrised one: `document_approved:<code>`, `subunits_done:<number>`), at the level the
    event belongs to. One Chinese message per problem, naming the field."""
    from jiance_core.cycles.schema import LEVEL_NAMES

    names = {**LEVEL_NAMES, "centre": LEVEL_NAMES["national"]}
    events = milestone_events()
    allowed = "、".join(f"“{e.name}:…”" if e.param else f"“{e.name}”" for e in events.values())
    issues = []
    for where, level, condition in items:
        name, colon, arg = condition.partition(":")
        event = events.get(name)
        if event is None:
            issues.append(_("%(where)s：“%(name)s”不是平台登记的自动完成事件，应为 %(allowed)s 之一")
                          % {"where": where, "name": condition, "allowed": allowed})
        elif event.param and not arg:
            issues.append(_("%(where)s：“%(name)s”须带参数，写作“%(name)s:…”") % {"where": where, "name": name})
        elif colon and not event.param:
            issues.append(_("%(where)s：“%(name)s”不带参数") % {"where": where, "name": name})
        elif event.level and event.level != level:
            issues.append(_("%(where)s：“%(name)s”只能用于%(right)s工作节点，这里是%(here)s")
                          % {"where": where, "name": name, "right": names[event.level],
                             "here": names.get(level, level)})
    return issues


def check_done_when(milestones: Mapping[Any, Sequence[Any]]) -> None:
    """A cycle template's milestones (level → list): raise ValueError, the cycle loader's
    refusal, when a `done_when` names no registered event or one of another level."""
    _raise(done_when_issues(
        (f"milestones.{level}[{i}].done_when", level, condition)
        for level, items in milestones.items() for i, m in enumerate(items)
        for condition in _conditions(m.done_when)
    ))


def _conditions(done_when: Any) -> list[str]:
    if not done_when:
        return []
    return [done_when] if isinstance(done_when, str) else list(done_when)


def check_cycle_done_when(cycle: Any) -> None:
    """The same check on a loaded cycle's milestone rows, before it is activated (an app may have
    gone since the cycle was loaded)."""
    rows = cycle.milestones.exclude(done_when="").order_by("level", "number")
    _raise(done_when_issues(
        (f"milestones.{m.level}（序号 {m.number}）.done_when", m.level, condition)
        for m in rows for condition in m.conditions
    ))


def _raise(issues: list[str]) -> None:
    if issues:
        raise ValueError("；".join(issues))
