"""Shift the dates and years written inside free text when a cycle is copied to a later year.

``shift_cycle`` moves every date *field* by the same offset; the task texts, notes and names still
say "召开2020年……" or "近郊区县10月28日发放监测工具" ([003] 重庆市 2020 年实施细则). This module
rewrites what it can read without doubt and flags the rest for a person to check:

* full dates ``2020年10月28日``, ``2020-10-28`` / ``2020/10/28`` / ``2020.10.28`` move by ``days``;
* month-days ``10月28日`` (``10 月 28 日``, ``28号``) move by ``days`` in the reference year,
  rolling over into the next month (``10月28日`` + 7 → ``11月4日``);
* ranges ``10月28日—11月5日``, ``5月25—26日``, ``2020年10月28日至11月5日`` move both ends; an end
  that lands in another month (or year) gets its month (year) written out;
* years ``2020年`` / ``2020 年`` / ``2020-2021学年`` move by ``year_delta`` when they are the
  cycle's year or the next one (an autumn cycle's school year);
* full-width digits (``１０月２８日``) are read and written back full-width.

Flagged (left unchanged, with a reason in Chinese): a year or full date before the reference year
(a cited document of 2019, "沿用 2022、2023 年的规定" stay as written), a bare four-digit number equal to a cycle year (``编号2020``),
a day without its month (``26日上午``), a month without its day when the shift is not a whole
number of years, a weekday when the shift is not a whole number of weeks, an impossible date
(``2月30日``). Other numbers ("30 人", "12 所") are neither touched nor flagged.

Pure functions, no Django: ``shift_text`` for one text, ``shift_texts`` for a template's data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

__all__ = ["TEXT_FIELDS", "TextFlag", "shift_text", "shift_texts"]

_FULL = "０１２３４５６７８９"
_TO_ASCII = str.maketrans(_FULL, "0123456789")
_TO_FULL = str.maketrans("0123456789", _FULL)

_SEP = r"\s*(?:—{1,2}|–|－|-|~|～|至|到)\s*"
_Y = r"(?P<{n}>\d{{4}})\s*年\s*"
_M = r"(?P<{n}>\d{{1,2}})\s*月\s*"

_PATTERN = re.compile(
    "|".join(
        [
            # A: 2020年10月28日, optionally a range end: —11月5日 / —2021年1月2日 / —30日
            r"(?P<A>(?<!\d)" + _Y.format(n="ay") + _M.format(n="am") + r"(?P<ad>\d{1,2})\s*[日号]"
            r"(?:(?P<asep>" + _SEP + r")(?:" + _Y.format(n="ay2") + r")?(?:" + _M.format(n="am2")
            + r")?(?P<ad2>\d{1,2})\s*[日号])?)",
            # B: 2020-10-28, 2020/10/28, 2020.10.28
            r"(?P<B>(?<![\d.\-/])(?P<by>\d{4})(?P<bs>[-/.])(?P<bm>\d{1,2})(?P=bs)(?P<bd>\d{1,2})(?![\d]))",
            # E: 2021-2022学年, 2021—2022年
            r"(?P<E>(?<!\d)(?P<ey>\d{4})\s*年?" + _SEP + r"(?P<ey2>\d{4})\s*(?:学年|年))",
            # C: 10月28日, 5月25—26日, 10月28日—11月5日
            r"(?P<C>(?<!\d)" + _M.format(n="cm") + r"(?P<cd>\d{1,2})(?:(?P<csuf>\s*[日号])"
            r"(?:(?P<csep>" + _SEP + r")(?:" + _M.format(n="cm2") + r")?(?P<cd2>\d{1,2})\s*[日号])?"
            r"|(?P<csep2>" + _SEP + r")(?:" + _M.format(n="cm3") + r")?(?P<cd3>\d{1,2})\s*[日号]))",
            # D: 2020年 (a year with its character)
            r"(?P<D>(?<!\d)(?P<dy>\d{4})\s*年)",
            # F: a bare four-digit number (maybe a year)
            r"(?P<F>(?<![\d.\-/])(?P<fy>\d{4})(?!\d))",
            # G: a month without its day: 10月, 10月份, 10月中旬
            r"(?P<G>(?<!\d)(?P<gm>\d{1,2})\s*月)",
            # H: a day without its month: 26日
            r"(?P<H>(?<![\d月第])(?P<hd>\d{1,2})\s*日)",
            # I: a weekday
            r"(?P<I>(?:星期|周)[一二三四五六日天])",
        ]
    )
)

TEXT_FIELDS = frozenset(
    {"name", "task", "note", "notes", "office", "requirement", "duty", "shortfall_rule",
     "coordinator", "system"}
)
"""Free-text fields of a template whose dates are shifted (codes, levels, kinds, sources are not)."""


@dataclass(frozen=True)
class TextFlag:
    """A piece of text that may need a person's eye after a copy: where, what, why."""

    path: str
    excerpt: str
    reason: str
    text: str = ""
    """the whole text after shifting, for context."""


@dataclass
class _Ctx:
    days: int
    year_delta: int
    ref_year: int
    flags: list[tuple[str, str]]

    def near(self, year: int) -> bool:
        """A year this cycle's texts mean as "this cycle": its own, or the next (an autumn
        cycle's school year runs into it). An earlier year is most likely a citation."""
        return year in (self.ref_year, self.ref_year + 1)

    @property
    def whole_years(self) -> bool:
        return self.days == 364 * self.year_delta or self.days == 0

    def flag(self, excerpt: str, reason: str) -> None:
        self.flags.append((excerpt, reason))


def _int(m: re.Match[str], name: str) -> int | None:
    v = m.group(name)
    return int(v) if v is not None else None


def _moved(ctx: _Ctx, y: int, mo: int, d: int) -> date | None:
    try:
        return date(y, mo, d) + timedelta(days=ctx.days)
    except ValueError:
        return None


def _num(new: int, old: str, *, pad: bool = False) -> str:
    """``new`` written like ``old``: two digits when ``old`` has a leading zero (or ``pad``: an
    ISO date written with two digits)."""
    two = len(old) == 2 and (pad or old.startswith("0"))
    return str(new).zfill(2) if two else str(new)


def _spaced(match_text: str) -> bool:
    return bool(re.search(r"\d\s+[年月日]", match_text))


def _rewrite(m: re.Match[str], edits: list[tuple[str, str]], insert: dict[str, str]) -> str:
    """The matched text with some groups replaced (``edits``: group -> new text) and text inserted
    before some groups (``insert``)."""
    start = m.start()
    text = m.group(0)
    pieces: list[tuple[int, int, str]] = []
    for name, new in edits:
        a, b = m.span(name)
        pieces.append((a - start, b - start, insert.get(name, "") + new))
    out, pos = "", 0
    for a, b, new in sorted(pieces):
        out += text[pos:a] + new
        pos = b
    return out + text[pos:]


def _full_date(ctx: _Ctx, m: re.Match[str]) -> str | None:
    text = m.group(0)
    y, mo, d = _int(m, "ay"), _int(m, "am"), _int(m, "ad")
    assert y is not None and mo is not None and d is not None
    if not ctx.near(y):
        ctx.flag(text, f"{y} 年不是本周期年份，可能是引用往年的日期，未改动")
        return None
    new = _moved(ctx, y, mo, d)
    if new is None:
        ctx.flag(text, "日期不存在，未改动")
        return None
    edits = [("ay", str(new.year)), ("am", _num(new.month, m.group("am"))), ("ad", _num(new.day, m.group("ad")))]
    insert: dict[str, str] = {}
    if m.group("ad2") is not None:
        y2, mo2 = _int(m, "ay2") or y, _int(m, "am2") or mo
        end = _moved(ctx, y2, mo2, int(m.group("ad2")))
        if end is None:
            ctx.flag(text, "日期范围的结束日期不存在，未改动")
            return None
        sp = " " if _spaced(text) else ""
        if m.group("ay2") is not None:
            edits.append(("ay2", str(end.year)))
        elif end.year != new.year:
            insert["am2" if m.group("am2") else "ad2"] = f"{end.year}{sp}年{sp}"
        if m.group("am2") is not None:
            edits.append(("am2", str(end.month)))
        elif end.month != new.month or end.year != new.year:
            insert["ad2"] = insert.get("ad2", "") + f"{end.month}{sp}月{sp}"
        edits.append(("ad2", str(end.day)))
    return _rewrite(m, edits, insert)


def _iso(ctx: _Ctx, m: re.Match[str]) -> str | None:
    y, mo, d = int(m.group("by")), int(m.group("bm")), int(m.group("bd"))
    if not ctx.near(y):
        ctx.flag(m.group(0), f"{y} 年不是本周期年份，可能是引用往年的日期，未改动")
        return None
    new = _moved(ctx, y, mo, d)
    if new is None:
        ctx.flag(m.group(0), "日期不存在，未改动")
        return None
    return _rewrite(m, [("by", str(new.year)), ("bm", _num(new.month, m.group("bm"), pad=True)),
                        ("bd", _num(new.day, m.group("bd"), pad=True))], {})


def _month_day(ctx: _Ctx, m: re.Match[str]) -> str | None:
    text = m.group(0)
    mo, d = int(m.group("cm")), int(m.group("cd"))
    new = _moved(ctx, ctx.ref_year, mo, d)
    if new is None:
        ctx.flag(text, "日期不存在，未改动")
        return None
    edits = [("cm", _num(new.month, m.group("cm"))), ("cd", _num(new.day, m.group("cd")))]
    insert: dict[str, str] = {}
    end_day, end_month = ("cd2", "cm2") if m.group("cd2") is not None else ("cd3", "cm3")
    if m.group(end_day) is not None:
        mo2 = _int(m, end_month) or mo
        start_date = date(ctx.ref_year, mo, d)
        year2 = ctx.ref_year + (1 if mo2 < mo else 0)  # 12月28日—1月5日 runs into the next year
        try:
            end = date(year2, mo2, int(m.group(end_day))) + timedelta(days=ctx.days)
        except ValueError:
            ctx.flag(text, "日期范围的结束日期不存在，未改动")
            return None
        if end < start_date + timedelta(days=ctx.days):
            ctx.flag(text, "日期范围的结束早于开始，未改动")
            return None
        if m.group(end_month) is not None:
            edits.append((end_month, str(end.month)))
        elif end.month != new.month:
            sp = " " if _spaced(text) else ""
            insert[end_day] = f"{end.month}{sp}月{sp}"
        edits.append((end_day, str(end.day)))
    return _rewrite(m, edits, insert)


def _year(ctx: _Ctx, m: re.Match[str], group: str) -> str | None:
    y = int(m.group(group))
    if not ctx.near(y):
        ctx.flag(m.group(0), f"{y} 年不是本周期年份，可能是引用往年，未改动")
        return None
    return _rewrite(m, [(group, str(y + ctx.year_delta))], {})


def _year_range(ctx: _Ctx, m: re.Match[str]) -> str | None:
    y, y2 = int(m.group("ey")), int(m.group("ey2"))
    if not (ctx.near(y) or ctx.near(y2)):
        ctx.flag(m.group(0), "年份不是本周期年份，可能是引用往年，未改动")
        return None
    return _rewrite(m, [("ey", str(y + ctx.year_delta)), ("ey2", str(y2 + ctx.year_delta))], {})


def _one(ctx: _Ctx, m: re.Match[str]) -> str | None:
    """The replacement of one match, or None to keep it (perhaps flagged)."""
    kind = m.lastgroup
    if kind == "A":
        return _full_date(ctx, m)
    if kind == "B":
        return _iso(ctx, m)
    if kind == "E":
        return _year_range(ctx, m)
    if kind == "C":
        return _month_day(ctx, m)
    if kind == "D":
        return _year(ctx, m, "dy")
    if kind == "F":
        y = int(m.group("fy"))
        if abs(y - ctx.ref_year) <= 1 and ctx.year_delta:
            ctx.flag(m.group(0), f"数字 {y} 没有“年”字，可能是年份，未改动")
        return None
    if kind == "G":
        if 1 <= int(m.group("gm")) <= 12 and not ctx.whole_years:
            ctx.flag(m.group(0), "只写了月份，日期顺延后月份可能不同，未改动")
        return None
    if kind == "H":
        if 1 <= int(m.group("hd")) <= 31 and ctx.days:
            ctx.flag(m.group(0), "只写了日、没写月份，未改动")
        return None
    if kind == "I":
        if ctx.days % 7:
            ctx.flag(m.group(0), f"顺延 {ctx.days} 天不是整周，星期几会变化，未改动")
        return None
    return None  # pragma: no cover - every alternative is named


def shift_text(text: str, *, days: int, year_delta: int, ref_year: int) -> tuple[str, list[tuple[str, str]]]:
    """``text`` with its dates moved by ``days`` and its years by ``year_delta``; month-days are
    read in ``ref_year`` (the source cycle's year). Returns the new text and the flags as
    (excerpt, reason) pairs, in text order."""
    ctx = _Ctx(days=days, year_delta=year_delta, ref_year=ref_year, flags=[])
    norm = text.translate(_TO_ASCII)  # same length: one character for one character
    out, pos = "", 0
    for m in _PATTERN.finditer(norm):
        original = text[m.start():m.end()]
        new = _one(ctx, m)
        if new is None or new == m.group(0):
            continue
        if any(ch in _FULL for ch in original):
            new = new.translate(_TO_FULL)
        out += text[pos:m.start()] + new
        pos = m.end()
    flags = [(_excerpt_original(text, norm, e), r) for e, r in ctx.flags]
    return out + text[pos:], flags


def _excerpt_original(text: str, norm: str, excerpt: str) -> str:
    i = norm.find(excerpt)
    return text[i:i + len(excerpt)] if i >= 0 else excerpt


def shift_texts(
    data: Any, *, days: int, year_delta: int, ref_year: int, path: str = ""
) -> tuple[Any, list[TextFlag]]:
    """Template data (a dict as dumped by pydantic) with every free-text field (``TEXT_FIELDS``)
    shifted by :func:`shift_text`; flags carry the field's path (``milestones.county[3].task``)."""
    flags: list[TextFlag] = []

    def text(value: str, where: str) -> str:
        new, found = shift_text(value, days=days, year_delta=year_delta, ref_year=ref_year)
        flags.extend(TextFlag(where, e, r, new) for e, r in found)
        return new

    def walk(obj: Any, where: str, is_text: bool) -> Any:
        if isinstance(obj, dict):
            return {
                k: walk(v, f"{where}.{k}" if where else str(k), str(k) in TEXT_FIELDS)
                for k, v in obj.items()
            }
        if isinstance(obj, list):
            return [walk(v, f"{where}[{i}]", is_text) for i, v in enumerate(obj)]
        if isinstance(obj, str) and is_text:
            return text(obj, where)
        return obj

    return walk(data, path, False), flags
