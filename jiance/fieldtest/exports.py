"""The centre's export of checked record cards (XLSX): one row per card, students by pseudonym.

The student id is the cycle's pseudonym of `jiance.analysis` (the weights export uses the same),
so the centre joins PE results to the weights without a name or ID number leaving the platform.
Every text cell is made formula-safe (`write_rows`), the file is served no-store
(`jiance.http.download`) and the export is audited with the number of cards.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from jiance.accounts import roles
from jiance.accounts.scoping import Scope
from jiance.analysis.services import pseudonym
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.cycles.models import Cycle
from jiance.fieldtest.models import CardStatus, FieldCard, FieldTestError
from jiance.fieldtest.selectors import rules_of
from jiance.spreadsheets import write_rows
from jiance.units.models import Level, Unit

META = ["student_id", "school_code", "county_code", "grade", "sex", "attendance", "reason"]


def _county_codes(schools: set[Unit]) -> dict[int, str]:
    codes = {c for u in schools for c in u.path.rstrip("/").split("/")}
    counties = set(Unit.objects.filter(code__in=codes, level=Level.COUNTY).values_list("code", flat=True))
    return {u.pk: next((c for c in u.path.rstrip("/").split("/") if c in counties), "") for u in schools}


def cards_export(*, scope: Scope, cycle: Cycle, unit: Unit, actor: Any) -> tuple[bytes, str, int]:
    """The checked cards below `unit` as XLSX bytes, the filename and the number of cards."""
    scope.require(roles.FIELDTEST_EXPORTERS, unit)
    rules = rules_of(cycle)
    if rules is None:
        raise FieldTestError(_("本监测周期没有体育现场测试"))
    cards = list(scope.filter(FieldCard.objects.filter(cycle=cycle, status=CardStatus.CHECKED,
                                                       school__path__startswith=unit.path), unit_field="school")
                 .select_related("school").order_by("school__path", "grade", "pk"))
    counties = _county_codes({c.school for c in cards})
    items = rules.items
    headers = [*META, *(f"{i.code}（{i.name}，{i.unit}）" for i in items), "confirmed_out_of_range", "checked_at"]

    def rows() -> Iterator[list[Any]]:
        for c in cards:
            yield [pseudonym(cycle.code, c.student_id), c.school.code, counties.get(c.school_id, ""), c.grade,
                   c.sex, c.attendance, c.reason, *(c.values.get(i.code, "") for i in items),
                   " ".join(c.confirmed),
                   timezone.localtime(c.checked_at).strftime("%Y-%m-%d %H:%M") if c.checked_at else ""]

    content = write_rows("fieldtest", headers, rows())
    audit_record(action=Action.EXPORT, obj=unit, unit=unit, actor=actor,
                 after={"cycle": cycle.code, "cards": len(cards)}, detail="体育现场测试记录卡导出（已核查）")
    return content, f"体育现场测试-{cycle.code}-{unit.code}.xlsx", len(cards)
