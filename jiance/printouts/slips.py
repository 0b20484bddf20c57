"""Login slips of the online questionnaires (网络问卷登录条) and parents' QR slips (data in, bytes out).

- A **login slip** (students, teachers; ten to an A4 sheet, cut along the grey lines): the person,
  where they answer (room and seat, or the questionnaire), the login number as a Code 128 barcode
  and in plain text, the 6-character code in large print, and the address to type. Student slips
  come grouped by test room, a sheet (or more) per room, to be handed out with the room list.
- A **parent slip** (eight to a sheet): a QR code of the single-use link, the child's name, the
  questionnaire's days and the rule that the link ends with its submission [003].
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from jiance.printouts.badges import _fit, _qr
from jiance.printouts.fonts import cjk_font
from jiance.printouts.pdf import _barcode

PAGE_W, PAGE_H = A4
MARGIN = 12 * mm
GREY = colors.HexColor("#999999")
INK = colors.HexColor("#1F4E8C")


@dataclass(frozen=True)
class LoginSlip:
    name: str
    kind: str  # 学生 / 教师 / 校长
    place: str  # "第 3 监测室 · 12 号座位", or the questionnaire's name
    login: str  # empty: answers with an own account (the principal)
    code: str
    url: str
    heading: str = "网络问卷登录条"  # what the slip opens (the computer tests': 计算机测试登录条)


@dataclass(frozen=True)
class ParentSlip:
    child: str
    school: str
    url: str
    days: str  # "2024-05-24 至 2024-05-30"


def _cut(c: Canvas, x: float, y: float, w: float, h: float) -> None:
    c.saveState()
    c.setStrokeColor(GREY)
    c.setLineWidth(0.4)
    c.setDash(3, 2)
    c.rect(x, y, w, h)
    c.restoreState()


def _login_slip(c: Canvas, s: LoginSlip, cycle: str, school: str, x: float, y: float, w: float, h: float) -> None:
    font = cjk_font()
    _cut(c, x, y, w, h)
    left, right = x + 4 * mm, x + w - 4 * mm
    c.setFillColor(colors.HexColor("#555555"))
    c.setFont(font, _fit(f"{cycle} · {school}", font, 7, w - 8 * mm))
    c.drawString(left, y + h - 5 * mm, f"{cycle} · {school}")
    c.setFillColor(INK)
    c.setFont(font, 9)
    c.drawString(left, y + h - 10 * mm, f"{s.heading} · {s.kind}")
    c.setFillColor(colors.black)
    c.setFont(font, _fit(s.name, font, 15, w / 2))
    c.drawString(left, y + h - 17 * mm, s.name)
    c.setFont(font, _fit(s.place, font, 8.5, w - 8 * mm))
    c.drawString(left, y + h - 22 * mm, s.place)
    if s.login:
        code = _barcode(s.login, w / 2 - 6 * mm, 9 * mm)
        code.drawOn(c, left, y + 11 * mm)
        c.setFont(font, 8)
        c.drawString(left, y + 7.5 * mm, f"登录号：{s.login}")
        box_x = x + w / 2 + 2 * mm
        c.setFont(font, 7)
        c.drawString(box_x, y + 22 * mm, "登录码")
        c.setFont("Courier-Bold", 20)
        c.drawString(box_x, y + 14 * mm, s.code)
    else:
        c.setFont(font, 9)
        c.drawString(left, y + 14 * mm, "使用本人账号登录平台后填答，无需登录码。")
    c.setFillColor(colors.HexColor("#555555"))
    c.setFont(font, _fit(f"填答网址：{s.url}", font, 7.5, right - left))
    c.drawString(left, y + 3 * mm, f"填答网址：{s.url}")
    c.setFillColor(colors.black)


def login_slips_pdf(groups: Sequence[tuple[str, Sequence[LoginSlip]]], *, title: str, cycle: str, school: str) -> bytes:
    """Each group (a test room, or "教师") starts on a new sheet under its heading; ten slips a sheet."""
    font = cjk_font()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    c.setTitle(title)
    c.setAuthor("义务教育质量监测平台")
    cols, rows = 2, 5
    top = PAGE_H - MARGIN - 8 * mm
    w, h = (PAGE_W - 2 * MARGIN) / cols, (top - MARGIN) / rows
    first = True
    for heading, slips in groups:
        for start in range(0, max(len(slips), 1), cols * rows):
            if not first:
                c.showPage()
            first = False
            c.setFont(font, 11)
            c.drawString(MARGIN, PAGE_H - MARGIN - 3 * mm, f"{school} · {heading}")
            c.setFont(font, 8)
            c.setFillColor(colors.HexColor("#555555"))
            c.drawRightString(PAGE_W - MARGIN, PAGE_H - MARGIN - 3 * mm, f"{title}　沿虚线裁开，每人一张")
            c.setFillColor(colors.black)
            for k, s in enumerate(slips[start:start + cols * rows]):
                col, row = k % cols, k // cols
                _login_slip(c, s, cycle, school, MARGIN + col * w, top - (row + 1) * h, w, h)
    if first:
        c.setFont(font, 12)
        c.drawString(MARGIN, PAGE_H - MARGIN - 12, "没有可打印的登录条。")
    c.showPage()
    c.save()
    return buf.getvalue()


def _parent_slip(c: Canvas, s: ParentSlip, title: str, x: float, y: float, w: float, h: float) -> None:
    font = cjk_font()
    _cut(c, x, y, w, h)
    left = x + 4 * mm
    text_w = w - 38 * mm
    c.setFillColor(INK)
    c.setFont(font, _fit(title, font, 10, w - 8 * mm))
    c.drawString(left, y + h - 7 * mm, title)
    c.setFillColor(colors.black)
    c.setFont(font, 12)
    c.drawString(left, y + h - 15 * mm, "尊敬的家长：")
    lines = ["请用手机扫描右侧二维码，", "填写家长问卷。", f"填写时间：{s.days}",
             "此链接只供本学生的一位家长", "使用，提交后即失效。"]
    c.setFont(font, 8.5)
    for i, line in enumerate(lines):
        c.drawString(left, y + h - 22 * mm - i * 4.6 * mm, line)
    c.setFont(font, _fit(f"学生：{s.child}　{s.school}", font, 8, text_w + 30 * mm))
    c.setFillColor(colors.HexColor("#555555"))
    c.drawString(left, y + 4 * mm, f"学生：{s.child}　{s.school}")
    side = 30 * mm
    _qr(c, s.url, x + w - side - 3 * mm, y + h - side - 9 * mm, side)
    c.setFont(font, 6.5)
    c.drawCentredString(x + w - side / 2 - 3 * mm, y + h - side - 11 * mm, "扫码填写家长问卷")
    c.setFillColor(colors.black)


def parent_slips_pdf(slips: Sequence[ParentSlip], *, title: str) -> bytes:
    """Eight parent slips to an A4 sheet (2 × 4), for the students to take home."""
    font = cjk_font()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    c.setTitle(title)
    c.setAuthor("义务教育质量监测平台")
    cols, rows = 2, 4
    w, h = (PAGE_W - 2 * MARGIN) / cols, (PAGE_H - 2 * MARGIN) / rows
    for i, s in enumerate(slips):
        k = i % (cols * rows)
        if i and k == 0:
            c.showPage()
        col, row = k % cols, k // cols
        _parent_slip(c, s, title, MARGIN + col * w, PAGE_H - MARGIN - (row + 1) * h, w, h)
    if not slips:
        c.setFont(font, 12)
        c.drawString(MARGIN, PAGE_H - MARGIN - 12, "没有可打印的家长问卷二维码。")
    c.showPage()
    c.save()
    return buf.getvalue()
