"""The rules of one 体育现场测试记录卡 (PE field-test record card), without Django.

A card is for one sampled student: the student took the test (``present``: a value per item of
their grade and sex), was absent (``absent``) or exempt (``exempt``, 免测), the last two with a
reason from the cycle's list. A value is parsed as written on the card: a decimal number with at
most the item's decimal places. A value outside the item's plausible range for the grade and sex
is kept only when the entry confirms it (the confirmed item codes are stored with the values),
because a real outlier exists (a tall student) but a slip of the pen is likelier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from jiance_core.cycles.fieldtest import FieldItem, FieldTestRules

ATTENDANCE = ("present", "absent", "exempt")


def items_for(rules: FieldTestRules, grade: int, sex: str) -> list[FieldItem]:
    """The card's items measured for a student of `grade` and `sex`, in card order."""
    return [i for i in rules.items if sex in i.ranges.get(grade, {})]


def parse_value(item: FieldItem, raw: str) -> Decimal:
    """The value as written (full-width digits and a comma as decimal mark accepted), or ValueError
    with the reason in Chinese."""
    text = (raw or "").strip().translate(str.maketrans("０１２３４５６７８９．，－", "0123456789..-")).replace(",", ".")
    if not text:
        raise ValueError(f"{item.name}：请填写成绩")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{item.name}：“{raw}”不是数字") from None
    if not value.is_finite():
        raise ValueError(f"{item.name}：“{raw}”不是数字")
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places > item.decimals:
        raise ValueError(f"{item.name}：最多保留 {item.decimals} 位小数（{item.unit}）")
    return value.quantize(Decimal(1).scaleb(-item.decimals))


def in_range(item: FieldItem, grade: int, sex: str, value: Decimal) -> bool:
    bounds = item.ranges.get(grade, {}).get(sex)  # type: ignore[call-overload]
    return bounds is None or Decimal(str(bounds.low)) <= value <= Decimal(str(bounds.high))


def range_text(item: FieldItem, grade: int, sex: str) -> str:
    bounds = item.ranges.get(grade, {}).get(sex)  # type: ignore[call-overload]
    if bounds is None:
        return ""
    return f"{bounds.low:g}–{bounds.high:g} {item.unit}"


@dataclass
class CardCheck:
    """What a posted card becomes: the values to keep (item code → text with the item's decimal
    places), the confirmed out-of-range items kept with them, and the problems per item (empty
    when the card may be saved). `unconfirmed` lists the out-of-range items still to confirm."""

    attendance: str
    reason: str = ""
    values: dict[str, str] = field(default_factory=dict)
    confirmed: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    unconfirmed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.unconfirmed


def check_card(rules: FieldTestRules, *, grade: int, sex: str, attendance: str, reason: str,
               raw: Mapping[str, str], confirm: Sequence[str]) -> CardCheck:
    """Check a card as posted. Absent and exempt cards keep no values, only their reason."""
    reason = (reason or "").strip()
    out = CardCheck(attendance=attendance, reason=reason)
    if attendance not in ATTENDANCE:
        out.errors["attendance"] = "请选择参测情况"
        return out
    if attendance != "present":
        allowed = rules.absence_reasons if attendance == "absent" else rules.exemption_reasons
        if not reason:
            out.errors["reason"] = "缺测或免测须写明原因"
        elif reason not in allowed and len(reason) > 100:
            out.errors["reason"] = "原因最多 100 字"
        return out
    out.reason = ""
    items = items_for(rules, grade, sex)
    if not items:
        out.errors["attendance"] = f"本周期没有 {grade} 年级{sex}生的测试项目"
        return out
    wanted = set(confirm)
    for item in items:
        try:
            value = parse_value(item, raw.get(item.code, ""))
        except ValueError as exc:
            out.errors[item.code] = str(exc)
            continue
        out.values[item.code] = str(value)
        if not in_range(item, grade, sex, value):
            if item.code in wanted:
                out.confirmed.append(item.code)
            else:
                out.unconfirmed.append(item.code)
                out.errors[item.code] = (f"{item.name} {value} {item.unit} 超出合理范围"
                                         f"（{range_text(item, grade, sex)}），请核对记录卡；确属实请勾选确认")
    return out
