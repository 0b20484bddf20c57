from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiance_core.idcard import (
    birth_date,
    check_digit,
    make_id,
    make_ids,
    mask,
    plausible_birth_for_grade,
    sex,
    validate,
)

TODAY = date(2026, 5, 20)


@pytest.mark.parametrize(
    "number",
    ["11010519491231002X", "110105194910010015", "360102201602290051"],
)
def test_valid_numbers(number: str) -> None:
    result = validate(number, TODAY)
    assert result.ok, result.reason
    assert result.reason is None
    assert result.number == number


def test_check_digit_known() -> None:
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44052418800101001") == "4"
    assert validate("440524188001010014", TODAY).reason == "出生日期无效"  # before 1900


def test_lowercase_x_accepted_and_normalised() -> None:
    result = validate(" 11010519491231002x ", TODAY)
    assert result.ok
    assert result.number == "11010519491231002X"


def test_wrong_check_digit_names_expected() -> None:
    result = validate("110105194912310021", TODAY)
    assert not result.ok
    assert result.reason == "校验位错误（应为 X）"


def test_length() -> None:
    assert validate("1101051949123100", TODAY).reason == "长度不是18位"
    assert validate("", TODAY).reason == "长度不是18位"


def test_illegal_characters() -> None:
    assert validate("11010519491231002Y", TODAY).reason == "含非法字符"
    assert validate("1101051949123X002X", TODAY).reason == "含非法字符"


def test_bad_date_0230() -> None:
    first17 = "36010220160230001"
    number = first17 + check_digit(first17)
    assert validate(number, TODAY).reason == "出生日期无效"
    with pytest.raises(ValueError):
        birth_date(number)


def test_birth_after_today() -> None:
    number = make_id("360102", date(2026, 5, 21), 1)
    assert validate(number, TODAY).reason == "出生日期晚于今天"
    assert validate(number, date(2026, 5, 21)).ok


def test_birth_sex_mask() -> None:
    assert birth_date("11010519491231002X") == date(1949, 12, 31)
    assert sex("11010519491231002X") == "女"
    assert sex("110105194910010015") == "男"
    assert mask("11010519491231002X") == "**************002X"
    assert mask("110105194910010015") == "*" * 14 + "0015"


def test_make_id_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        make_id("36010", date(2016, 1, 1), 1)
    with pytest.raises(ValueError):
        make_id("360102", date(2016, 1, 1), 1000)


# no deadline: the test machine may be shared with other busy test runs
RELAXED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RELAXED
@given(
    region=st.integers(min_value=100_000, max_value=899_999).map(str),
    birth=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    seq=st.integers(min_value=0, max_value=999),
)
def test_round_trip(region: str, birth: date, seq: int) -> None:
    number = make_id(region, birth, seq)
    result = validate(number, TODAY)
    assert result.ok, result.reason
    assert birth_date(number) == birth
    assert sex(number) == ("男" if seq % 2 else "女")
    assert number[:6] == region
    # any single-character change of the check digit is caught
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert not validate(wrong, TODAY).ok


@RELAXED
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=999_999).map(lambda r: f"{r:06d}"),
            st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
            st.integers(min_value=0, max_value=999),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_make_ids_matches_make_id(rows: list[tuple[str, date, int]]) -> None:
    regions = [r for r, _, _ in rows]
    births = np.array([b.isoformat() for _, b, _ in rows], dtype="datetime64[D]")
    seqs = [s for _, _, s in rows]
    assert list(make_ids(regions, births, seqs)) == [make_id(r, b, s) for r, b, s in rows]


def test_plausible_birth_for_grade() -> None:
    # school year 2025-26: grade 4 on time means aged 9 on 2025-09-01
    assert plausible_birth_for_grade(date(2016, 3, 1), 4, TODAY) is None
    assert plausible_birth_for_grade(date(2016, 9, 1), 4, TODAY) is None  # aged 8: tolerated
    assert plausible_birth_for_grade(date(2012, 9, 2), 4, TODAY) is None  # aged 12: tolerated
    reason = plausible_birth_for_grade(date(2010, 1, 1), 4, TODAY)
    assert reason is not None and "4年级" in reason and "15周岁" in reason
    assert plausible_birth_for_grade(date(2018, 1, 1), 4, TODAY) is not None
    # grade 8 in autumn 2026 (school year 2026-27)
    assert plausible_birth_for_grade(date(2013, 5, 1), 8, date(2026, 10, 15)) is None
    assert plausible_birth_for_grade(date(2016, 5, 1), 8, date(2026, 10, 15)) is not None
