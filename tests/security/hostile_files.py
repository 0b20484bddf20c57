"""Hostile spreadsheets, generated (never stored): each one took a server down or answered 500
before issue 8. Shared by `tests/security/test_hostile_uploads.py`, `tests/core/test_sheets.py`
and `bench/hostile_uploads.py`.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{RNS}">'
    '<sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def xlsx(rows_xml: str | Iterable[str], *, prolog: str = "", shared: str | None = None) -> bytes:
    """A minimal workbook whose one sheet (数据) holds ``rows_xml`` inside <sheetData>."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        if shared is not None:
            zf.writestr("xl/sharedStrings.xml", shared)
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            fh.write(f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{NS}"><sheetData>'.encode())
            parts = [rows_xml] if isinstance(rows_xml, str) else rows_xml
            for part in parts:
                fh.write(part.encode())
            fh.write(b"</sheetData></worksheet>")
    return buf.getvalue()


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sparse() -> bytes:
    """Only A1 and XFD1048576: calamine allocated the whole 1,048,576 x 16,384 grid (512 GiB)."""
    return xlsx(f'<row r="1">{_cell("A1", "学校代码")}</row><row r="1048576">{_cell("XFD1048576", "x")}</row>')


def billion_laughs() -> bytes:
    ents = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10)
    )
    return xlsx(f'<row r="1">{_cell("A1", "&lol9;")}</row>', prolog=f"<!DOCTYPE worksheet [{ents}]>")


def external_entity() -> bytes:
    prolog = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return xlsx(f'<row r="1">{_cell("A1", "&xxe;")}</row>', prolog=prolog)


def formula() -> bytes:
    """A formula with a crafted cached value: read as its text, never as the value or evaluated."""
    return xlsx(
        '<row r="1"><c r="A1" t="str"><f>HYPERLINK("http://evil.example/","点我")</f><v>点我</v></c></row>'
        '<row r="2"><c r="A2"><f>1+1</f><v>2</v></c></row>'
    )


def bad_reference() -> bytes:
    return xlsx(f'<row r="1">{_cell("A0", "x")}</row>')


def shared_strings_amplification(size: int = 8 * 1024 * 1024, uses: int = 150) -> bytes:
    """One 8 MB shared string used by 150 cells (10 KB compressed; 1.2 GB once expanded per cell)."""
    shared = f'<sst xmlns="{NS}" count="{uses}" uniqueCount="1"><si><t>{"A" * size}</t></si></sst>'
    rows = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{col}{r}" t="s"><v>0</v></c>' for col in "ABCDEFGHIJ") + "</row>"
        for r in range(1, uses // 10 + 1)
    )
    return xlsx(rows, shared=shared)


def million_rows(rows: int = 1_000_000) -> bytes:
    """A million short rows, streamed into the archive (about 3 MB compressed)."""
    def body() -> Iterable[str]:
        yield f'<row r="1">{_cell("A1", "学号")}</row>'
        batch: list[str] = []
        for r in range(2, rows + 2):
            batch.append(f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>')
            if len(batch) == 10_000:
                yield "".join(batch)
                batch.clear()
        yield "".join(batch)

    return xlsx(body())


def zip_bomb(megabytes: int = 330) -> bytes:
    """A sheet of whitespace that unpacks to more than the total cap (about 330 KB compressed)."""
    blank = " " * (1024 * 1024)
    return xlsx(blank for _ in range(megabytes))


def renamed_csv() -> bytes:
    return "姓名,性别,出生日期,身份证号,班级,学号\n张三,男,2012-03-05,110101201203051234,4年级1班,1\n".encode()


def truncated_zip() -> bytes:
    whole = xlsx(f'<row r="1">{_cell("A1", "学校代码")}</row>' * 1)
    return whole[: len(whole) // 2]


def empty() -> bytes:
    return b""


HOSTILE: dict[str, Callable[[], bytes]] = {
    "sparse_A1_XFD1048576": sparse,
    "billion_laughs": billion_laughs,
    "external_entity": external_entity,
    "formula": formula,
    "bad_reference_A0": bad_reference,
    "shared_strings_amplification": shared_strings_amplification,
    "million_rows": million_rows,
    "zip_bomb": zip_bomb,
    "renamed_csv": renamed_csv,
    "truncated_zip": truncated_zip,
    "empty": empty,
}
