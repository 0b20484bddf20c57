"""What custody prints: the box and bag labels of a school (each with the Code 128 barcode the
custodians scan), and the two county reports generated from the ledger — 样本县监测工具接收与保管
情况报告表 and 样本县监测工具回邮情况报告表 [000][002] — for a county or, rolled up, for a city.
The reports are `DocumentTable`s, printed like the other official tables (PDF to sign and stamp,
XLSX), and fill the implementation documents of those kinds (`registry.document_tables`)."""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

from django.utils import timezone
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from jiance.apps_registry import DocumentTable
from jiance.custody import state
from jiance.custody.models import LedgerEntry, Step
from jiance.documents import printing as doc_printing
from jiance.printouts.fonts import cjk_font
from jiance.stages import stage_label
from jiance.units.models import Level, Unit
from jiance_core.custody import Box
from jiance_core.cycles.custody import CustodyRules

PAGE_W, PAGE_H = A4
MARGIN = 12 * mm
REPORTS = {"receipt": "样本县监测工具接收与保管情况报告表", "return": "样本县监测工具回邮情况报告表"}


def _fit(c: Canvas, text: str, font: str, size: float, width: float) -> float:
    while size > 6 and c.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _barcode(c: Canvas, value: str, x: float, y: float, width: float, height: float) -> None:
    probe = Code128(value, barWidth=1, barHeight=height, humanReadable=False, quiet=True)
    bar = max(min(0.33 * mm, width / probe.width), 0.17 * mm)
    code = Code128(value, barWidth=bar, barHeight=height, humanReadable=False, quiet=True)
    code.drawOn(c, x + (width - code.width) / 2, y)


def labels_pdf(*, cycle: Any, rules: CustodyRules, school: Unit, boxes: list[Box]) -> bytes:
    """Per box: a half-page box label (barcode of the box code, day, room, colour, the bags it
    holds), then its bag labels, 10 to a page (barcode of each bag code)."""
    font = cjk_font()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    c.setTitle(f"{school.name}{rules.box_name}与卷袋标签")
    for box in boxes:
        x, w, h = MARGIN, PAGE_W - 2 * MARGIN, (PAGE_H - 2 * MARGIN) / 2
        y = PAGE_H - MARGIN - h
        c.setLineWidth(1.5)
        c.rect(x, y, w, h)
        cx = x + w / 2
        c.setFont(font, _fit(c, cycle.name, font, 13, w - 20 * mm))
        c.drawCentredString(cx, y + h - 14 * mm, cycle.name)
        c.setFont(font, 24)
        c.drawCentredString(cx, y + h - 27 * mm, f"{stage_label(box.stage)}{rules.box_name}")
        c.setFont(font, 30)
        c.drawCentredString(cx, y + h - 43 * mm, f"{box.day.year}年{box.day.month}月{box.day.day}日")
        room = f"第{box.room}监测室" if box.room else "全校（各监测室）"
        colour = rules.box_colours.get(box.stage, "")  # type: ignore[call-overload]
        lines = [("学校", f"{school.name}（{school.code}）"), ("监测室", room),
                 ("箱体", f"{colour}箱体" if colour else "—"), ("卷袋", f"共 {box.bag_count} 袋")]
        ty = y + h - 55 * mm
        for key, text in lines:
            c.setFont(font, 12)
            c.drawString(x + 14 * mm, ty, f"{key}：")
            c.setFont(font, _fit(c, text, font, 12, w - 50 * mm))
            c.drawString(x + 34 * mm, ty, text)
            ty -= 7 * mm
        _barcode(c, box.code, x + 20 * mm, y + 16 * mm, w - 40 * mm, 16 * mm)
        c.setFont(font, 12)
        c.drawCentredString(cx, y + 10 * mm, box.code)
        c.setFont(font, 8.5)
        c.drawCentredString(cx, y + 4 * mm, "当天领取，当天送回；双人双锁保管；发放、送回时扫描此条码登记交接。")
        # the bag labels: the lower half and further pages, 2 × 5 per half page
        bw, bh = w / 2, (PAGE_H - 2 * MARGIN) / 10
        slots = [(col, row) for row in range(5) for col in range(2)]
        page_slots = slots
        for i, bag in enumerate(box.bags):
            k = i % len(page_slots)
            if i and k == 0:
                c.showPage()
                page_slots = [(col, row) for row in range(10) for col in range(2)]
                k = 0
            col, row = page_slots[k]
            bx = x + col * bw
            by = (y - (row + 1) * bh) if page_slots is slots else (PAGE_H - MARGIN - (row + 1) * bh)
            c.setDash(3, 2)
            c.setLineWidth(0.5)
            c.rect(bx, by, bw, bh)
            c.setDash()
            c.setFont(font, _fit(c, bag.name, font, 11, bw - 8 * mm))
            c.drawString(bx + 4 * mm, by + bh - 6 * mm, bag.name)
            c.setFont(font, 8)
            where = f"第{bag.room}监测室" if bag.room else f"第{box.room}监测室" if box.room else "全校"
            c.drawString(bx + 4 * mm, by + bh - 10.5 * mm,
                         f"{school.name} · {where} · {box.day.month}月{box.day.day}日")
            _barcode(c, bag.code, bx + 4 * mm, by + 6 * mm, bw - 8 * mm, 8 * mm)
            c.drawCentredString(bx + bw / 2, by + 2 * mm, bag.code)
        c.showPage()
    if not boxes:
        c.setFont(font, 12)
        c.drawString(MARGIN, PAGE_H - MARGIN - 12, "本校尚无监测室安排，没有监测工具箱。")
        c.showPage()
    c.save()
    return buf.getvalue()


# --- the reports ------------------------------------------------------------------------------------
def _t(value: Any) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _people(e: LedgerEntry) -> str:
    names = [e.recorded_by.display_name or e.recorded_by.username]
    if e.second_person is not None:
        names.append(e.second_person.display_name or e.second_person.username)
    return "、".join(names)


def _counties(area: Unit, scope: Any) -> list[Unit]:
    if area.level == Level.COUNTY:
        return [area]
    qs = Unit.objects.filter(level=Level.COUNTY, path__startswith=area.path, is_active=True)
    return list((scope.filter(qs, unit_field="self") if scope is not None else qs).order_by("path"))


def _entries(cycle: Any, counties: list[Unit]) -> dict[int, list[LedgerEntry]]:
    qs = LedgerEntry.objects.filter(cycle=cycle, county__in=counties).select_related(
        "recorded_by", "second_person", "school")
    out: dict[int, list[LedgerEntry]] = defaultdict(list)
    for e in state.live_entries(qs, cycle):
        out[e.county_id].append(e)
    return out


def report_table(*, kind: str, cycle: Any, area: Unit, scope: Any = None) -> Any:
    counties = _counties(area, scope)
    entries = _entries(cycle, counties)
    rules = state.rules_of(cycle)
    schools = list(Unit.objects.filter(level=Level.SCHOOL, path__startswith=area.path,
                                       pk__in=LedgerEntry.objects.filter(cycle=cycle).values("school_id"))
                   .select_related("parent")) if rules else []
    rooms = state.rooms_by_school(cycle=cycle, county=area) if rules else {}
    expected: dict[int, int] = defaultdict(int)
    if rules:
        for sch in Unit.objects.filter(pk__in=rooms).select_related("parent"):
            expected[sch.parent_id or 0] += len(state.boxes_of(cycle=cycle, rules=rules, school=sch, rooms=rooms[sch.pk]))
    rows: list[tuple[str, ...]] = []
    if kind == "receipt":
        header = ("县（区）", "接收时间", "机要单号", "接收箱数", "应收箱数", "接收人（双人）", "入保密室时间",
                  "保管地点", "值守记录（条）", "说明")
        for county in counties:
            es = entries.get(county.pk, [])
            stored = [e for e in es if e.step == Step.STORED]
            watch = sum(1 for e in es if e.step == Step.WATCH)
            received: list[LedgerEntry | None] = [e for e in es if e.step == Step.RECEIVED] or [None]
            first_store = stored[0] if stored else None
            for e in received:
                s = first_store
                rows.append((county.name, _t(e.at) if e else "未登记", e.tracking_no if e else "",
                             str(e.boxes or "") if e else "", str(expected.get(county.pk, 0)),
                             _people(e) if e else "", _t(s.at) if s else "", s.place if s else "",
                             str(watch), e.note if e else ""))
        notes = ("保管措施：存放于县保密室，双人双锁，24 小时值班；每次交接均由两人扫码登记（平台交接账本，逐条校验码相连）。",)
    else:
        header = ("县（区）", "应发箱数", "已发放", "已送回", "未送回", "回邮时间", "机要单号", "回邮箱数",
                  "押运人员（双人）", "缺失或损坏情况")
        states = state.box_states(cycle=cycle, rules=rules, schools=schools) if rules else []
        by_county: dict[int, list[state.BoxState]] = defaultdict(list)
        for b in states:
            by_county[b.school.parent_id].append(b)
        for county in counties:
            es = entries.get(county.pk, [])
            bs = by_county.get(county.pk, [])
            issued = [s for s in bs if s.issued is not None]
            missing = [s.box.code for s in issued if s.returned is None]
            counted = [e for e in es if e.step == Step.RETURNED and e.note]
            parts = [f"未送回 {len(missing)} 箱：{'、'.join(missing)}"] if missing else []
            problem = "；".join([*parts, *(f"{e.box_code}：{e.note}" for e in counted)])
            posted: list[LedgerEntry | None] = [e for e in es if e.step == Step.POSTED] or [None]
            for p in posted:
                rows.append((county.name, str(expected.get(county.pk, 0)), str(len(issued)),
                             str(len(issued) - len(missing)), str(len(missing)), _t(p.at) if p else "未回邮",
                             p.tracking_no if p else "", str(p.boxes or "") if p else "",
                             _people(p) if p else "", problem or "无"))
        notes = ("测试用耳机留在样本校，不回邮 [000]。",)
    title = REPORTS[kind] if area.level == Level.COUNTY else REPORTS[kind].replace("样本县", f"{area.name}各样本县")
    return DocumentTable(title=title, header=header, rows=tuple(rows), unit=area.name, notes=notes)


def table_pdf(table: DocumentTable, cycle_name: str) -> bytes:
    return doc_printing.table_pdf(table, cycle_name=cycle_name)


def table_xlsx(table: DocumentTable, cycle_name: str) -> bytes:
    return doc_printing.table_xlsx(table, cycle_name=cycle_name)


def document_receipt(*, cycle: Any, unit: Unit) -> DocumentTable:
    return report_table(kind="receipt", cycle=cycle, area=unit)  # type: ignore[no-any-return]


def document_return(*, cycle: Any, unit: Unit) -> DocumentTable:
    return report_table(kind="return", cycle=cycle, area=unit)  # type: ignore[no-any-return]
