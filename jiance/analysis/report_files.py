"""The report as PDF (reportlab, the CJK font of `jiance.printouts.fonts`, charts as reportlab
graphics) and as XLSX (one sheet per table); the export is audited."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from jiance.accounts.scoping import Scope
from jiance.analysis.charts import histogram_chart, level_chart, share_chart
from jiance.analysis.report import Report
from jiance.analysis.report_tables import (
    QUESTIONNAIRE_SHEET,
    STATEMENT,
    Table,
    indicator_table,
    questionnaire_intro,
    report_tables,
)
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.printouts.fonts import cjk_font
from jiance.spreadsheets import safe_cell, workbook_bytes

REPORT_FORMATS = ("pdf", "xlsx")
PAGE_W, PAGE_H = A4
MARGIN = 15 * mm


def _styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=24, alignment=1, spaceAfter=6),
        "sub": ParagraphStyle("sub", parent=base, fontSize=10, alignment=1, textColor=colors.HexColor("#444444"),
                              spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4),
        "h3": ParagraphStyle("h3", parent=base, fontSize=11, leading=15, spaceBefore=8, spaceAfter=3),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10),
        "note": ParagraphStyle("note", parent=base, fontSize=8.5, leading=12, textColor=colors.HexColor("#444444"),
                               spaceBefore=3),
    }


def _pdf_table(t: Table, st: dict[str, ParagraphStyle]) -> PdfTable:
    width = PAGE_W - 2 * MARGIN
    cell = st["cell"]
    data = [[Paragraph(h, cell) for h in t.headers]] + [[Paragraph(c, cell) for c in r] for r in t.rows]
    if t.key == "technical":
        widths = [width * 0.16, width * 0.84]
    else:
        share = [3.0 if h in ("说明", "是否显著（α = 0.05）") else 2.0 if h == "陈述" else 1.6 if "置信区间" in h
                 else 1.5 if h in ("选项", "作答学生数", "组别") or h.startswith("平均（") else 1.0 for h in t.headers]
        widths = [width * x / sum(share) for x in share]
    table = PdfTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E6EBF2")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


def report_pdf(report: Report) -> bytes:
    st = _styles()
    buf = io.BytesIO()

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(cjk_font(), 8)
        canvas.drawCentredString(PAGE_W / 2, 8 * mm, f"{report.title} · 第 {doc.page} 页")
        canvas.restoreState()

    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN + 4 * mm, title=report.title, author="Jiance")
    built = report.built_at.strftime("%Y-%m-%d %H:%M") if report.built_at else ""
    story: list[Any] = [Paragraph(report.title, st["title"]),
                        Paragraph(f"{report.cycle.name} · 生成于 {built}", st["sub"]),
                        Paragraph(STATEMENT, st["note"])]
    for p in report.problems:
        story.append(Paragraph(p, st["note"]))
    scale = 0.8 * (PAGE_W - 2 * MARGIN) / 480
    for t in report_tables(report):
        if t.key == "technical":
            story.extend(_questionnaire_pdf(report, st, scale))
        block: list[Any] = [Paragraph(t.title, st["h2"]), _pdf_table(t, st)]
        if t.note:
            block.append(Paragraph(t.note, st["note"]))
        story.append(KeepTogether(block) if len(t.rows) < 25 else block[0])
        if len(t.rows) >= 25:
            story.extend(block[1:])
        if t.key in ("results", "levels"):
            for s in report.subjects:
                chart = histogram_chart(s) if t.key == "results" else level_chart(s)
                if chart is not None:
                    story.append(KeepTogether([Spacer(1, 4), Paragraph(chart.title, st["note"]), chart.drawing(scale)]))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def _questionnaire_pdf(report: Report, st: dict[str, ParagraphStyle], scale: float) -> list[Any]:
    """The questionnaire section: its sentences, then per indicator a heading, table, note, chart."""
    out: list[Any] = [Paragraph(QUESTIONNAIRE_SHEET, st["h2"])]
    out += [Paragraph(p, st["note"]) for p in questionnaire_intro(report)]
    for n, ind in enumerate(report.questionnaire.indicators, start=1):
        t = indicator_table(ind, n)
        block: list[Any] = [Paragraph(t.title, st["h3"]), _pdf_table(t, st), Paragraph(t.note, st["note"])]
        chart = share_chart(ind)
        if chart is not None:
            block += [Spacer(1, 3), chart.drawing(scale)]
        out.append(KeepTogether(block) if len(t.rows) < 25 else block[0])
        if len(t.rows) >= 25:
            out.extend(block[1:])
    return out


def _questionnaire_sheet(wb: Workbook, report: Report) -> None:
    """One sheet for every indicator: the sentences, then per indicator its title, headers, rows, note."""
    ws = wb.create_sheet(QUESTIONNAIRE_SHEET)
    ws.append([report.title])
    for p in questionnaire_intro(report):
        ws.append([p])
    for n, ind in enumerate(report.questionnaire.indicators, start=1):
        t = indicator_table(ind, n)
        ws.append([])
        ws.append([t.title])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        ws.append(list(t.headers))
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for r in t.rows:
            ws.append([safe_cell(c) for c in r])
        ws.append([t.note])
    for col, width in zip("ABCDEFG", (16, 22, 14, 12, 20, 12, 30), strict=False):
        ws.column_dimensions[col].width = width


def report_xlsx(report: Report) -> bytes:
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for t in report_tables(report):
        if t.key == "technical":
            _questionnaire_sheet(wb, report)
        ws = wb.create_sheet(t.title[:31])
        ws.append([report.title])
        ws.append(list(t.headers))
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for r in t.rows:
            ws.append([safe_cell(c) for c in r])
        if t.note:
            ws.append([])
            ws.append([t.note])
        for col, width in zip("ABCDEFGHIJK", (16, 14, 14, 16, 16, 12, 12, 12, 12, 14, 14), strict=False):
            ws.column_dimensions[col].width = width if t.key != "technical" or col != "B" else 110
        if t.key == "technical":
            for row in ws.iter_rows(min_row=3):
                row[1].alignment = Alignment(wrap_text=True, vertical="top")
    return workbook_bytes(wb)


def report_export(*, scope: Scope, report: Report, fmt: str, actor: Any) -> tuple[bytes, str]:
    content = report_pdf(report) if fmt == "pdf" else report_xlsx(report)
    audit_record(action=Action.EXPORT, object_type="analysis.report",
                 object_id=f"{report.cycle.code}:{report.stage}:{report.unit.code}", object_repr=report.title,
                 unit=scope.primary_unit, actor=actor, detail=f"下载监测报告（{fmt}）")
    return content, f"report-{report.cycle.code}-{report.stage}-{report.unit.code}.{fmt}"
