"""Saving and checking record cards: ranges, idempotent and stale saves, the two-person rule,
who may do what."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from jiance import clock
from jiance.accounts.models import Role, RoleAssignment
from jiance.accounts.scoping import Scope
from jiance.audit.models import AuditEntry
from jiance.cycles.models import Cycle
from jiance.fieldtest import selectors, services
from jiance.fieldtest.models import CardAction, CardStatus, FieldCard, FieldTestError
from jiance.rosters.models import Student
from tests.factories import World
from tests.fieldtest.conftest import GOOD, People, sampled
from tests.incidents.builders import at


def save(who: Any, cycle: Cycle, student: Student, version: int = 0, **kw: Any) -> FieldCard:
    args: dict[str, Any] = {"attendance": "present", "reason": "", "raw": GOOD, "confirm": []} | kw
    return services.card_save(scope=Scope(who), cycle=cycle, sampled=sampled(student), version=version,
                              actor=who, **args)


def check(who: Any, card: FieldCard, action: str = CardAction.APPROVE, comment: str = "") -> FieldCard:
    card.refresh_from_db()
    return services.card_check(scope=Scope(who), card=card, action=action, version=card.version,
                               comment=comment, actor=who)


def test_saving_creates_the_card_with_its_values(p: People, cycle: Cycle, students: list[Student]) -> None:
    card = save(p.officer, cycle, students[0])
    assert card.status == CardStatus.ENTERED and card.version == 1
    assert card.values["run50"] == "9.8" and card.grade == 4 and card.sex == "男"
    assert card.entered_by == p.officer
    entry = AuditEntry.objects.get(object_type__contains="fieldcard", action="create")
    assert "9.8" not in str(entry.after)  # the values stay out of the audit log


def test_out_of_range_is_refused_until_confirmed(p: People, cycle: Cycle, students: list[Student]) -> None:
    raw = {**GOOD, "rope": "260"}
    with pytest.raises(services.CardInvalid) as exc:
        save(p.officer, cycle, students[0], raw=raw)
    assert exc.value.check.unconfirmed == ["rope"]
    assert not FieldCard.objects.exists()
    card = save(p.officer, cycle, students[0], raw=raw, confirm=["rope"])
    assert card.values["rope"] == "260" and card.confirmed == ["rope"]


def test_a_resend_is_acknowledged_and_changes_nothing(p: People, cycle: Cycle, students: list[Student]) -> None:
    first = save(p.officer, cycle, students[0])
    again = save(p.officer, cycle, students[0], version=0)  # the same row posted twice
    assert again.pk == first.pk and again.version == 1
    assert AuditEntry.objects.filter(object_type__contains="fieldcard").count() == 1


def test_a_stale_page_is_refused(p: People, cycle: Cycle, students: list[Student]) -> None:
    save(p.officer, cycle, students[0])
    save(p.officer2, cycle, students[0], version=1, raw={**GOOD, "run50": "9.9"})
    with pytest.raises(FieldTestError, match="页面已过期"):
        save(p.officer, cycle, students[0], version=1, raw={**GOOD, "run50": "10.1"})
    assert FieldCard.objects.get().values["run50"] == "9.9"
    with pytest.raises(FieldTestError, match="刷新"):
        save(p.officer, cycle, students[1], version=3)  # a version for a card that does not exist


def test_the_person_who_entered_may_not_check(world: World, p: People, cycle: Cycle,
                                                 students: list[Student]) -> None:
    RoleAssignment.objects.create(user=p.officer, role=Role.PROCTOR, unit=world.school_a1)
    card = save(p.officer, cycle, students[0])
    with pytest.raises(FieldTestError, match="录入人不能核查"):
        check(p.officer, card)
    assert FieldCard.objects.get().status == CardStatus.ENTERED
    card = check(p.proctor, card)
    assert card.status == CardStatus.CHECKED and card.checked_by == p.proctor and card.locked


def test_a_correction_makes_the_corrector_the_enterer(p: People, cycle: Cycle, students: list[Student]) -> None:
    """The two-person rule follows the latest entry: whoever corrected a card entered it."""
    card = save(p.officer, cycle, students[0])
    card = check(p.proctor, card, CardAction.RETURN, "50米跑与记录卡不符")
    card = save(p.officer2, cycle, students[0], version=card.version, raw={**GOOD, "run50": "10.4"})
    assert card.status == CardStatus.ENTERED and card.entered_by == p.officer2 and card.checked_by is None
    assert [e.action for e in card.events.all()] == ["return", "enter"]
    card = check(p.proctor2, card)
    assert card.status == CardStatus.CHECKED


def test_sending_back_needs_a_reason(p: People, cycle: Cycle, students: list[Student]) -> None:
    card = save(p.officer, cycle, students[0])
    with pytest.raises(FieldTestError, match="退回时必须写明"):
        check(p.proctor, card, CardAction.RETURN, "  ")
    card = check(p.proctor, card, CardAction.RETURN, "体重与记录卡不符")
    assert card.status == CardStatus.RETURNED and card.comment == "体重与记录卡不符"


def test_a_checked_card_is_locked(p: People, cycle: Cycle, students: list[Student]) -> None:
    card = check(p.proctor, save(p.officer, cycle, students[0]))
    with pytest.raises(FieldTestError, match="已核查"):
        save(p.officer, cycle, students[0], version=card.version, raw={**GOOD, "rope": "121"})
    with pytest.raises(FieldTestError):
        check(p.proctor2, card)


def test_a_stale_check_is_refused(p: People, cycle: Cycle, students: list[Student]) -> None:
    card = save(p.officer, cycle, students[0])
    seen = card.version
    save(p.officer, cycle, students[0], version=seen, raw={**GOOD, "rope": "119"})
    with pytest.raises(FieldTestError, match="页面已过期"):
        services.card_check(scope=Scope(p.proctor), card=card, action=CardAction.APPROVE, version=seen, comment="",
                            actor=p.proctor)


def test_who_may_enter_and_check(p: People, cycle: Cycle, students: list[Student]) -> None:
    with pytest.raises(PermissionDenied):
        save(p.proctor, cycle, students[0])
    with pytest.raises(PermissionDenied):
        save(p.principal, cycle, students[0])
    with pytest.raises(Http404):  # another school: not even there
        save(p.officer_b, cycle, students[0])
    card = save(p.officer, cycle, students[0])
    for who in (p.officer2, p.principal, p.county, p.city):
        with pytest.raises(PermissionDenied):
            check(who, card)


def test_absent_and_exempt_cards(p: People, cycle: Cycle, students: list[Student]) -> None:
    card = save(p.officer, cycle, students[1], attendance="exempt", reason="伤病免测")
    assert card.attendance == "exempt" and card.values == {} and card.reason == "伤病免测"
    with pytest.raises(services.CardInvalid, match="原因"):
        save(p.officer, cycle, students[2], attendance="absent", reason="")


def test_no_student_before_the_release(p: People, world: World, cycle: Cycle, students: list[Student]) -> None:
    with clock.frozen(at(7, 0, day=25)):
        assert selectors.school_rows(scope=Scope(p.officer), cycle=cycle, school=world.school_a1) == []
        with pytest.raises(Http404):
            selectors.sampled_for(scope=Scope(p.officer), cycle=cycle, school=world.school_a1,
                                  student_id=students[0].pk)


def test_progress_per_school(p: People, world: World, cycle: Cycle, students: list[Student]) -> None:
    save(p.officer, cycle, students[0])
    check(p.proctor, save(p.officer, cycle, students[1], raw={**GOOD}))
    check(p.proctor, save(p.officer, cycle, students[2]), CardAction.RETURN, "不符")
    save(p.officer, cycle, students[3], attendance="absent", reason="病假")
    rows = selectors.progress_under(scope=Scope(p.county), cycle=cycle, unit=world.county_a)
    assert [(r.unit.code, r.sampled, r.entered, r.checked, r.returned, r.missing) for r in rows] == [
        (world.school_a1.code, 6, 2, 1, 1, 2)]
    city = selectors.progress_under(scope=Scope(p.city), cycle=cycle, unit=world.city)
    assert [(r.unit.code, r.sampled, r.cards) for r in city] == [(world.school_a1.code, 6, 4),
                                                                 (world.school_b1.code, 3, 0)]
    assert selectors.total(city, world.city).missing == 5
