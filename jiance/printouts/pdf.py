"""PDF printouts of a school's test day (seed 003: 检录名册, 监测室学生名单, 座位签, 条形码, 公示栏;
seed 001: 监测工具箱). Each renderer takes a `TestDayData` and returns the bytes of an A4 PDF."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from jiance.printouts.data import RoomSheet, TestDayData, barcode_value
from jiance.printouts.fonts import cjk_font

PAGE_W, PAGE_H = A4
MARGIN = 12 * mm


def _styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=22, alignment=TA_CENTER, spaceAfter=4),
        "sub": ParagraphStyle("sub", parent=base, fontSize=10, leading=14, alignment=TA_CENTER, spaceAfter=6,
                              textColor=colors.HexColor("#333333")),
        "h2": ParagraphStyle("h2", parent=base, fontSize=13, leading=18, spaceBefore=8, spaceAfter=4),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=12),
        "rule": ParagraphStyle("rule", parent=base, fontSize=11, leading=16, leftIndent=14, firstLineIndent=-14,
                               spaceAfter=3),
        "big": ParagraphStyle("big", parent=base, fontSize=20, leading=28, alignment=TA_CENTER),
    }


def _table(rows: Sequence[Sequence[object]], widths: Sequence[float], *, header_rows: int = 1,
           row_height: float | None = None, font_size: float = 9.5) -> Table:
    font = cjk_font()
    t = Table([list(r) for r in rows], colWidths=list(widths), repeatRows=header_rows,
              rowHeights=None if row_height is None else [row_height] * len(rows))
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, font_size),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#E6EBF2")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, header_rows - 1), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return t


def _doc(title: str) -> tuple[io.BytesIO, SimpleDocTemplate]:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm,
        title=title, author="义务教育质量监测平台",
    )
    return buf, doc


def _page_number(canvas: Canvas, doc: SimpleDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont(cjk_font(), 8)
    canvas.drawCentredString(PAGE_W / 2, MARGIN - 2 * mm, f"第 {doc.page} 页")
    canvas.restoreState()


def _room_header(data: TestDayData, room: RoomSheet, what: str, st: dict[str, ParagraphStyle]) -> list[object]:
    return [
        Paragraph(f"{data.cycle_name}", st["sub"]),
        Paragraph(f"{data.school_name} {room.name} {what}", st["title"]),
        Paragraph(
            f"学校代码：{data.school_code}　学段：{data.stage_label}{data.grade or ''}{'年级' if data.grade else ''}"
            f"　监测室类型：{room.kind_label}　人数：{sum(1 for s in room.students if s.name)}",
            st["sub"],
        ),
    ]


def checkin_roster_pdf(data: TestDayData) -> bytes:
    """检录名册: per room, seat, name, sex, class, student number, ID last four, signature."""
    st = _styles()
    buf, doc = _doc(f"{data.school_name}检录名册")
    story: list[object] = []
    widths = [14 * mm, 26 * mm, 12 * mm, 30 * mm, 30 * mm, 22 * mm, 30 * mm, 22 * mm]
    for i, room in enumerate(data.rooms):
        if i:
            story.append(PageBreak())
        story += _room_header(data, room, "测试学生检录名册", st)
        rows: list[list[object]] = [["座位号", "姓名", "性别", "班级", "学号", "身份证后四位", "学生签名", "检录情况"]]
        for s in room.students:
            if not s.name:
                continue
            rows.append([s.seat_label, Paragraph(s.name, st["cell"]), s.sex, Paragraph(s.class_name, st["cell"]),
                         s.student_no, s.id_last4, "", "缺考" if s.absent else ""])
        table = _table(rows, widths, row_height=None)
        table.setStyle(TableStyle([("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (2, 1), (2, -1), "CENTER"),
                                   ("ALIGN", (5, 1), (5, -1), "CENTER"), ("TOPPADDING", (0, 1), (-1, -1), 3.2),
                                   ("BOTTOMPADDING", (0, 1), (-1, -1), 3.2)]))
        story.append(table)
        story.append(Spacer(1, 5 * mm))
        story.append(Paragraph("检录人签字：＿＿＿＿＿＿　　区县巡视员签字：＿＿＿＿＿＿　　检录时间：＿＿＿＿＿＿", st["base"]))
    if not data.rooms:
        story.append(Paragraph("本校尚无监测室安排。", st["base"]))
    doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buf.getvalue()


def room_list_pdf(data: TestDayData) -> bytes:
    """监测室学生名单: per room, seat, name, sex, class, student number and booklet per subject."""
    st = _styles()
    buf, doc = _doc(f"{data.school_name}监测室学生名单")
    story: list[object] = []
    subjects = list(data.booklet_subjects)
    fixed = [15 * mm, 28 * mm, 12 * mm, 30 * mm, 30 * mm]
    rest = PAGE_W - 2 * MARGIN - sum(fixed)
    widths = fixed + ([rest / len(subjects)] * len(subjects) if subjects else [rest])
    for i, room in enumerate(data.rooms):
        if i:
            story.append(PageBreak())
        story += _room_header(data, room, "监测室学生名单", st)
        centred = ParagraphStyle("centred", parent=st["cell"], alignment=TA_CENTER)
        head: list[object] = ["座位号", "姓名", "性别", "班级", "学号"]
        head += [Paragraph(f"{s}<br/>题本/答题卡", centred) for s in subjects] if subjects else ["备注"]
        rows: list[list[object]] = [head]
        for s in room.students:
            if not s.name:
                continue
            booklets = list(s.booklets) if subjects else ["缺考" if s.absent else ""]
            rows.append([s.seat_label, Paragraph(s.name, st["cell"]), s.sex, Paragraph(s.class_name, st["cell"]),
                         s.student_no, *booklets])
        table = _table(rows, widths)
        table.setStyle(TableStyle([("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (2, 1), (2, -1), "CENTER"),
                                   ("ALIGN", (5, 1), (-1, -1), "CENTER"),
                                   ("TOPPADDING", (0, 1), (-1, -1), 3.2), ("BOTTOMPADDING", (0, 1), (-1, -1), 3.2)]))
        story.append(table)
        if room.desks:
            story += [PageBreak(), *_seat_map(data, room, st)]
    if not data.rooms:
        story.append(Paragraph("本校尚无监测室安排。", st["base"]))
    doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buf.getvalue()


def _seat_map(data: TestDayData, room: RoomSheet, st: dict[str, ParagraphStyle]) -> list[object]:
    """The room seen from the front: 讲台 on top, row 1 first, column 1 along the entrance wall."""
    rows = max(r for _, r, _ in room.desks)
    cols = max(c for _, _, c in room.desks)
    names = {s.seat: s for s in room.students if s.name}
    centred = ParagraphStyle("map", parent=st["cell"], alignment=TA_CENTER, fontSize=9, leading=12)
    grid: list[list[object]] = [["" for _ in range(cols)] for _ in range(rows)]
    for seat, r, c in room.desks:
        s = names.get(seat)
        if s is not None:
            text = f"<b>{seat:02d}</b><br/>{s.name}" + ("<br/>（缺考）" if s.absent else "")
        else:
            text = f"<b>{seat:02d}</b><br/>" + ("备用" if room.kind == "computer" else "空")
        grid[r - 1][c - 1] = Paragraph(text, centred)
    width = (PAGE_W - 2 * MARGIN - 14 * mm) / cols
    labels = [f"第{c}列" for c in range(1, cols + 1)]
    table = _table([labels, *grid], [width] * cols, row_height=None, font_size=9)
    table.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("TOPPADDING", (0, 1), (-1, -1), 6),
                               ("BOTTOMPADDING", (0, 1), (-1, -1), 6)]))
    return [
        Paragraph(f"{data.school_name} {room.name} 座位图", st["title"]),
        Paragraph("讲　台", ParagraphStyle("desk", parent=st["big"], fontSize=14, leading=20,
                                          borderWidth=0.8, borderColor=colors.black, borderPadding=4,
                                          spaceAfter=10)),
        table,
        Spacer(1, 4 * mm),
        Paragraph(f"第1行为最靠近讲台的一排，第1列靠教室入口一侧的墙；01号为入口靠墙前排座位，按"
                  f"{'横向' if room.pattern == 'horizontal' else '竖向'}S型编号。缺考学生的座位空着，不调整、不替补。",
                  st["base"]),
    ]


def _dashed_box(c: Canvas, x: float, y: float, w: float, h: float) -> None:
    c.saveState()
    c.setDash(3, 3)
    c.setStrokeColor(colors.HexColor("#888888"))
    c.setLineWidth(0.5)
    c.rect(x, y, w, h)
    c.restoreState()


def _fit(c: Canvas, text: str, font: str, size: float, width: float) -> float:
    """The largest font size ≤ size at which text fits width."""
    while size > 6 and c.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def seat_labels_pdf(data: TestDayData) -> bytes:
    """座位签 01..seats per room (seed 003): seat number, school name, room, a line for the name.
    Eight labels per A4 sheet, dashed cut lines."""
    font = cjk_font()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    c.setTitle(f"{data.school_name}座位签")
    cols, rows = 2, 4
    w = (PAGE_W - 2 * MARGIN) / cols
    h = (PAGE_H - 2 * MARGIN) / rows
    labels = [(room, seat) for room in data.rooms for seat in range(1, room.seats + 1)]
    for i, (room, seat) in enumerate(labels):
        slot = i % (cols * rows)
        if i and slot == 0:
            c.showPage()
        col, row = slot % cols, slot // cols
        x, y = MARGIN + col * w, PAGE_H - MARGIN - (row + 1) * h
        _dashed_box(c, x, y, w, h)
        cx = x + w / 2
        c.setFont(font, 44)
        c.drawCentredString(cx, y + h - 22 * mm, f"{seat:02d}")
        size = _fit(c, data.school_name, font, 15, w - 10 * mm)
        c.setFont(font, size)
        c.drawCentredString(cx, y + h - 32 * mm, data.school_name)
        c.setFont(font, 11)
        c.drawCentredString(cx, y + h - 39 * mm, f"{room.name}（{room.kind_label}）")
        c.setFont(font, 12)
        c.drawString(x + 10 * mm, y + 14 * mm, "学生姓名：")
        c.line(x + 32 * mm, y + 13 * mm, x + w - 10 * mm, y + 13 * mm)
        c.setFont(font, 8)
        c.setFillColor(colors.HexColor("#555555"))
        c.drawCentredString(cx, y + 6 * mm, "（学生入座后自己填写）")
        c.setFillColor(colors.black)
    if not labels:
        c.setFont(font, 12)
        c.drawString(MARGIN, PAGE_H - MARGIN - 12, "本校尚无监测室安排。")
    c.showPage()
    c.save()
    return buf.getvalue()


BARCODE_COLS, BARCODE_ROWS = 3, 14
BAR_WIDTH = 0.25 * mm


def _barcode(value: str, width: float, height: float) -> Code128:
    """A Code 128 symbol no wider than `width` (bars never thinner than 0.17 mm)."""
    probe = Code128(value, barWidth=1, barHeight=height, humanReadable=False, quiet=True)
    modules = probe.width
    bar = max(min(BAR_WIDTH, width / modules), 0.17 * mm)
    return Code128(value, barWidth=bar, barHeight=height, humanReadable=False, quiet=True)


def barcode_sheets_pdf(data: TestDayData) -> bytes:
    """Student barcodes (Code 128): one label per student per session, a sheet per room and
    session, 3 x 14 labels; under each code its value in plain text, above it seat, name,
    student number and session."""
    font = cjk_font()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    c.setTitle(f"{data.school_name}学生条形码")
    top = PAGE_H - MARGIN - 8 * mm
    w = (PAGE_W - 2 * MARGIN) / BARCODE_COLS
    h = (top - MARGIN) / BARCODE_ROWS
    pages = 0
    for room in data.rooms:
        students = [s for s in room.students if s.name]
        for session in data.sessions:
            per_page = BARCODE_COLS * BARCODE_ROWS
            for start in range(0, max(len(students), 1), per_page):
                if pages:
                    c.showPage()
                pages += 1
                c.setFont(font, 10)
                c.drawString(MARGIN, PAGE_H - MARGIN - 4 * mm,
                             f"{data.school_name}  {room.name}  学生条形码  场次{session.number} {session.name}")
                c.setFont(font, 8)
                c.drawRightString(PAGE_W - MARGIN, PAGE_H - MARGIN - 4 * mm,
                                  f"{session.day_label} {session.time_label}")
                for i, s in enumerate(students[start:start + per_page]):
                    col, row = i % BARCODE_COLS, i // BARCODE_COLS
                    x, y = MARGIN + col * w, top - (row + 1) * h
                    _dashed_box(c, x, y, w, h)
                    value = barcode_value(cycle_year=data.cycle_year, school_code=data.school_code,
                                          room=room.number, seat=s.seat, student_no=s.student_no,
                                          session=session.number)
                    label = f"{s.seat_label} {s.name} {s.student_no}"
                    c.setFont(font, _fit(c, label, font, 7.5, w - 4 * mm))
                    c.drawString(x + 2 * mm, y + h - 3.4 * mm, label)
                    code = _barcode(value, w - 4 * mm, 9 * mm)
                    code.drawOn(c, x + (w - code.width) / 2, y + 4 * mm)
                    c.setFont("Courier", 6.5)
                    c.drawCentredString(x + w / 2, y + 1.3 * mm, value)
    if not pages:
        c.setFont(font, 12)
        c.drawString(MARGIN, PAGE_H - MARGIN - 12, "本校尚无监测室安排。")
    c.showPage()
    c.save()
    return buf.getvalue()


def notice_board_pdf(data: TestDayData, *, with_students: bool) -> bytes:
    """公示栏 (seed 003 附件1): test times, tested students by room (only `with_students`, i.e.
    after release and check-in), report phone numbers, the student rules."""
    st = _styles()
    buf, doc = _doc(f"{data.school_name}公示栏")
    county = "" if data.school_name.startswith(data.county_name) else data.county_name
    story: list[object] = [
        Paragraph(f"{data.cycle_name}<br/>{county}{data.school_name}公示栏", st["title"]),
        Spacer(1, 3 * mm),
        Paragraph("一、测试时间", st["h2"]),
    ]
    rows: list[list[object]] = [["日期", "场次", "内容", "时间"]]
    for s in data.sessions:
        rows.append([s.day_label, str(s.number), Paragraph(s.name, st["cell"]), s.time_label])
    if len(rows) == 1:
        rows.append(["", "", "（本学段无测试场次）", ""])
    story.append(_table(rows, [26 * mm, 14 * mm, 100 * mm, 46 * mm], font_size=10.5))
    story.append(Paragraph("二、测试检录学生名单", st["h2"]))
    if not with_students:
        story.append(Paragraph("（测试当天学生检录后张贴）", st["base"]))
    else:
        for room in data.rooms:
            names = [s for s in room.students if s.name]
            cells = [f"{s.seat_label} {s.name}" for s in names]
            per_row = 6
            grid = [cells[i:i + per_row] + [""] * (per_row - len(cells[i:i + per_row]))
                    for i in range(0, len(cells), per_row)] or [["（无学生）"] + [""] * (per_row - 1)]
            block = [Paragraph(f"{room.name}（{len(names)} 人）", st["base"]),
                     _table(grid, [(PAGE_W - 2 * MARGIN) / per_row] * per_row, header_rows=0, font_size=10),
                     Spacer(1, 2 * mm)]
            story.append(KeepTogether(block))
    story.append(Paragraph("三、监督、举报电话", st["h2"]))
    if data.phones:
        for p in data.phones:
            line = f"{p.label}：{p.number}" if p.label.endswith(("电话", "专线")) else f"{p.label}举报电话：{p.number}"
            story.append(Paragraph(line, st["rule"]))
    else:
        story.append(Paragraph("（县级实施办尚未填写举报电话）", st["base"]))
    story.append(Paragraph("四、测试生守则", st["h2"]))
    for i, rule in enumerate(data.rules, start=1):
        story.append(Paragraph(f"{i}. {rule}", st["rule"]))
    doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buf.getvalue()


def box_labels_pdf(data: TestDayData) -> bytes:
    """监测工具箱标签 (seed 001): one per room and test day, two per A4 sheet: school, room, day,
    stage and box colour (kraft for primary, white for secondary), the sessions the box serves."""
    font = cjk_font()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    c.setTitle(f"{data.school_name}监测工具箱标签")
    h = (PAGE_H - 2 * MARGIN) / 2
    w = PAGE_W - 2 * MARGIN
    labels = [(room, day) for room in data.rooms for day in data.test_days]
    for i, (room, day) in enumerate(labels):
        slot = i % 2
        if i and slot == 0:
            c.showPage()
        x, y = MARGIN, PAGE_H - MARGIN - (slot + 1) * h
        _dashed_box(c, x, y, w, h)
        c.setLineWidth(1.5)
        c.rect(x + 5 * mm, y + 5 * mm, w - 10 * mm, h - 10 * mm)
        cx = x + w / 2
        c.setFont(font, _fit(c, data.cycle_name, font, 14, w - 20 * mm))
        c.drawCentredString(cx, y + h - 18 * mm, data.cycle_name)
        c.setFont(font, 26)
        c.drawCentredString(cx, y + h - 32 * mm, f"{data.stage_label}监测工具箱")
        day_text = f"{day.year}年{day.month}月{day.day}日"
        c.setFont(font, 34)
        c.drawCentredString(cx, y + h - 50 * mm, day_text)
        lines = [
            ("学校", f"{data.school_name}（{data.school_code}）"),
            ("监测室", f"{room.name}（{room.kind_label}）"),
            ("箱体", f"{data.box_colour}箱体" if data.box_colour else ""),
        ]
        ty = y + h - 64 * mm
        for key, text in lines:
            c.setFont(font, 13)
            c.drawString(x + 16 * mm, ty, f"{key}：")
            c.setFont(font, _fit(c, text, font, 13, w - 52 * mm))
            c.drawString(x + 36 * mm, ty, text)
            ty -= 8 * mm
        c.setFont(font, 13)
        c.drawString(x + 16 * mm, ty, "箱内：")
        sessions = data.sessions_on(day)
        for s in sessions or []:
            text = f"场次{s.number} {s.name}（{s.time_label}）"
            c.setFont(font, _fit(c, text, font, 11, w - 52 * mm))
            c.drawString(x + 36 * mm, ty, text)
            ty -= 6 * mm
        if not sessions:
            c.drawString(x + 36 * mm, ty, "—")
        c.setFont(font, 9)
        c.drawCentredString(cx, y + 9 * mm, "当天领取，当天送回；双人双锁保管。拆封时注意不要损坏箱体与包装袋（用于回邮）。")
    if not labels:
        c.setFont(font, 12)
        c.drawString(MARGIN, PAGE_H - MARGIN - 12, "本校尚无监测室安排。")
    c.showPage()
    c.save()
    return buf.getvalue()


__all__ = [
    "barcode_sheets_pdf",
    "box_labels_pdf",
    "checkin_roster_pdf",
    "notice_board_pdf",
    "room_list_pdf",
    "seat_labels_pdf",
]
