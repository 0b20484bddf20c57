"""Services of the PE field test: save a record card (the school's information officer), check it
(a PE proctor, through the review engine), export the checked cards (the centre).

Saving is idempotent and version-checked: the row of the page posts the version it shows (0 for a
card not yet entered); a resend of exactly what is stored (a double click, a reply lost) changes
nothing and answers the stored card; anything else on an out-of-date version is refused with what
changed, when and by whom. The two-person rule: the person who last entered a card's values may
not check it (`_not_the_enterer`, on the locked row).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts import roles
from jiance.accounts.scoping import Scope
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.cycles.models import Cycle
from jiance.fieldtest.models import CardAction, CardStatus, FieldCard, FieldTestError
from jiance.fieldtest.selectors import rules_of
from jiance.review.engine import bump, stale_message, transition
from jiance.rosters.models import SampledStudent
from jiance_core.fieldtest.card import CardCheck, check_card


class CardInvalid(FieldTestError):
    """A card that may not be saved as posted: `check` holds the problem of each item."""

    def __init__(self, check: CardCheck) -> None:
        super().__init__("；".join(check.errors.values()))
        self.check = check


def person_key(scope: Scope, actor: Any) -> str:
    """Who acts, as the two-person rule compares it: the account, or (the demo's stand-ins, who
    have none) their one grant."""
    if actor is not None:
        return f"u{actor.pk}"
    return "s" + ",".join(f"{g.role}@{g.unit_id}" for g in scope.grants)[:58]


def _content(card: FieldCard) -> tuple[Any, ...]:
    return (card.attendance, card.reason, dict(card.values), sorted(card.confirmed))


@transaction.atomic
def card_save(*, scope: Scope, cycle: Cycle, sampled: SampledStudent, version: int, attendance: str,
              reason: str, raw: Mapping[str, str], confirm: Sequence[str], actor: Any) -> FieldCard:
    """Enter (or correct) the card of one sampled student, as the school's information officer.
    `sampled` is read through the released sample (the caller's selector)."""
    school = sampled.school
    scope.require(roles.FIELDTEST_ENTRY, school)
    rules = rules_of(cycle)
    if rules is None:
        raise FieldTestError(_("本监测周期没有体育现场测试"))
    student = sampled.student
    grade = int(sampled.roster.grade)
    checked = check_card(rules, grade=grade, sex=student.sex, attendance=attendance, reason=reason, raw=raw,
                         confirm=confirm)
    if not checked.ok:
        raise CardInvalid(checked)
    now = clock.now()
    new = (checked.attendance, checked.reason, checked.values, sorted(checked.confirmed))
    card = FieldCard.objects.select_for_update().filter(cycle=cycle, student=student).first()
    if card is None:
        if version != 0:
            raise FieldTestError(_("该记录卡已不存在，请刷新页面"))
        card = FieldCard.objects.create(
            cycle=cycle, school=school, student=student, grade=grade, sex=student.sex,
            attendance=checked.attendance, reason=checked.reason, values=checked.values,
            confirmed=checked.confirmed, entered_by=actor, entered_who=person_key(scope, actor), entered_at=now,
            updated_at=now)
        audit_record(action=Action.CREATE, obj=card, unit=school, actor=actor,
                     after={"version": card.version, "attendance": card.attendance,
                            "confirmed": card.confirmed}, detail="体育现场测试记录卡录入")
        return card
    if _content(card) == new:
        return card  # a resend of what is stored: acknowledged, nothing changes
    if version != card.version:
        raise FieldTestError(stale_message(card))
    card.check_editable()
    changed = sorted(k for k in set(card.values) | set(checked.values)
                     if card.values.get(k) != checked.values.get(k))
    was, was_attendance = card.status, card.attendance
    bump(card, attendance=checked.attendance, reason=checked.reason, values=checked.values,
         confirmed=checked.confirmed, entered_by=actor, entered_who=person_key(scope, actor), entered_at=now)
    # the values stay out of the audit log (its readers include offices not entitled to them)
    audit_record(action=Action.UPDATE, obj=card, unit=school, actor=actor,
                 before={"version": card.version - 1, "attendance": was_attendance},
                 after={"version": card.version, "items": changed, "confirmed": card.confirmed},
                 detail="体育现场测试记录卡修改")
    if was == CardStatus.RETURNED:
        card = transition(card, CardAction.ENTER, scope=scope, actor=actor, version=card.version)
    return card


def card_check(*, scope: Scope, card: FieldCard, action: str, version: int, comment: str, actor: Any) -> FieldCard:
    """A PE proctor approves the card or sends it back with a reason. Refused for the person who
    entered it (two-person rule), on a stale page, and for anyone but a PE proctor of the school."""
    if action not in (CardAction.APPROVE, CardAction.RETURN):
        raise FieldTestError(_("未知操作"))

    def _not_the_enterer(row: FieldCard) -> None:
        if row.entered_who == person_key(scope, actor):
            raise FieldTestError(_("录入人不能核查自己录入的记录卡：请由另一名体育监测员核查"))

    return transition(card, action, scope=scope, actor=actor, comment=comment, version=version,
                      check=_not_the_enterer)
