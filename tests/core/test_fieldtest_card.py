"""The record card's rules without Django: items per grade and sex, decimals, ranges, confirmation."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml
from pydantic import ValidationError

from jiance_core.cycles.loader import SHIPPED_TEMPLATES_DIR, load_template
from jiance_core.cycles.schema import CycleTemplate
from jiance_core.fieldtest.card import check_card, items_for, parse_value

RULES = load_template(SHIPPED_TEMPLATES_DIR / "national-2024.yaml").fieldtest
GOOD = {"height": "135.2", "weight": "31.5", "run50": "9.8", "sit_reach": "6.5", "rope": "120", "shuttle15": "35"}


def test_items_depend_on_grade_and_sex() -> None:
    assert RULES is not None
    four = [i.code for i in items_for(RULES, 4, "男")]
    assert four == ["height", "weight", "run50", "sit_reach", "rope", "shuttle15"]
    boys8 = [i.code for i in items_for(RULES, 8, "男")]
    girls8 = [i.code for i in items_for(RULES, 8, "女")]
    assert "pull_up" in boys8 and "sit_up" not in boys8
    assert "sit_up" in girls8 and "pull_up" not in girls8
    assert items_for(RULES, 6, "男") == []


def test_values_keep_the_items_decimal_places() -> None:
    assert RULES is not None
    run50 = next(i for i in RULES.items if i.code == "run50")
    assert parse_value(run50, "9.8") == Decimal("9.8")
    assert str(parse_value(run50, "10")) == "10.0"
    assert str(parse_value(run50, "１０．２")) == "10.2"  # full-width, as typed with a Chinese IME
    with pytest.raises(ValueError, match="最多保留 1 位小数"):
        parse_value(run50, "9.85")
    with pytest.raises(ValueError, match="不是数字"):
        parse_value(run50, "九秒")
    with pytest.raises(ValueError, match="请填写"):
        parse_value(run50, " ")


def test_out_of_range_needs_a_confirmation_kept_with_the_value() -> None:
    assert RULES is not None
    raw = {**GOOD, "height": "185.0"}  # too tall for grade 4 (110–170)
    refused = check_card(RULES, grade=4, sex="男", attendance="present", reason="", raw=raw, confirm=[])
    assert not refused.ok and refused.unconfirmed == ["height"] and "超出合理范围" in refused.errors["height"]
    kept = check_card(RULES, grade=4, sex="男", attendance="present", reason="", raw=raw, confirm=["height"])
    assert kept.ok and kept.confirmed == ["height"] and kept.values["height"] == "185.0"
    # a confirmation of a value inside the range is not kept
    plain = check_card(RULES, grade=4, sex="男", attendance="present", reason="", raw=GOOD, confirm=["rope"])
    assert plain.ok and plain.confirmed == []


def test_range_ends_are_inside() -> None:
    assert RULES is not None
    raw = {**GOOD, "run50": "16.0"}  # grade 4 boys: 7.0–16.0
    assert check_card(RULES, grade=4, sex="男", attendance="present", reason="", raw=raw, confirm=[]).ok
    raw = {**GOOD, "run50": "16.1"}
    assert not check_card(RULES, grade=4, sex="男", attendance="present", reason="", raw=raw, confirm=[]).ok


def test_absent_and_exempt_need_a_reason_and_keep_no_values() -> None:
    assert RULES is not None
    no = check_card(RULES, grade=4, sex="女", attendance="exempt", reason=" ", raw=GOOD, confirm=[])
    assert not no.ok and "原因" in no.errors["reason"]
    yes = check_card(RULES, grade=4, sex="女", attendance="absent", reason="病假", raw=GOOD, confirm=[])
    assert yes.ok and yes.values == {} and yes.reason == "病假"
    bad = check_card(RULES, grade=4, sex="女", attendance="gone", reason="", raw={}, confirm=[])
    assert not bad.ok


def test_missing_value_is_named() -> None:
    assert RULES is not None
    raw = {k: v for k, v in GOOD.items() if k != "rope"}
    out = check_card(RULES, grade=4, sex="男", attendance="present", reason="", raw=raw, confirm=[])
    assert list(out.errors) == ["rope"] and "1分钟跳绳" in out.errors["rope"]


def test_template_refuses_ranges_for_an_untested_grade() -> None:
    data = yaml.safe_load((SHIPPED_TEMPLATES_DIR / "national-2024.yaml").read_text(encoding="utf-8"))
    data["fieldtest"]["items"][0]["ranges"][6] = {"男": {"low": 1, "high": 2}}
    with pytest.raises(ValidationError, match="本轮不测 6 年级"):
        CycleTemplate.model_validate(data)
    data["fieldtest"]["items"][0]["ranges"].pop(6)
    data["fieldtest"]["items"][1]["ranges"][4]["男"] = {"low": 90, "high": 10}
    with pytest.raises(ValidationError, match="下限"):
        CycleTemplate.model_validate(data)


def test_other_templates_have_no_field_test() -> None:
    for name in ("national-2022", "national-2023", "chongqing-2020"):
        assert load_template(SHIPPED_TEMPLATES_DIR / f"{name}.yaml").fieldtest is None
