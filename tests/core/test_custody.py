"""The custody rules of jiance_core: expected boxes and bags from a room plan, codes, the clock."""

from __future__ import annotations

import datetime as dt

import pytest

from jiance_core.custody import (
    Room,
    box_of,
    count_problems,
    earliest_issue,
    expected_boxes,
    is_far,
    parse_code,
    return_due,
)
from jiance_core.cycles import load_template
from jiance_core.cycles.custody import CustodyRules
from jiance_core.cycles.loader import SHIPPED_TEMPLATES_DIR

D1, D2 = dt.date(2022, 5, 25), dt.date(2022, 5, 26)


def rules(name: str) -> CustodyRules:
    t = load_template(SHIPPED_TEMPLATES_DIR / f"{name}.yaml")
    assert t.custody is not None
    return t.custody


def test_national_2022_one_pair_of_boxes_per_room_with_the_day_s_bags() -> None:
    r = rules("national-2022")
    plan = [Room("primary", 1, "paper"), Room("primary", 2, "paper")]
    boxes = expected_boxes(r, school="3601210001", rooms=plan, test_days=[D1, D2])
    assert [b.code for b in boxes] == ["3601210001-P1-D1", "3601210001-P2-D1", "3601210001-P1-D2", "3601210001-P2-D2"]
    day1 = [b.name for b in boxes[0].bags]
    # seed 001, primary box of 5月25日: 语文卷、填答卡、草稿纸, 问卷（一）至（四）, 记录袋, 条形码袋
    assert day1.count("学生相关因素问卷卷袋") == 4 and len(day1) == 9
    assert [b.name for b in boxes[2].bags] == [
        "学生艺术测试卷袋", "学生艺术测试填答卡袋（空）", "学生英语测试卷袋", "学生英语测试填答卡袋（空）", "条形码袋"]
    junior = expected_boxes(r, school="3601210002", rooms=[Room("junior", 1, "paper")], test_days=[D1, D2])
    assert len(junior[0].bags) == 5  # secondary box of 5月25日: no paper questionnaires


def test_chongqing_pack_holds_3n_2n_1_2n_bags_and_fewer_for_computer_rooms() -> None:
    r = rules("chongqing-2020")
    day = [dt.date(2020, 10, 29)]
    for n in (1, 2, 3):
        plan = [Room("junior", i, "paper") for i in range(1, n + 1)]
        (pack,) = expected_boxes(r, school="500101001", rooms=plan, test_days=day)
        envelope = 1
        assert pack.bag_count == 3 * n + 2 * n + 1 + 2 * n + envelope
    (computer,) = expected_boxes(r, school="500101001", rooms=[Room("junior", 1, "computer"),
                                                              Room("junior", 2, "computer")], test_days=day)
    assert computer.bag_count == 2 * 2 + 2 + 1 + 1  # 2M + M+1 and the envelope
    assert {b.kind for b in computer.bags} == {"CG", "MK", "EK", "TL", "TM"}


def test_a_school_without_a_room_plan_expects_nothing_yet() -> None:
    assert expected_boxes(rules("national-2022"), school="1", rooms=[], test_days=[D1]) == []


def test_codes_round_trip() -> None:
    assert box_of("3601210001-P2-D1-SQ3") == "3601210001-P2-D1"
    assert box_of(" 3601210001-p2-d1 ") == "3601210001-P2-D1"
    assert parse_code("3601210001-P2-D1-SQ3").bag_kind == "SQ"  # type: ignore[union-attr]
    assert parse_code("hello") is None and box_of("3601210001-X1-D1") == ""


def test_same_day_issue_and_return_and_the_far_school_exception() -> None:
    r = rules("national-2022")
    assert earliest_issue(D2, approved=False, rules=r) == D2
    assert earliest_issue(D2, approved=True, rules=r) == D1
    assert return_due(D1, approved=False, test_days=[D1, D2], rules=r) == dt.datetime(2022, 5, 25, 18, 0)
    assert return_due(D1, approved=True, test_days=[D1, D2], rules=r) == dt.datetime(2022, 5, 26, 18, 0)
    assert not is_far(120, r) and is_far(121, r)  # "车程超过 2 小时": strictly more


def test_count_problems_name_the_bag_kinds() -> None:
    assert count_problems({"TB": 1, "TM": 1}, {"TB": 1, "TM": 1}, {}) == []
    assert count_problems({"TB": 1}, {"TB": 0}, {"TB": "题本袋"}) == ["题本袋：应有 1 袋，清点 0 袋"]


def test_duplicate_bag_codes_are_refused() -> None:
    with pytest.raises(ValueError, match="卷袋代码重复"):
        CustodyRules.model_validate({"bags": [{"code": "TB", "name": "a"}, {"code": "TB", "name": "b"}]})
