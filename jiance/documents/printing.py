"""An implementation document's official table as the unit prints, signs and stamps it: an A4
PDF (CJK font of `jiance.printouts`) and an XLSX (every text cell formula-safe)."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from jiance.apps_registry import DocumentTable
from jiance.printouts.fonts import cjk_font
from jiance.spreadsheets import HEADER_FILL, safe_cell, workbook_bytes

MARGIN = 15 * mm
WIDE_COLUMNS = 8
SIGN_PARTS = ("填报单位（盖章）：", "负责人（签字）：", "日期：&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;年&nbsp;&nbsp;&nbsp;&nbsp;月&nbsp;&nbsp;&nbsp;&nbsp;日")
SIGN_LINE = "填报单位（盖章）：　　　　　　　　负责人（签字）：　　　　　　　　日期：　　　年　　月　　日"


def _widths(table: DocumentTable, total: float, *, char: float = 0.0) -> list[float]:
    """Column widths by the longest text in each column (a number column stays narrow). With
    `char` (the width of one character), every column is at least as wide as its header's
    longest word of up to 4 characters, so a narrow column never breaks "等级" apart."""
    lengths = []
    for i, h in enumerate(table.header):
        cells = [h, *(r[i] if i < len(r) else "" for r in table.rows)]
        lengths.append(min(max(len(str(c)) for c in cells), 40) + 2)
    floors = [min(len(str(h)), 4) * char + 2 * char / 3 for h in table.header] if char else [0.0] * len(lengths)
    rest = total - sum(floors)
    scale = rest / sum(lengths) if rest > 0 else total / sum(lengths)
    if rest <= 0:
        return [n * scale for n in lengths]
    return [f + n * scale for f, n in zip(floors, lengths, strict=True)]


def table_pdf(table: DocumentTable, *, cycle_name: str) -> bytes:
    import io

    font = cjk_font()
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=16, leading=22, alignment=TA_CENTER, spaceAfter=4)
    sub = ParagraphStyle("sub", parent=base, alignment=TA_CENTER, textColor=colors.HexColor("#333333"))
    cell = ParagraphStyle("cell", parent=base, fontSize=9.5, leading=12.5)
    buf = io.BytesIO()
    page = landscape(A4) if len(table.header) > WIDE_COLUMNS else A4  # a wide table lies on its side
    doc = SimpleDocTemplate(buf, pagesize=page, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=table.title, author="义务教育质量监测平台")
    story: list[object] = []
    if table.attachment:
        story.append(Paragraph(table.attachment, base))
    story += [Paragraph(table.title, title), Paragraph(cycle_name, sub), Spacer(1, 3 * mm)]
    if table.unit:
        story += [Paragraph(f"填报单位：{table.unit}", base), Spacer(1, 2 * mm)]
    rows = [[Paragraph(str(h), cell) for h in table.header]]
    rows += [[Paragraph(str(c).replace("\n", "<br/>"), cell) for c in r] for r in table.rows]
    if not table.rows:
        rows.append([Paragraph("（无）", cell)] + [""] * (len(table.header) - 1))
    t = Table(rows, colWidths=_widths(table, page[0] - 2 * MARGIN, char=9.5), repeatRows=1)
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 9.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E6EBF2")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    story.append(t)
    for note in table.notes:
        story += [Spacer(1, 2 * mm), Paragraph(note, base)]
    sign = Table([[Paragraph(part, base) for part in SIGN_PARTS]], colWidths=[(page[0] - 2 * MARGIN) / 3] * 3)
    sign.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, 10), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story += [Spacer(1, 14 * mm), sign]
    doc.build(story)
    return buf.getvalue()


def table_xlsx(table: DocumentTable, *, cycle_name: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = table.title[:31]
    width = max(len(table.header), 1)
    thin = Side(style="thin")
    lines = [table.attachment, table.title, cycle_name, f"填报单位：{table.unit}" if table.unit else ""]
    r = 0
    for line in lines:
        if not line:
            continue
        r += 1
        ws.cell(row=r, column=1, value=safe_cell(line)).font = Font(bold=line == table.title, size=14 if line == table.title else 11)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
    r += 1
    for c, h in enumerate(table.header, start=1):
        cell = ws.cell(row=r, column=c, value=safe_cell(h))
        cell.fill = HEADER_FILL
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(thin, thin, thin, thin)
    for row in table.rows:
        r += 1
        for c, v in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c, value=safe_cell(v))
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            cell.border = Border(thin, thin, thin, thin)
    for note in table.notes:
        r += 1
        ws.cell(row=r, column=1, value=safe_cell(note))
    r += 2
    ws.cell(row=r, column=1, value=SIGN_LINE)
    for c, w in enumerate(_widths(table, 12.0 * width), start=1):
        ws.column_dimensions[get_column_letter(c)].width = max(8, w)
    return workbook_bytes(wb)
