"""The guarded XLSX reader used by every spreadsheet import, on the web and offline.

A workbook is an untrusted ZIP of XML parts. Before anything is parsed the archive is checked
(a ZIP at all, entry count, per-entry and total unpacked size, compression ratio); every XML part
is parsed by expat in 64 KB chunks and refused at the first DTD or entity declaration; rows come
out one at a time with caps on rows, columns, cell text and total text. Nothing is ever allocated
for the sheet's declared dimension or for the gap between two far-apart cells, so a sheet with
only ``A1`` and ``XFD1048576`` costs two cells. Formulas are returned as their text (``=...``),
never evaluated. Whole numbers keep every digit (``<v>`` is parsed as an int, not a float);
numbers Excel already rounded to 15 significant digits come back as :class:`LostDigits`.

Every refusal is a :class:`SheetError` with one Chinese sentence, naming the row and column when
there is one. The caps are plain arguments (:class:`Limits`): the web side builds them from the
``JIANCE_SHEET_*`` settings, per import kind.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import IO, Any
from xml.parsers import expat

__all__ = [
    "Limits",
    "LostDigits",
    "SheetError",
    "SheetReader",
    "cell_text",
    "column_letter",
    "open_workbook",
    "read_table",
]

_MB = 1024 * 1024
_CHUNK = 64 * 1024
# what zipfile and zlib raise on a truncated, corrupt, encrypted or unsupported archive
_BROKEN = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, ValueError, KeyError,
           RuntimeError, NotImplementedError)


@dataclass(frozen=True)
class Limits:
    """Caps for one kind of import. ``rows`` counts the sheet's row numbers (header = row 1)."""

    rows: int = 100_001
    columns: int = 100
    cell_chars: int = 2_000
    text_chars: int = 50_000_000  # every cell's text together (shared strings counted per use)
    entries: int = 500
    entry_bytes: int = 256 * _MB
    total_bytes: int = 320 * _MB
    ratio: int = 200  # unpacked / packed, for entries over 1 MB unpacked

    def with_(self, **changes: int) -> Limits:
        return replace(self, **changes)


class SheetError(ValueError):
    """The file cannot be read safely; the message is one Chinese sentence for the user."""

    def __init__(self, message: str, *, row: int = 0, column: str = "") -> None:
        super().__init__(message)
        self.row = row
        self.column = column


class LostDigits(str):
    """The digits of a whole number Excel stored as a float (≥ 10^15): the last digits are lost."""


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_text(value: Any) -> str:
    """A cell as trimmed text, the one rule of every import: whole floats lose '.0', dates are
    ISO, and a float-mangled ID number stays a :class:`LostDigits` (callers may test for it)."""
    if value is None:
        return ""
    if isinstance(value, LostDigits):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            if abs(value) >= 1e15:
                return LostDigits(str(int(value)))
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


# --- the archive ----------------------------------------------------------------------------------
def _check_archive(data: bytes, limits: Limits) -> zipfile.ZipFile:
    if not data or not data.strip():
        raise SheetError("文件为空")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SheetError("无法读取文件：这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后上传")
    if not data.startswith(b"PK"):
        raise SheetError("无法读取文件：它不是 .xlsx 工作簿（可能是改了扩展名的 CSV 或其他文件），请用 Excel 另存为 .xlsx 后上传")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except SheetError:
        raise
    except _BROKEN as exc:
        raise SheetError("无法读取文件：文件已损坏或不完整，请重新保存为 .xlsx 后上传") from exc
    if len(infos) > limits.entries:
        raise SheetError(f"文件结构异常：包含 {len(infos)} 个部件，最多 {limits.entries} 个")
    total = 0
    for info in infos:
        size = info.file_size
        total += size
        if size > limits.entry_bytes or total > limits.total_bytes:
            raise SheetError(
                f"文件解压后过大（超过 {limits.total_bytes // _MB} MB）：请删除多余的工作表、行和格式后上传"
            )
        if size > _MB and size > limits.ratio * max(info.compress_size, 1):
            raise SheetError("文件压缩比异常，疑似“压缩炸弹”，已拒绝：请用模板重新填写后上传")
    return zf


# --- XML ------------------------------------------------------------------------------------------
def _refuse_dtd(*_args: Any) -> None:
    raise SheetError("文件中含有不允许的 XML 文档类型声明（DTD）或实体定义，已拒绝：请用模板重新填写后上传")


def _refuse_external(*_args: Any) -> int:
    _refuse_dtd()
    return 0


def _parser() -> expat.XMLParserType:
    p = expat.ParserCreate()
    p.buffer_text = True
    p.buffer_size = _CHUNK
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.StartDoctypeDeclHandler = _refuse_dtd
    p.EntityDeclHandler = _refuse_dtd
    p.UnparsedEntityDeclHandler = _refuse_dtd
    p.ExternalEntityRefHandler = _refuse_external
    return p


def _local(name: str) -> str:
    return name.rpartition(":")[2] if ":" in name else name


def _feed(zf: zipfile.ZipFile, name: str, parser: expat.XMLParserType) -> Iterator[None]:
    """Parse one part chunk by chunk, yielding after each chunk (so rows can be handed out)."""
    try:
        with zf.open(name) as fh:
            while chunk := fh.read(_CHUNK):
                parser.Parse(chunk, False)
                yield
            parser.Parse(b"", True)
            yield
    except SheetError:
        raise
    except expat.ExpatError as exc:
        raise SheetError(f"无法读取文件：{name} 第 {exc.lineno} 行已损坏，请重新保存为 .xlsx 后上传") from exc
    except _BROKEN as exc:
        raise SheetError("无法读取文件：文件已损坏或不完整，请重新保存为 .xlsx 后上传") from exc


def _parse_all(zf: zipfile.ZipFile, name: str, parser: expat.XMLParserType) -> None:
    for _ in _feed(zf, name, parser):
        pass


class _TooLong:
    """A shared string longer than the cell cap: refused only when a cell uses it."""

    __slots__ = ("length",)

    def __init__(self, length: int) -> None:
        self.length = length


def _shared_strings(zf: zipfile.ZipFile, name: str, limits: Limits) -> list[str | _TooLong]:
    out: list[str | _TooLong] = []
    parts: list[str] = []
    state = {"in_t": False, "skip": 0, "len": 0, "total": 0}
    cap = limits.cell_chars

    def start(tag: str, _attrs: dict[str, str]) -> None:
        tag = _local(tag)
        if tag == "t":
            state["in_t"] = True
        elif tag == "rPh":  # phonetic guide: not part of the text
            state["skip"] += 1
        elif tag == "si":
            parts.clear()
            state["len"] = 0

    def end(tag: str) -> None:
        tag = _local(tag)
        if tag == "t":
            state["in_t"] = False
        elif tag == "rPh":
            state["skip"] -= 1
        elif tag == "si":
            n = state["len"]
            out.append(_TooLong(n) if n > cap else "".join(parts))
            if len(out) > limits.rows * limits.columns:
                raise SheetError("文件中的文字条目过多，已拒绝")

    def text(data: str) -> None:
        if state["in_t"] and not state["skip"]:
            state["len"] += len(data)
            state["total"] += len(data)
            if state["total"] > limits.text_chars:
                raise SheetError(f"文件中的文字总量超过上限（{limits.text_chars:,} 字），已拒绝")
            if state["len"] <= cap:
                parts.append(data)

    p = _parser()
    p.StartElementHandler = start
    p.EndElementHandler = end
    p.CharacterDataHandler = text
    _parse_all(zf, name, p)
    return out


_BUILTIN_DATES = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)})
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _is_date_format(code: str) -> bool:
    bare = _QUOTED.sub("", code).lower()
    return any(ch in bare for ch in "ymdhs") and "general" not in bare


def _date_styles(zf: zipfile.ZipFile, name: str) -> set[int]:
    """Indexes of the cell formats (``s`` attribute) that show a date."""
    custom: dict[int, bool] = {}
    xfs: list[int] = []
    where = {"xfs": False}

    def start(tag: str, attrs: dict[str, str]) -> None:
        tag = _local(tag)
        if tag == "numFmt":
            with contextlib.suppress(ValueError):
                custom[int(attrs.get("numFmtId", "-1"))] = _is_date_format(attrs.get("formatCode", ""))
        elif tag == "cellXfs":
            where["xfs"] = True
        elif tag == "xf" and where["xfs"]:
            try:
                xfs.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                xfs.append(0)

    def end(tag: str) -> None:
        if _local(tag) == "cellXfs":
            where["xfs"] = False

    p = _parser()
    p.StartElementHandler = start
    p.EndElementHandler = end
    _parse_all(zf, name, p)
    return {i for i, f in enumerate(xfs) if custom.get(f, f in _BUILTIN_DATES)}


def _small_xml(zf: zipfile.ZipFile, name: str, wanted: str) -> list[dict[str, str]]:
    """The attributes of every ``wanted`` element of a small part (workbook, relationships)."""
    found: list[dict[str, str]] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        if _local(tag) == wanted:
            found.append({_local(k): v for k, v in attrs.items()})

    p = _parser()
    p.StartElementHandler = start
    _parse_all(zf, name, p)
    return found


def _serial_to_date(serial: float, date1904: bool) -> date | datetime:
    if date1904:
        base = datetime(1904, 1, 1)
    else:
        base = datetime(1899, 12, 31) if serial < 60 else datetime(1899, 12, 30)  # Excel's 1900 leap day
    when = base + timedelta(milliseconds=round(serial * 86_400_000))
    if when.hour == when.minute == when.second == when.microsecond == 0:
        return when.date()
    return when


# --- the prescan ----------------------------------------------------------------------------------
_DECL = re.compile(rb"<!(?!--)")
_DTD = re.compile(rb"<!(?!--|\[CDATA\[)")
_LONG_NUMBER = re.compile(rb"<v>\s*-?\d{16,}\s*</v>")
_PREFIXED = re.compile(rb'xmlns:\w+="[^"]*spreadsheetml')
_OVERLAP = 64


def _upto(n: int) -> str:
    """A regular expression for the decimal numbers 1..n (no leading zeros)."""
    s = str(n)
    alts = [s]
    if len(s) > 1:
        alts.append(f"[1-9][0-9]{{0,{len(s) - 2}}}")
    for i, d in enumerate(s):
        low = 1 if i == 0 else 0
        if int(d) > low:
            alts.append(f"{s[:i]}[{low}-{int(d) - 1}][0-9]{{{len(s) - i - 1}}}")
    return "(?:" + "|".join(alts) + ")"


def _letters_upto(n: int) -> str:
    """A regular expression for the column letters of the first n columns (n <= 702)."""
    last = column_letter(n - 1)
    if len(last) == 1:
        return f"[A-{last}]"
    alts = ["[A-Z]", f"{last[0]}[A-{last[1]}]"]
    if last[0] > "A":
        alts.append(f"[A-{chr(ord(last[0]) - 1)}][A-Z]")
    return "(?:" + "|".join(alts) + ")"


def _chunks(zf: zipfile.ZipFile, name: str) -> Iterator[tuple[bytes, int]]:
    """The part's bytes in 1 MB pieces, each starting with the last bytes of the one before, and
    where a match may start (a match starting later is seen whole in the next piece)."""
    tail = b""
    try:
        with zf.open(name) as fh:
            piece = fh.read(16 * _CHUNK)
            while piece:
                following = fh.read(16 * _CHUNK)
                chunk = tail + piece
                yield chunk, (len(chunk) - _OVERLAP if following else len(chunk))
                tail = chunk[-_OVERLAP:]
                piece = following
    except SheetError:
        raise
    except _BROKEN as exc:
        raise SheetError("无法读取文件：文件已损坏或不完整，请重新保存为 .xlsx 后上传") from exc


def _first(pattern: re.Pattern[bytes], chunk: bytes, limit: int) -> re.Match[bytes] | None:
    m = pattern.search(chunk)
    return m if m and m.start() < limit else None


def _prescan(zf: zipfile.ZipFile, sheet: str, names: set[str], limits: Limits) -> bool:
    """Refuse unsafe XML and out-of-bounds cells; True when calamine may read the sheet."""
    plain = True
    cap_bytes = limits.cell_chars * 4 + 256
    longest = 0
    strings = 0
    for name in sorted(names):
        if not name.endswith((".xml", ".rels", ".vml")):
            continue
        first = True
        for chunk, limit in _chunks(zf, name):
            if first and (b"\x00" in chunk[:4] or chunk.startswith((b"\xff\xfe", b"\xfe\xff"))):
                raise SheetError(f"文件中的 {name} 编码异常（不是 UTF-8），无法读取：请用 Excel 重新保存后上传")
            first = False
            if _first(_DECL, chunk, limit) and _first(_DTD, chunk, limit):
                _refuse_dtd()
            if name == sheet:
                if plain and (
                    b"<![CDATA[" in chunk or b"<f>" in chunk or b"<f " in chunk or b"<f/" in chunk
                    or _first(_LONG_NUMBER, chunk, limit) or _PREFIXED.search(chunk[:4096])
                ):
                    plain = False
                bad = _first(limits_pattern(limits), chunk, limit) if plain else None
                if bad:
                    after = chunk[bad.end():bad.end() + 64]
                    if after.lstrip().startswith(b'r="'):
                        _bad_ref(chunk, bad.end() + after.index(b'r="') + 3, limits)
                    plain = False  # a cell without its reference first: the exact reader decides
                strings += chunk.count(b't="s"', _OVERLAP if len(chunk) > _OVERLAP else 0)
            elif name.lower() == "xl/sharedstrings.xml" and plain:
                spans = chunk.split(b"</si>")
                longest = max(longest, *map(len, spans[:-1] or [b""]))
                if len(spans[-1]) > cap_bytes:
                    longest = max(longest, len(spans[-1]))
    if longest > cap_bytes or strings * longest > limits.text_chars * 4:
        return False
    return plain


_PATTERNS: dict[tuple[int, int], re.Pattern[bytes]] = {}


def limits_pattern(limits: Limits) -> re.Pattern[bytes]:
    """A cell whose reference is not its first attribute, or is outside the caps."""
    key = (limits.rows, limits.columns)
    if key not in _PATTERNS:
        ok = _letters_upto(min(limits.columns, 702)) + _upto(limits.rows)
        _PATTERNS[key] = re.compile(b'<c(?=[\\s>/])(?!\\s+r="' + ok.encode() + b'")')
    return _PATTERNS[key]


def _bad_ref(chunk: bytes, at: int, limits: Limits) -> None:
    ref = chunk[at:at + 24].split(b'"')[0].decode("ascii", "replace")
    m = re.fullmatch(r"([A-Z]{1,3})([0-9]+)", ref)
    if not m or int(m.group(2)) < 1:
        raise SheetError(f"单元格位置无效：“{ref[:20]}”，文件结构异常")
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    row = int(m.group(2))
    if row > limits.rows:
        raise SheetError(
            f"行数超出上限：第 {row} 行超过最多 {limits.rows - 1} 行数据的限制；"
            "请删除多余的行（包括看似空白但有格式的行）后上传",
            row=row,
        )
    raise SheetError(
        f"第 {row} 行 {m.group(1)} 列超出列数上限（最多 {limits.columns} 列）：请删除多余的列后上传",
        row=row, column=m.group(1),
    )


# --- the workbook ---------------------------------------------------------------------------------
class SheetReader:
    """An opened, checked workbook: its sheet names and the rows of one sheet."""

    def __init__(self, data: bytes, limits: Limits) -> None:
        self.limits = limits
        self._data = data
        self._zf = _check_archive(data, limits)
        names = set(self._zf.namelist())
        if "xl/workbook.xml" not in names:
            raise SheetError("文件不是 .xlsx 工作簿（缺少工作簿内容）：请用 Excel 另存为 .xlsx 后上传")
        sheets = _small_xml(self._zf, "xl/workbook.xml", "sheet")
        pr = _small_xml(self._zf, "xl/workbook.xml", "workbookPr")
        self._date1904 = bool(pr) and pr[0].get("date1904", "").lower() in ("1", "true")
        rels: dict[str, str] = {}
        if "xl/_rels/workbook.xml.rels" in names:
            for rel in _small_xml(self._zf, "xl/_rels/workbook.xml.rels", "Relationship"):
                target = rel.get("Target", "")
                target = target.lstrip("/") if target.startswith("/") else "xl/" + target
                rels[rel.get("Id", "")] = target
        self._paths: dict[str, str] = {}
        for s in sheets:
            path = rels.get(s.get("id", ""), "")
            if path in names:
                self._paths[s.get("name", "")] = path
        if not self._paths:
            raise SheetError("文件中没有工作表")
        self._names = names
        self._strings: list[str | _TooLong] | None = None
        self._dates: set[int] | None = None

    @property
    def sheet_names(self) -> list[str]:
        return list(self._paths)

    def _load_shared(self) -> tuple[list[str | _TooLong], set[int]]:
        if self._strings is None:
            name = next((n for n in ("xl/sharedStrings.xml", "xl/SharedStrings.xml") if n in self._names), None)
            self._strings = _shared_strings(self._zf, name, self.limits) if name else []
        if self._dates is None:
            self._dates = _date_styles(self._zf, "xl/styles.xml") if "xl/styles.xml" in self._names else set()
        return self._strings, self._dates

    def rows(self, sheet: str | None = None) -> Iterator[tuple[int, list[Any]]]:
        """(row number, values) of the non-empty rows of ``sheet`` (default: the first), in order.

        ``values`` is as long as the row's last non-empty cell; gaps are None. Raises SheetError at
        the first cap passed, bad reference or unsafe XML.

        Two readers, one result: a prescan (C-speed regular expressions over the streamed parts)
        refuses DTDs and out-of-bounds cell references; a plain sheet (every cell has its
        reference, no formula, no over-long shared string, no long whole number) then goes to
        calamine, whose allocation the prescan has bounded to rows x columns; anything else goes
        through the exact streaming expat reader below."""
        name = sheet if sheet in self._paths else self.sheet_names[0]
        path = self._paths[name]
        try:
            if _prescan(self._zf, path, self._names, self.limits):
                yield from self._calamine_rows(name)
                return
            strings, dates = self._load_shared()
            yield from _SheetParser(self, strings, dates).run(path)
        except SheetError:
            raise
        except _BROKEN as exc:
            raise SheetError("无法读取文件：文件已损坏或不完整，请重新保存为 .xlsx 后上传") from exc

    def _calamine_rows(self, name: str) -> Iterator[tuple[int, list[Any]]]:
        from python_calamine import CalamineWorkbook

        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(self._data))
            table: list[list[Any]] = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:  # the prescan let it through, so the XML is broken in another way
            raise SheetError("无法读取文件：文件内容已损坏，请重新保存为 .xlsx 后上传") from exc
        cap = self.limits.cell_chars
        budget = self.limits.text_chars
        total = 0
        for number, raw in enumerate(table, start=1):
            if set(map(type, raw)) == {str}:  # the common row, checked at C speed
                longest = max(map(len, raw))
                total += sum(map(len, raw))
                if "" not in raw and longest <= cap and total <= budget:
                    yield number, raw
                    continue
            end = len(raw)
            while end and (raw[end - 1] == "" or raw[end - 1] is None):
                end -= 1
            if not end:
                continue
            values: list[Any] = raw[:end]
            if set(map(type, raw)) != {str}:
                total += sum(len(v) for v in values if type(v) is str)
            for i, v in enumerate(values):
                if type(v) is str:
                    if not v:
                        values[i] = None
                        continue
                    if len(v) > cap:
                        col = column_letter(i)
                        raise SheetError(
                            f"第 {number} 行 {col} 列：单元格内容过长（{len(v):,} 字，最多 {cap:,} 字）",
                            row=number, column=col,
                        )
                elif type(v) is float and v.is_integer() and abs(v) >= 1e15:
                    values[i] = LostDigits(str(int(v)))
            if total > budget:
                raise SheetError(f"文件中的文字总量超过上限（{budget:,} 字），已在第 {number} 行停止读取", row=number)
            yield number, values


class _SheetParser:
    def __init__(self, book: SheetReader, strings: list[str | _TooLong], dates: set[int]) -> None:
        self.book = book
        self.limits = book.limits
        self.strings = strings
        self.dates = dates
        self.out: list[tuple[int, list[Any]]] = []
        self.row = 0
        self.values: list[Any] = []
        self.next_col = 0
        self.col = 0
        self.kind = ""
        self.style = 0
        self.text: list[str] = []
        self.formula: list[str] = []
        self.shared_formulas: dict[str, str] = {}
        self.formula_si = ""
        self.field = ""  # "v", "f", "t" (inline) or ""
        self.in_is = False
        self.skip = 0
        self.has_value = False
        self.total = 0
        self.length = 0

    def run(self, path: str) -> Iterator[tuple[int, list[Any]]]:
        p = _parser()
        p.StartElementHandler = self.start
        p.EndElementHandler = self.end
        p.CharacterDataHandler = self.chars
        for _ in _feed(self.book._zf, path, p):
            if self.out:
                yield from self.out
                self.out.clear()

    # the cell reference "AB12" -> column index, checked against the caps
    def _ref(self, ref: str) -> int:
        col = 0
        i = 0
        n = len(ref)
        while i < n and "A" <= ref[i] <= "Z":
            col = col * 26 + ord(ref[i]) - 64
            i += 1
            if i > 3:
                break
        digits = ref[i:]
        if i == 0 or not digits.isdigit() or int(digits) < 1 or i > 3:
            raise SheetError(f"单元格位置无效：“{ref[:20]}”（第 {self.row} 行附近）", row=self.row)
        if int(digits) != self.row:
            raise SheetError(f"单元格位置 {ref} 不在它所在的第 {self.row} 行", row=self.row)
        return col - 1

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if ":" in tag:
            tag = tag.rpartition(":")[2]
        if tag == "c":
            ref = attrs.get("r")
            self.col = self._ref(ref) if ref else self.next_col
            if self.col >= self.limits.columns:
                raise SheetError(
                    f"第 {self.row} 行第 {column_letter(self.col) if self.col < 16384 else self.col + 1} 列超出列数上限"
                    f"（最多 {self.limits.columns} 列）：请删除多余的列后上传",
                    row=self.row, column=column_letter(min(self.col, 16383)),
                )
            self.next_col = self.col + 1
            self.kind = attrs.get("t", "n")
            s = attrs.get("s")
            self.style = int(s) if s and s.isdigit() else 0
            self.text = []
            self.formula = []
            self.length = 0
            self.formula_si = ""
            self.has_value = False
        elif tag == "row":
            r = attrs.get("r")
            if r is None:
                number = self.row + 1
            elif not r.isdigit() or int(r) < 1:
                raise SheetError(f"行号无效：“{r[:20]}”", row=self.row)
            else:
                number = int(r)
            if number <= self.row:
                raise SheetError(f"第 {number} 行重复或次序颠倒，文件结构异常", row=number)
            if number > self.limits.rows:
                raise SheetError(
                    f"行数超出上限：第 {number} 行超过最多 {self.limits.rows - 1} 行数据的限制；"
                    "请删除多余的行（包括看似空白但有格式的行）后上传",
                    row=number,
                )
            self.row = number
            self.values = []
            self.next_col = 0
        elif tag == "v":
            self.field = "v"
            self.has_value = True
        elif tag == "f":
            self.field = "f"
            self.formula_si = attrs.get("si", "") if attrs.get("t") == "shared" else ""
        elif tag == "is":
            self.in_is = True
            self.has_value = True
        elif tag == "t" and self.in_is:
            self.field = "t"
        elif tag == "rPh":
            self.skip += 1

    def chars(self, data: str) -> None:
        if not self.field or self.skip:
            return
        (self.formula if self.field == "f" else self.text).append(data)
        self.length += len(data)
        if self.length > self.limits.cell_chars:
            self._too_long(self.length)

    def _too_long(self, n: int) -> None:
        col = column_letter(self.col)
        raise SheetError(
            f"第 {self.row} 行 {col} 列：单元格内容过长（{n:,} 字以上，最多 {self.limits.cell_chars:,} 字）",
            row=self.row, column=col,
        )

    def end(self, tag: str) -> None:
        if ":" in tag:
            tag = tag.rpartition(":")[2]
        if tag == "c":
            value = self._value()
            if value is not None and value != "":
                if isinstance(value, str):
                    self.total += len(value)
                    if self.total > self.limits.text_chars:
                        raise SheetError(
                            f"文件中的文字总量超过上限（{self.limits.text_chars:,} 字），已在第 {self.row} 行停止读取",
                            row=self.row,
                        )
                gap = self.col - len(self.values)
                if gap >= 0:
                    self.values.extend([None] * gap)
                    self.values.append(value)
                else:
                    self.values[self.col] = value
        elif tag == "row":
            if self.values:
                self.out.append((self.row, self.values))
        elif tag in ("v", "t", "f"):
            self.field = ""
        elif tag == "is":
            self.in_is = False
        elif tag == "rPh":
            self.skip -= 1

    def _value(self) -> Any:
        formula = "".join(self.formula)
        if self.formula_si:
            if formula:
                self.shared_formulas[self.formula_si] = formula
            else:
                formula = self.shared_formulas.get(self.formula_si, "")
        if formula:  # the formula as text, never its (possibly stale or crafted) cached result
            return "=" + formula
        if not self.has_value:
            return None
        raw = "".join(self.text)
        kind = self.kind
        if kind == "s":
            try:
                value = self.strings[int(raw)]
            except (ValueError, IndexError):
                raise SheetError(
                    f"第 {self.row} 行 {column_letter(self.col)} 列：引用了不存在的共享文字，文件结构异常",
                    row=self.row, column=column_letter(self.col),
                ) from None
            if isinstance(value, _TooLong):
                self._too_long(value.length)
            return value
        if kind in ("inlineStr", "str"):
            return raw
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "e":
            return raw
        if kind == "d":
            try:
                return datetime.fromisoformat(raw.strip())
            except ValueError:
                return raw
        raw = raw.strip()
        if not raw:
            return None
        digits = raw[1:] if raw[0] == "-" else raw
        if digits.isdigit() and len(digits) < 40:
            number: float = int(raw)
            if self.style in self.dates:
                return self._date(float(number), raw)
            return int(raw)
        try:
            number = float(raw)
        except ValueError:
            return raw
        if self.style in self.dates:
            return self._date(number, raw)
        if number.is_integer() and abs(number) >= 1e15:
            return LostDigits(str(int(number)))
        return number

    def _date(self, serial: float, raw: str) -> Any:
        if not 0 <= serial < 2_958_466:  # 9999-12-31
            return raw
        return _serial_to_date(serial, self.book._date1904)


def open_workbook(source: bytes | IO[bytes], limits: Limits | None = None) -> SheetReader:
    """Check the archive and open the workbook; raises :class:`SheetError`."""
    data = source if isinstance(source, bytes) else source.read()
    try:
        return SheetReader(data, limits or Limits())
    except SheetError:
        raise
    except _BROKEN as exc:
        raise SheetError("无法读取文件：文件已损坏或不完整，请重新保存为 .xlsx 后上传") from exc


def read_table(
    source: bytes | IO[bytes], limits: Limits | None = None, *, sheet: str | None = None
) -> tuple[list[Any], list[tuple[int, list[Any]]]]:
    """The header (row 1) and the numbered non-empty rows below it of one sheet."""
    header: list[Any] = []
    body: list[tuple[int, list[Any]]] = []
    for number, values in open_workbook(source, limits).rows(sheet):
        if number == 1:
            header = values
        else:
            body.append((number, values))
    return header, body
