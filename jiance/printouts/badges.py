"""Work badges (工作胸牌) from one standard pattern [000] "各类胸牌由县级实施工作领导小组统一制作并
配发": name, post, site, cycle and a QR code that opens the badge's verification page. Eight
badges to an A4 sheet (2 × 4, cut along the grey lines), or one badge per page.

The QR code is reportlab's own encoder (`reportlab.graphics.barcode.qrencoder`), so no extra
library."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from jiance.printouts.fonts import cjk_font

PAGE_W, PAGE_H = A4
COLS, ROWS = 2, 4
PER_PAGE = COLS * ROWS
CARD_W, CARD_H = 90 * mm, 62 * mm
BAND = colors.HexColor("#1F4E8C")
QR_MASK = 2  # vertical stripes every third column


@dataclass(frozen=True)
class BadgeCard:
    name: str
    role: str
    site: str
    cycle: str
    url: str  # what the QR code opens
    issuer: str = ""  # 制发单位 (the county)
    number: str = ""  # a short badge number printed under the QR code


def _fit(text: str, font: str, size: float, width: float) -> float:
    """The largest font size up to `size` at which `text` fits `width`."""
    while size > 6 and stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def qr_modules(value: str) -> list[list[bool]]:
    """The QR code of `value` (error correction M) as rows of dark/light modules. The mask is
    fixed (any of the eight is valid, ISO/IEC 18004): choosing the best one by penalty scoring
    costs six times the encoding, i.e. seconds for a county's sheet."""
    code = QRCode(None, QRErrorCorrectLevel.M)
    code.addData(value)
    code.version = code.calculate_version()
    code.makeImpl(False, QR_MASK)
    n = code.getModuleCount()
    return [[bool(code.isDark(r, c)) for c in range(n)] for r in range(n)]


def _qr(canvas: Canvas, value: str, x: float, y: float, side: float) -> None:
    """Drawn as one path of its dark modules inside a 4-module quiet zone (reportlab's
    widget draws one shape per module and encodes twice: some 30 times slower)."""
    modules = qr_modules(value)
    n = len(modules)
    cell = side / (n + 8)
    path = canvas.beginPath()
    for r, row in enumerate(modules):
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                path.rect(x + (start + 4) * cell, y + side - (r + 5) * cell, (c - start) * cell, cell)
            else:
                c += 1
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _card(canvas: Canvas, card: BadgeCard, x: float, y: float) -> None:
    font = cjk_font()
    canvas.saveState()
    canvas.setStrokeColor(colors.HexColor("#999999"))
    canvas.setLineWidth(0.4)
    canvas.setDash(3, 2)
    canvas.rect(x, y, CARD_W, CARD_H)  # the cutting line
    canvas.setDash()
    band_h = 11 * mm
    canvas.setFillColor(BAND)
    canvas.rect(x, y + CARD_H - band_h, CARD_W, band_h, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    title = "工作证"
    canvas.setFont(font, 9)
    cycle = card.cycle
    canvas.setFont(font, _fit(cycle, font, 9, CARD_W - 8 * mm))
    canvas.drawCentredString(x + CARD_W / 2, y + CARD_H - 4.5 * mm, cycle)
    canvas.setFont(font, 11)
    canvas.drawCentredString(x + CARD_W / 2, y + CARD_H - 9.2 * mm, title)

    canvas.setFillColor(colors.black)
    text_w = CARD_W - 39 * mm
    left = x + 5 * mm
    size = _fit(card.name, font, 22, text_w)
    canvas.setFont(font, size)
    canvas.drawString(left, y + CARD_H - band_h - 12 * mm, card.name)
    size = _fit(card.role, font, 14, text_w)
    canvas.setFont(font, size)
    canvas.setFillColor(BAND)
    canvas.drawString(left, y + CARD_H - band_h - 21 * mm, card.role)
    canvas.setFillColor(colors.black)
    canvas.setFont(font, 8)
    canvas.drawString(left, y + 16 * mm, "监测点：")
    canvas.setFont(font, _fit(card.site, font, 10, text_w))
    canvas.drawString(left, y + 11 * mm, card.site)
    if card.issuer:
        canvas.setFont(font, _fit(f"制发：{card.issuer}", font, 7.5, text_w))
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(left, y + 4 * mm, f"制发：{card.issuer}")

    side = 27 * mm
    qx, qy = x + CARD_W - side - 4 * mm, y + 9 * mm
    _qr(canvas, card.url, qx, qy, side)
    canvas.setFillColor(colors.HexColor("#555555"))
    canvas.setFont(font, 6.5)
    canvas.drawCentredString(qx + side / 2, qy - 3 * mm, "扫码核验")
    if card.number:
        canvas.drawCentredString(qx + side / 2, qy - 6 * mm, card.number)
    canvas.restoreState()


def badge_sheet_pdf(cards: Sequence[BadgeCard], *, title: str = "工作胸牌", per_page: int = PER_PAGE) -> bytes:
    """`per_page` 8: an A4 sheet of 2 × 4 badges; 1: one badge per page, centred."""
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4)
    canvas.setTitle(title)
    canvas.setAuthor("义务教育质量监测平台")
    gap_x = (PAGE_W - COLS * CARD_W) / (COLS + 1)
    gap_y = (PAGE_H - ROWS * CARD_H) / (ROWS + 1)
    for i, card in enumerate(cards):
        k = i % per_page
        if i and k == 0:
            canvas.showPage()
        if per_page == 1:
            x, y = (PAGE_W - CARD_W) / 2, PAGE_H - 30 * mm - CARD_H
        else:
            col, row = k % COLS, k // COLS
            x = gap_x + col * (CARD_W + gap_x)
            y = PAGE_H - (row + 1) * (CARD_H + gap_y)
        _card(canvas, card, x, y)
    if not cards:
        canvas.setFont(cjk_font(), 12)
        canvas.drawString(20 * mm, PAGE_H - 30 * mm, "没有可制作的胸牌。")
    canvas.showPage()
    canvas.save()
    return buf.getvalue()
