"""The report's charts as one geometry (rectangles, lines, text) drawn two ways: inline SVG for
the HTML page (server-rendered, no script, no style attributes: CSP) and a reportlab Drawing for
the PDF (the CJK font of `jiance.printouts.fonts`). Coordinates: origin top left, y down."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from jiance_core.analysis.indicator_stats import Indicator
from jiance_core.analysis.report_stats import SubjectResult

LEVEL_COLOURS = ("#c8553d", "#f2c14e", "#5b9bd5", "#2e6e4e")
BAR = "#4a78b0"
GRID = "#bbbbbb"
INK = "#222222"


@dataclass
class Chart:
    width: float
    height: float
    title: str
    shapes: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)

    def rect(self, x: float, y: float, w: float, h: float, fill: str) -> None:
        self.shapes.append(("rect", (x, y, w, h, fill)))

    def line(self, x1: float, y1: float, x2: float, y2: float, colour: str = GRID) -> None:
        self.shapes.append(("line", (x1, y1, x2, y2, colour)))

    def text(self, x: float, y: float, s: str, size: float = 10, anchor: str = "start", colour: str = INK) -> None:
        self.shapes.append(("text", (x, y, s, size, anchor, colour)))

    def svg(self) -> str:
        out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {self.width:g} {self.height:g}" '
               f'role="img" aria-label="{escape(self.title)}"><title>{escape(self.title)}</title>']
        for kind, a in self.shapes:
            if kind == "rect":
                x, y, w, h, fill = a
                out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}"/>')
            elif kind == "line":
                x1, y1, x2, y2, colour = a
                out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}"/>')
            else:
                x, y, s, size, anchor, colour = a
                out.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{colour}" '
                           f'font-family="sans-serif">{escape(str(s))}</text>')
        out.append("</svg>")
        return "".join(out)

    def drawing(self, scale: float = 1.0):  # type: ignore[no-untyped-def]
        from reportlab.graphics.shapes import Drawing, Line, Rect, String
        from reportlab.lib import colors

        from jiance.printouts.fonts import cjk_font

        font = cjk_font()
        h = self.height
        d = Drawing(self.width * scale, self.height * scale)
        for kind, a in self.shapes:
            v = [float(t) if isinstance(t, (int, float)) else 0.0 for t in a]
            if kind == "rect":
                d.add(Rect(v[0] * scale, (h - v[1] - v[3]) * scale, v[2] * scale, v[3] * scale,
                           fillColor=colors.HexColor(str(a[4])), strokeColor=None))
            elif kind == "line":
                d.add(Line(v[0] * scale, (h - v[1]) * scale, v[2] * scale, (h - v[3]) * scale,
                           strokeColor=colors.HexColor(str(a[4])), strokeWidth=0.5))
            else:
                d.add(String(v[0] * scale, (h - v[1]) * scale, str(a[2]), fontName=font, fontSize=v[3] * scale,
                             textAnchor=str(a[4]), fillColor=colors.HexColor(str(a[5]))))
        return d


def level_chart(subject: SubjectResult) -> Chart | None:
    """One stacked bar: the share of students at each proficiency level, with a legend."""
    if not subject.levels or not all(e.shown for _n, e in subject.levels):
        return None
    c = Chart(480, 70, f"{subject.subject}学业水平分布")
    left, width = 10.0, 460.0
    x = left
    for (_name, e), colour in zip(subject.levels, LEVEL_COLOURS, strict=False):
        w = width * max(e.value, 0.0)
        c.rect(x, 10, w, 26, colour)
        if w > 34:
            c.text(x + w / 2, 28, f"{e.value * 100:.1f}%", 10, "middle", "#ffffff" if colour != "#f2c14e" else INK)
        x += w
    lx = left
    for (name, _e), colour in zip(subject.levels, LEVEL_COLOURS, strict=False):
        c.rect(lx, 50, 10, 10, colour)
        c.text(lx + 14, 59, name, 10)
        lx += 80
    return c


def histogram_chart(subject: SubjectResult) -> Chart | None:
    """The weighted distribution of the scores (all plausible values), bars of 25 points."""
    if not subject.histogram:
        return None
    c = Chart(480, 200, f"{subject.subject}成绩分布")
    left, top, plot_w, plot_h = 44.0, 12.0, 424.0, 150.0
    peak = max(s for _lo, _hi, s in subject.histogram) or 1.0
    ceiling = max(0.05, (int(peak * 20) + 1) / 20)  # a multiple of 5%
    for k in range(round(ceiling * 20) + 1):
        share = k / 20
        y = top + plot_h * (1 - share / ceiling)
        c.line(left, y, left + plot_w, y)
        c.text(left - 4, y + 3, f"{share * 100:.0f}%", 9, "end")
    n = len(subject.histogram)
    bw = plot_w / n
    for i, (lo, _hi, share) in enumerate(subject.histogram):
        h = plot_h * share / ceiling
        c.rect(left + i * bw + 1, top + plot_h - h, bw - 2, h, BAR)
        if i % max(1, n // 8) == 0:
            c.text(left + i * bw, top + plot_h + 14, f"{lo:.0f}", 9, "middle")
    c.line(left, top + plot_h, left + plot_w, top + plot_h, INK)
    c.text(left + plot_w / 2, top + plot_h + 32, "量尺分数（学生所占比例，按权重）", 10, "middle")
    return c


def share_chart(ind: Indicator) -> Chart | None:
    """A small horizontal bar per category: the weighted share of the whole unit (a select_one
    item whose overall estimates are all shown)."""
    if ind.item.kind != "share" or not ind.rows or not all(e.shown for _l, e in ind.overall.values):
        return None
    values = ind.overall.values
    c = Chart(480, 16 + 22 * len(values), f"{ind.item.label}（学生比例，按权重）")
    left, plot_w = 130.0, 290.0
    for i, (label, e) in enumerate(values):
        y = 8 + 22 * i
        c.text(left - 6, y + 12, label if len(label) <= 12 else label[:11] + "…", 10, "end")
        w = plot_w * max(min(e.value, 1.0), 0.0)
        c.rect(left, y + 2, w, 14, BAR)
        c.text(left + w + 4, y + 13, f"{e.value * 100:.1f}%", 10)
    c.line(left, 6, left, 8 + 22 * len(values), INK)
    return c
