"""Editing a cycle in the browser: services that save one section of the template.

Every save validates the WHOLE template with the schema of the YAML files
(`jiance_core.cycles.editing.validate`: pydantic + `check_rules`, plus the `done_when` check of the
app registry), compares the version the page was built from, writes `config`, re-materialises the
milestones and document kinds (`cycle_materialise`: completions of a milestone that still exists
stay) and records an audit entry, all in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts.roles import CYCLE_MANAGERS
from jiance.accounts.scoping import Scope
from jiance.apps_registry import done_when_issues
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.cycles.models import Cycle, CycleStatus, CycleTextFlag
from jiance.cycles.services import cycle_materialise
from jiance_core.cycles.editing import issue_of, validate
from jiance_core.cycles.schema import Issue


def can_manage(scope: Scope, cycle: Cycle) -> bool:
    """National cycles are managed (edited, copied, activated) by the centre; a provincial or
    city cycle by its owner's office (or an office above it)."""
    if cycle.owner is None:
        return scope.is_centre
    return scope.holds(CYCLE_MANAGERS, cycle.owner)


# Sections that may not change once the cycle is active: the sample is drawn from them.
LOCKED_WHEN_ACTIVE = frozenset({"sample"})
# Sections that may not change on an active cycle once its first test day has come: the test-day
# pages, the seating and the release of the sampled students (secrecy) follow them.
LOCKED_FROM_TEST_DAY = frozenset({"basics", "sessions"})


class CycleEditRefused(Exception):
    """A save that cannot be made: the message says why, in Chinese."""


class CycleStale(CycleEditRefused):
    """Someone saved the cycle after this page was drawn."""


class CycleInvalid(CycleEditRefused):
    """The edited template breaks the schema; `issues` name each field."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__(_("有 %(n)s 处问题，未保存。") % {"n": len(issues)})


def section_editable(cycle: Cycle, section: str) -> str | None:
    """None when the section may be edited now, else the Chinese reason it may not."""
    if cycle.status == CycleStatus.CLOSED:
        return _("此周期已结束，不能再修改。")
    if cycle.status == CycleStatus.ACTIVE and section in LOCKED_WHEN_ACTIVE:
        return _("此周期已启用，样本量不能再修改（抽样已按其进行）。")
    if (cycle.status == CycleStatus.ACTIVE and section in LOCKED_FROM_TEST_DAY and cycle.test_days
            and clock.today() >= min(cycle.test_days)):
        return _("测试日已到，测试日、场次和样本学生名单发布时间不能再修改。")
    return None


def stale_message(cycle: Cycle) -> str:
    user = cycle.updated_by
    who = (user.get_full_name() or user.get_username()) if user is not None else ""
    when = timezone.localtime(cycle.updated_at).strftime("%Y-%m-%d %H:%M") if cycle.updated_at else ""
    if who and when:
        return _("此周期已由 %(who)s 于 %(when)s 修改（现为第 %(version)s 版），您的修改未保存。"
                 "请重新打开本页，在最新内容上修改。") % {"who": who, "when": when, "version": cycle.version}
    return _("此周期在您打开本页之后已被修改（现为第 %(version)s 版），您的修改未保存。"
             "请重新打开本页，在最新内容上修改。") % {"version": cycle.version}


def check_config(data: dict[str, Any]) -> tuple[dict[str, Any] | None, list[Issue]]:
    """The validated, normalised config, or None and every problem (schema, rules, done_when)."""
    template, issues = validate(data)
    if template is None:
        return None, issues
    extra = done_when_issues(
        (f"milestones.{level}[{i}].done_when", level, condition)
        for level, items in template.milestones.items() for i, m in enumerate(items)
        for condition in m.conditions
    )
    if extra:
        return None, [issue_of(p) for p in extra]
    return template.model_dump(mode="json"), []


@transaction.atomic
def cycle_save_section(
    *, cycle: Cycle, section: str, data: dict[str, Any], version: int, actor: Any = None,
    label: str = "",
) -> Cycle:
    """Save the whole template `data` (the cycle's config with one section edited).

    Refuses (`CycleStale`) when the cycle changed since version `version` — unless the same
    content was saved already (a second click), which is acknowledged as done; refuses
    (`CycleInvalid`) when the template breaks the schema; refuses (`CycleEditRefused`) a closed
    cycle or a section locked once the cycle is active."""
    locked = Cycle.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=cycle.pk)
    config, issues = check_config(data)
    if locked.version != version:
        if config is not None and config == locked.config:
            return locked  # the same save again: already done
        raise CycleStale(stale_message(locked))
    reason = section_editable(locked, section)
    if reason:
        raise CycleEditRefused(reason)
    if config is None:
        raise CycleInvalid(issues)
    if config.get("code") != locked.code:
        raise CycleInvalid([Issue("code", _("在线编辑不能修改周期代码"))])
    if config == locked.config:
        return locked  # nothing changed: no new version
    before, after = _part(locked.config, section), _part(config, section)
    locked.config = config
    locked.name, locked.year = config["name"], config["year"]
    locked.version += 1
    locked.updated_at = clock.now()
    locked.updated_by = actor if getattr(actor, "pk", None) else None
    locked.save()
    template, _issues = validate(config)
    assert template is not None
    cycle_materialise(cycle=locked, template=template)
    audit_record(
        action=Action.UPDATE, obj=locked, unit=locked.owner, before={section: before},
        after={section: after, "version": locked.version},
        detail=_("在线修改监测周期：%(section)s") % {"section": label or section},
    )
    return locked


BASIC_KEYS = ("name", "school_year", "test_days", "release")


def _part(config: dict[str, Any], section: str) -> Any:
    """What a section's page edits, for the audit entry's before/after."""
    if section == "basics":
        return {k: config.get(k) for k in BASIC_KEYS}
    if section.startswith("milestones-"):
        return (config.get("milestones") or {}).get(section.split("-", 1)[1])
    return config.get({"sample": "sample_size"}.get(section, section))


@transaction.atomic
def cycle_flag_confirm(*, cycle: Cycle, flag_id: int, actor: Any = None) -> CycleTextFlag:
    """An editor has checked a piece of text the copy flagged. Confirming twice is one confirmation."""
    flag = CycleTextFlag.objects.select_for_update().get(cycle=cycle, pk=flag_id)
    if flag.confirmed_at is None:
        flag.confirmed_at = clock.now()
        flag.confirmed_by = actor if getattr(actor, "pk", None) else None
        flag.save(update_fields=["confirmed_at", "confirmed_by"])
        audit_record(
            action=Action.UPDATE, obj=cycle, unit=cycle.owner,
            after={"flag": flag.path, "excerpt": flag.excerpt, "confirmed": True},
            detail=_("确认复制后的文字：%(path)s") % {"path": flag.path},
        )
    return flag
