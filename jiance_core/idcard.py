"""Citizen identity numbers (公民身份号码), GB 11643-1999.

An 18-character number: 6-digit region code (地址码), 8-digit birth date YYYYMMDD (出生日期码),
3-digit sequence (顺序码, odd for men, even for women) and a check character (校验码) computed
with ISO 7064 MOD 11-2 over the first 17 digits (values 0-9 or X for 10).

Everything here is pure and deterministic; "today" is always passed in.

Public API::

    check_digit(first17) -> str                      # "0".."9" or "X"
    validate(number, today) -> IdCheck               # .ok, .number (normalised), .reason (Chinese)
    birth_date(number) -> date                       # ValueError if the date part is invalid
    sex(number) -> "男" | "女"
    mask(number) -> "**************1234"
    make_id(region6, birth, seq3) -> str
    make_ids(region6, birth, seq3) -> numpy array     # vectorised make_id for synthetic data
    plausible_birth_for_grade(birth, grade, test_date) -> str | None
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "IdCheck",
    "birth_date",
    "check_digit",
    "check_indices",
    "first17_numbers",
    "make_id",
    "make_ids",
    "mask",
    "plausible_birth_for_grade",
    "school_year_start",
    "sex",
    "validate",
]

#: ISO 7064 MOD 11-2 weights for positions 1..17 (2^(18-i) mod 11).
WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
#: check character indexed by (weighted sum mod 11).
CHECK_CHARS = "10X98765432"

_FIRST17 = re.compile(r"[0-9]{17}")
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True, slots=True)
class IdCheck:
    """Result of :func:`validate`.

    ``number`` is the normalised number (stripped, lowercase x upper-cased) — always set so
    that an error message can show what was checked; ``reason`` is ``None`` when valid.
    """

    number: str
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    if not _FIRST17.fullmatch(first17):
        raise ValueError("前17位必须是数字")
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def _normalise(number: str) -> str:
    return number.strip().upper()


def _parse_birth(number: str) -> date | None:
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    if born < _EARLIEST_BIRTH:
        return None
    return born


def validate(number: str, today: date) -> IdCheck:
    """Check a citizen ID number; the reason, when invalid, is a short Chinese sentence.

    Checks in order: length, characters, check digit, birth date valid, birth date not after
    ``today``.
    """
    norm = _normalise(number)
    if len(norm) != 18:
        return IdCheck(norm, "长度不是18位")
    if not _SHAPE.fullmatch(norm):
        return IdCheck(norm, "含非法字符")
    expected = check_digit(norm[:17])
    if norm[17] != expected:
        return IdCheck(norm, f"校验位错误（应为 {expected}）")
    born = _parse_birth(norm)
    if born is None:
        return IdCheck(norm, "出生日期无效")
    if born > today:
        return IdCheck(norm, "出生日期晚于今天")
    return IdCheck(norm)


def birth_date(number: str) -> date:
    """The birth date encoded in positions 7-14; ``ValueError`` if it is not a real date."""
    norm = _normalise(number)
    if len(norm) != 18 or not norm[6:14].isdigit():
        raise ValueError("身份证号码格式错误")
    born = _parse_birth(norm)
    if born is None:
        raise ValueError("出生日期无效")
    return born


def sex(number: str) -> Literal["男", "女"]:
    """Sex from the 17th digit: odd is male."""
    norm = _normalise(number)
    if len(norm) != 18 or not norm[16].isdigit():
        raise ValueError("身份证号码格式错误")
    return "男" if int(norm[16]) % 2 == 1 else "女"


def mask(number: str) -> str:
    """Hide all but the last four characters: ``**************1234``."""
    norm = _normalise(number)
    if len(norm) <= 4:
        return "*" * len(norm)
    return "*" * (len(norm) - 4) + norm[-4:]


def make_id(region6: str, birth: date, seq3: int) -> str:
    """Build a valid 18-character number. ``seq3`` 0-999; odd for a man, even for a woman."""
    if len(region6) != 6 or not region6.isdigit():
        raise ValueError("地区码必须是6位数字")
    if not 0 <= seq3 <= 999:
        raise ValueError("顺序码必须在0到999之间")
    first17 = f"{region6}{birth:%Y%m%d}{seq3:03d}"
    return first17 + check_digit(first17)


def check_indices(first17: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Vectorised check computation: ``first17`` as 17-digit integers (int64); returns indexes
    into :data:`CHECK_CHARS` (``CHECK_CHARS[i]`` is the check character)."""
    num = np.asarray(first17, dtype=np.int64)
    digits = (num[:, None] // (10 ** np.arange(16, -1, -1, dtype=np.int64))) % 10
    total = digits @ np.asarray(WEIGHTS, dtype=np.int64)
    return np.asarray(total % 11, dtype=np.int64)


def first17_numbers(
    region6: npt.ArrayLike, birth: npt.ArrayLike, seq3: npt.ArrayLike
) -> npt.NDArray[np.int64]:
    """The first 17 digits as int64: ``region6`` (ints or 6-digit strings), ``birth``
    (``datetime64[D]``-convertible), ``seq3`` (0-999)."""
    region_arr = np.asarray(region6)
    if region_arr.dtype.kind in "US":
        if region_arr.size and not np.all(np.strings.str_len(region_arr) == 6):
            raise ValueError("地区码必须是6位数字")
        if region_arr.size and not np.all(np.strings.isdigit(region_arr)):
            raise ValueError("地区码必须是6位数字")
        region = region_arr.astype(np.int64)
    else:
        region = region_arr.astype(np.int64)
    if np.any((region < 0) | (region > 999_999)):
        raise ValueError("地区码必须是6位数字")
    days = np.asarray(birth, dtype="datetime64[D]")
    seq = np.asarray(seq3, dtype=np.int64)
    if not region.shape == days.shape == seq.shape:
        raise ValueError("参数长度不一致")
    if np.any((seq < 0) | (seq > 999)):
        raise ValueError("顺序码必须在0到999之间")
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    months = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    ymd = years * 10000 + months * 100 + dom
    return np.asarray(region * 10**11 + ymd * 1000 + seq, dtype=np.int64)


def make_ids(
    region6: npt.ArrayLike, birth: npt.ArrayLike, seq3: npt.ArrayLike
) -> npt.NDArray[np.str_]:
    """Vectorised :func:`make_id`: returns a numpy unicode array of 18-character numbers."""
    num = first17_numbers(region6, birth, seq3)
    if num.size == 0:
        return np.empty(0, dtype="U18")
    check = np.asarray(list(CHECK_CHARS))[check_indices(num)]
    return np.strings.add(np.strings.zfill(num.astype(str), 17), check)


def school_year_start(test_date: date) -> date:
    """1 September of the school year that contains ``test_date``."""
    year = test_date.year if test_date.month >= 9 else test_date.year - 1
    return date(year, 9, 1)


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def plausible_birth_for_grade(birth: date, grade: int, test_date: date) -> str | None:
    """``None`` if a pupil born on ``birth`` plausibly sits in ``grade`` on ``test_date``.

    A grade-g pupil in China is usually g+5 to g+7 full years old on 1 September of the
    school year (entry to grade 1 at six); one year either side is still accepted.
    Otherwise returns a Chinese reason.
    """
    if not 1 <= grade <= 12:
        raise ValueError("年级必须在1到12之间")
    start = school_year_start(test_date)
    age = _age_on(birth, start)
    low, high = grade + 4, grade + 8
    if low <= age <= high:
        return None
    return (
        f"出生日期与年级不符：{grade}年级学生在{start.year}年9月1日通常为"
        f"{grade + 5}至{grade + 7}周岁，此人为{age}周岁"
    )
