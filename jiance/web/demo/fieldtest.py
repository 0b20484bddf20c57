"""The demo's PE field test (体育现场测试记录卡): cards entered and checked through the real services.

The demo cycle is a copy of the 2022 national plan, which has no PE field test; the 2024 plan has
one, so the demo borrows the 2024 template's `fieldtest:` section for its cycle (said in
docs/fieldtest.md). At the demo school the information officer (school.info) enters most cards —
one height out of range, confirmed; one student absent, one exempt — and the PE proctor
(school.proctor) checks most of them and sends one back; three students are still to enter. Two
other sample schools of the demo county are entered and checked by stand-ins. Deterministic (a
seeded generator); every moment lies before the clock's now.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np

from jiance import clock
from jiance.accounts.models import Role, User
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.fieldtest import selectors, services
from jiance.fieldtest.models import CardAction, FieldCard
from jiance.rosters.models import SampledStudent
from jiance.units.models import Unit
from jiance.web.demo.common import acting
from jiance_core.cycles.loader import SHIPPED_TEMPLATES_DIR, load_template
from jiance_core.fieldtest.card import items_for


def _values(rng: np.random.Generator, sampled: SampledStudent, cycle: Cycle) -> dict[str, str]:
    rules = selectors.rules_of(cycle)
    assert rules is not None
    grade, sex = int(sampled.roster.grade), sampled.student.sex
    out = {}
    for item in items_for(rules, grade, sex):
        bounds = item.ranges[grade][sex]  # type: ignore[index]
        value = bounds.low + (bounds.high - bounds.low) * float(rng.uniform(0.3, 0.6))
        out[item.code] = str(Decimal(str(value)).quantize(Decimal(1).scaleb(-item.decimals)))
    return out


def build_fieldtest(*, cycle: Cycle, county: Unit, demo_school: Unit, users: dict[str, User], seed: int) -> str:
    if selectors.rules_of(cycle) is None:
        rules = load_template(SHIPPED_TEMPLATES_DIR / "national-2024.yaml").fieldtest
        assert rules is not None
        cycle.config = {**cycle.config, "fieldtest": rules.model_dump(mode="json")}
        cycle.save(update_fields=["config"])
    rng = np.random.default_rng(seed)
    now = clock.now()
    start = now - dt.timedelta(minutes=90)
    entered = checked = 0

    def run(officer: Scope, proctor: Scope, school: Unit, *, leave: int, story: bool) -> None:
        nonlocal entered, checked
        sample = list(selectors.released_sample(scope=officer, cycle=cycle).filter(school=school)
                      .select_related("student", "roster", "school").order_by("roster__stage", "student__row"))
        todo = sample[: max(len(sample) - leave, 0)]
        for i, s in enumerate(todo):
            raw, confirm, attendance, reason = _values(rng, s, cycle), [], "present", ""
            if story and i == 2:
                raw["height"], confirm = ("172.5" if int(s.roster.grade) == 4 else "201.0"), ["height"]
            if story and i == 5:
                attendance, reason = "absent", "病假"
            if story and i == 8:
                attendance, reason = "exempt", "伤病免测"
            with clock.frozen(start + dt.timedelta(seconds=40 * i)), acting(officer):
                services.card_save(scope=officer, cycle=cycle, sampled=s, version=0, attendance=attendance,
                                   reason=reason, raw=raw, confirm=confirm, actor=officer.user)
            entered += 1
        cards = list(FieldCard.objects.filter(cycle=cycle, school=school).order_by("pk"))
        waiting = 4 if story else 0
        for i, card in enumerate(cards[: len(cards) - waiting]):
            returned = story and i == 3
            with clock.frozen(start + dt.timedelta(minutes=45, seconds=30 * i)), acting(proctor):
                services.card_check(scope=proctor, card=card, version=card.version,
                                    action=CardAction.RETURN if returned else CardAction.APPROVE,
                                    comment="50米跑与记录卡不符，请核对" if returned else "", actor=proctor.user)
            checked += 0 if returned else 1

    run(Scope(users["school.info"]), Scope(users["school.proctor"]), demo_school, leave=3, story=True)
    others = (Unit.objects.filter(pk__in=SampledStudent.objects.filter(roster__cycle=cycle, school__parent=county)
                                  .values("school")).exclude(pk=demo_school.pk).order_by("code")[:2])
    for school in others:
        run(Scope.acting_for(school, Role.SCHOOL_INFO_OFFICER), Scope.acting_for(school, Role.PROCTOR), school,
            leave=0, story=False)
    return f"体育现场测试记录卡：{entered} 张已录入，{checked} 张已核查（演示校另有退回和待录入）。"
